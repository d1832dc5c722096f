// Package terraformcli finds the Terraform CLI that `tfcemu serve` runs
// remote runs with and that the features drive. This is the one statement
// of the rule, which scripts/terraform.sh (what `make test` runs) follows
// too:
//
//  1. the binary named with --terraform-bin or TFCEMU_TERRAFORM_BIN (Env),
//     as it is;
//  2. else `terraform` on PATH, when it is MinVersion or newer;
//  3. else terraform in ToolsDir (bin/tools), when it is MinVersion or
//     newer: scripts/terraform.sh builds BuildVersion there from the Go
//     module proxy when neither is found.
//
// MinVersion (1.6) is the oldest CLI whose cloud block uploads state the
// way current HCP Terraform expects (a pending state version, then the
// archivist PUT); BuildVersion (1.6.6) is the newest release whose go.mod
// has no replace directives, so `go install` can build it. The versions
// found are remembered in the user's cache directory (versionCacheFile),
// so `tfcemu serve` does not wait for `terraform version` at every start.
package terraformcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-version"
)

// Env names the explicit binary: --terraform-bin's environment twin, and
// what `make test` sets from scripts/terraform.sh for the features.
const Env = "TFCEMU_TERRAFORM_BIN"

// ToolsDir is where scripts/terraform.sh builds BuildVersion, relative to
// the repository's root.
const ToolsDir = "bin/tools"

// BuildVersion is the release scripts/terraform.sh builds into ToolsDir.
const BuildVersion = "1.6.6"

// MinVersion is the oldest CLI found on PATH or in ToolsDir that is used.
const MinVersion = "1.6.0"

// minRelease is MinVersion's major, minor and patch.
var minRelease = [3]int{1, 6, 0}

// ErrNotFound is Find's error when no binary was named and neither PATH
// nor the tools directory has one new enough.
var ErrNotFound = errors.New("no Terraform CLI")

// versionTimeout bounds `terraform version -json`.
const versionTimeout = 10 * time.Second

// Find returns the Terraform CLI by the package's rule: explicit when it
// is not empty (it must be an executable file or a name on PATH; its
// version is not checked), else terraform on PATH, else toolsDir/terraform
// (made absolute), each only when it is MinVersion or newer. Without one,
// the error wraps ErrNotFound and says what was passed over.
func Find(explicit, toolsDir string) (string, error) {
	if explicit != "" {
		return exec.LookPath(explicit)
	}
	var passed []string
	usable := func(p string) bool {
		err := Check(p)
		if err != nil {
			passed = append(passed, err.Error())
		}
		return err == nil
	}
	if p, err := exec.LookPath("terraform"); err == nil && usable(p) {
		return p, nil
	}
	if p, err := filepath.Abs(filepath.Join(toolsDir, "terraform")); err == nil {
		if _, err := os.Stat(p); err == nil && usable(p) {
			return p, nil
		}
	}
	if len(passed) == 0 {
		return "", fmt.Errorf("%w >= %s on PATH or in %s", ErrNotFound, MinVersion, toolsDir)
	}
	return "", fmt.Errorf("%w >= %s on PATH or in %s (%v)", ErrNotFound, MinVersion, toolsDir, passed)
}

// Check says why bin is not a Terraform CLI of MinVersion or newer (nil
// when it is), by `bin version -json`, or by the version it reported
// before when the binary has not changed since (see versionCacheFile).
func Check(bin string) error {
	v, err := Version(bin)
	if err != nil {
		return err
	}
	if !atLeastMin(v) {
		return fmt.Errorf("%s is Terraform %q; want >= %s", bin, v, MinVersion)
	}
	return nil
}

// atLeastMin reports whether v is MinVersion or newer. A release
// (MAJOR.MINOR.PATCH, the form every start with a cached version meets)
// is compared here; anything else (a pre-release, build metadata) goes
// to go-version, whose version pattern is a large regexp to compile.
func atLeastMin(v string) bool {
	if r, ok := release(v); ok {
		return slices.Compare(r[:], minRelease[:]) >= 0
	}
	got, err := version.NewVersion(v)
	return err == nil && !got.LessThan(version.Must(version.NewVersion(MinVersion)))
}

// release parses MAJOR.MINOR.PATCH, each plain decimal digits.
func release(v string) ([3]int, bool) {
	var r [3]int
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return r, false
	}
	for i, p := range parts {
		if p == "" || len(p) > 9 || strings.Trim(p, "0123456789") != "" {
			return r, false
		}
		r[i], _ = strconv.Atoi(p)
	}
	return r, true
}

// Version is the terraform_version `bin version -json` reports,
// remembered across starts by the binary's path, size and modification
// time.
func Version(bin string) (string, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return "", err
	}
	if v := cachedVersion(abs); v != "" {
		return v, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), versionTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version", "-json")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+os.DevNull, "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s version -json: %v", bin, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", fmt.Errorf("%s version -json: %v", bin, err)
	}
	if v.Version != "" {
		rememberVersion(abs, v.Version)
	}
	return v.Version, nil
}
