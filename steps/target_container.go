package steps

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/tfcemu/tfcemu/emulator/testcontainer"
)

// repoRoot is the tfcemu source tree the steps run from (steps/..).
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; dir != "/"; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no go.mod above %s", wd)
}

// dockerAvailable says why Docker cannot be used, or "".
func dockerAvailable() string {
	out, err := exec.Command("docker", "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("no Docker engine: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return ""
}

// startContainer runs the emulator image: TFCEMU_IMAGE if set, otherwise an
// image built here from the working tree (FROM scratch, nothing pulled).
func startContainer() (*Target, error) {
	if reason := dockerAvailable(); reason != "" {
		return nil, ErrTargetUnavailable{Reason: reason}
	}
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var opts []testcontainer.Option
	image := os.Getenv("TFCEMU_IMAGE")
	var buildDir string
	if image == "" {
		root, err := repoRoot()
		if err != nil {
			return nil, err
		}
		if buildDir, err = testcontainer.BuildContext(root); err != nil {
			return nil, err
		}
		opts = append(opts, testcontainer.WithLocalBuild(buildDir))
	}
	c, err := testcontainer.Run(ctx, image, opts...)
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	if err != nil {
		if c != nil {
			logs := c.LogsText(context.Background())
			_ = testcontainers.TerminateContainer(c)
			return nil, fmt.Errorf("%w\ncontainer output:\n%s", err, logs)
		}
		return nil, err
	}
	return &Target{
		Name: "container", TFCURL: c.TFEAddress(), VaultURL: c.VaultAddress(), Issuer: c.IssuerURL(),
		OwnerToken: c.OwnerToken(), VaultToken: c.VaultToken(), AdminToken: c.AdminToken(), Emulator: true, CloudsURL: c.CloudsAddress(),
		Close: func() error { return testcontainers.TerminateContainer(c) },
	}, nil
}

// connectExternal uses real services: TFE_ADDRESS and TFE_TOKEN for TFC,
// VAULT_ADDR and VAULT_TOKEN for Vault.
func connectExternal() (*Target, error) {
	tfe, token := strings.TrimRight(os.Getenv("TFE_ADDRESS"), "/"), os.Getenv("TFE_TOKEN")
	if tfe == "" || token == "" {
		return nil, ErrTargetUnavailable{Reason: "the external target needs TFE_ADDRESS and TFE_TOKEN (and VAULT_ADDR, VAULT_TOKEN for Vault scenarios)"}
	}
	return &Target{Name: "external", TFCURL: tfe, Issuer: tfe, OwnerToken: token,
		VaultURL: strings.TrimRight(os.Getenv("VAULT_ADDR"), "/"), VaultToken: os.Getenv("VAULT_TOKEN"),
		Close: func() error { return nil }}, nil
}

// startVaultContainer would run a real Vault (TFCEMU_VAULT_IMAGE, default
// hashicorp/vault) beside the emulator container; images cannot be pulled
// here, so it needs the image present locally.
func startVaultContainer() (*Target, error) {
	if reason := dockerAvailable(); reason != "" {
		return nil, ErrTargetUnavailable{Reason: reason}
	}
	image := os.Getenv("TFCEMU_VAULT_IMAGE")
	if image == "" {
		image = "hashicorp/vault"
	}
	if err := exec.Command("docker", "image", "inspect", image).Run(); err != nil {
		return nil, ErrTargetUnavailable{Reason: fmt.Sprintf("image %s not present (nothing can be pulled here; load it with docker load or set TFCEMU_VAULT_IMAGE)", image)}
	}
	return startRealVault(image)
}
