package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/tfcemu/tfcemu/internal/testutil"
)

// TestMain lets the test binary stand in for an agent hook: with
// TFCEMU_TEST_HOOK set it verifies the run's workload identity token
// against the issuer's JWKS (go-oidc, discovery) and hands the subject on
// through TFC_AGENT_ENV.
func TestMain(m *testing.M) {
	if mode := os.Getenv("TFCEMU_TEST_HOOK"); mode != "" {
		os.Exit(testHook(mode))
	}
	// The signing key cache goes to a temp cache directory, not the
	// user's (serve caches its key there; keycache_test.go). Go's build
	// cache stays where it is (its default is under XDG_CACHE_HOME too):
	// the tests that build the binary would otherwise build everything,
	// the standard library included, into an empty one.
	if os.Getenv("GOCACHE") == "" {
		if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
			os.Setenv("GOCACHE", strings.TrimSpace(string(out)))
		}
	}
	cache, err := os.MkdirTemp("", "tfcemu-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", cache)
	code := m.Run()
	os.RemoveAll(cache)
	if binDir != "" {
		os.RemoveAll(binDir) // the binaries the kill -9 test and the start-up benchmarks built
	}
	os.Exit(code)
}

func testHook(mode string) int {
	if mode == "aws" {
		return testutil.AWSCaller()
	}
	if mode == "gcp" {
		return testutil.GCPCaller()
	}
	if mode == "fail" {
		fmt.Println("hook refuses")
		return 3
	}
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, os.Getenv("TFCEMU_TEST_ISSUER"))
	if err != nil {
		fmt.Println("discovery:", err)
		return 1
	}
	tok, err := provider.Verifier(&oidc.Config{ClientID: "hook-audience"}).Verify(ctx, os.Getenv("TFC_WORKLOAD_IDENTITY_TOKEN"))
	if err != nil {
		fmt.Println("verify:", err)
		return 1
	}
	f, err := os.OpenFile(os.Getenv("TFC_AGENT_ENV"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		fmt.Println("TFC_AGENT_ENV:", err)
		return 1
	}
	fmt.Fprintf(f, "VERIFIED_SUB=%s\n", tok.Subject)
	f.Close()
	fmt.Println("hook verified the token of", tok.Subject)
	return 0
}

// writeHook installs the test binary as hook name in dir.
func writeHook(t *testing.T, dir, name, mode string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\nTFCEMU_TEST_HOOK=%s exec %q -test.run=^$\n", mode, self)
	if err := os.WriteFile(filepath.Join(dir, "terraform-"+name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestAgentHooksVerifyTheTokenAndHandOff(t *testing.T) {
	info, _, _ := serveInBackground(t)
	setVar(t, info.TFCURL, info.OwnerToken, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "hook-audience")
	t.Setenv("TFCEMU_TEST_ISSUER", info.Issuer)
	hooks := t.TempDir()
	writeHook(t, hooks, "pre-plan", "verify")
	writeHook(t, hooks, "pre-apply", "verify")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"agent", "hooks", "--url", info.TFCURL, "--workspace", "my-org/my-workspace",
		"--dir", hooks, "--", "sh", "-c", `echo "terraform sees $VERIFIED_SUB"`}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	o := out.String()
	for _, want := range []string{
		"Executing pre-plan hook...",
		"hook verified the token of organization:my-org:project:Default Project:workspace:my-workspace:run_phase:plan",
		"terraform sees organization:my-org:project:Default Project:workspace:my-workspace:run_phase:plan",
		"Executing pre-apply hook...",
		"terraform sees organization:my-org:project:Default Project:workspace:my-workspace:run_phase:apply",
		"finished",
	} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q:\n%s", want, o)
		}
	}
}

// TestAgentHookFailureFailsTheRun checks the CLI's side of a failed hook:
// exit 1 with the hook's error, and the run errored. The hook cases themselves (skips,
// timeouts, hand-offs) are tested in-process in emulator/runs/hooks.
func TestAgentHookFailureFailsTheRun(t *testing.T) {
	info, _, _ := serveInBackground(t)
	hooks := t.TempDir()
	writeHook(t, hooks, "post-plan", "fail")
	var out bytes.Buffer
	code := run(context.Background(), []string{"agent", "hooks", "--url", info.TFCURL, "--workspace", "my-org/my-workspace", "--dir", hooks}, &out, &out)
	if code != 1 || !strings.Contains(out.String(), "post-plan hook exited with code 3") || !strings.Contains(out.String(), "hook refuses") {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	m := regexp.MustCompile(`run (run-\S+) queued`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no run id in the output:\n%s", out.String())
	}
	var doc struct {
		Data struct {
			Attributes struct{ Status string } `json:"attributes"`
		} `json:"data"`
	}
	if err := tfcCall(context.Background(), http.MethodGet, info.TFCURL+"/api/v2/runs/"+m[1], info.OwnerToken, nil, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Data.Attributes.Status != "errored" {
		t.Errorf("run %s is %q after its hook failed, want errored", m[1], doc.Data.Attributes.Status)
	}
}

func TestAgentExecRunsACommandInThePhaseEnvironment(t *testing.T) {
	info, _, _ := serveInBackground(t)
	setVar(t, info.TFCURL, info.OwnerToken, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "hook-audience")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"agent", "exec", "--url", info.TFCURL, "--workspace", "my-org/my-workspace", "--phase", "apply",
		"--", "sh", "-c", `test -n "$TFC_WORKLOAD_IDENTITY_TOKEN" && echo "slug=$TFC_WORKSPACE_SLUG"; exit 4`}, &out, &errOut)
	if code != 4 || !strings.Contains(out.String(), "slug=my-org/my-workspace") {
		t.Fatalf("exit %d (want the command's 4):\n%s%s", code, out.String(), errOut.String())
	}
}

func TestAgentExecWithAnOlderAgentVersion(t *testing.T) {
	info, _, _ := serveInBackground(t)
	setVar(t, info.TFCURL, info.OwnerToken, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "hook-audience")
	for _, tc := range []struct {
		version string
		want    string
	}{{"1.6.0", "token=absent"}, {"1.7.0", "token=present"}} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"agent", "exec", "--url", info.TFCURL, "--workspace", "my-org/my-workspace", "--agent-version", tc.version,
			"--", "sh", "-c", `if [ -n "$TFC_WORKLOAD_IDENTITY_TOKEN" ]; then echo token=present; else echo token=absent; fi`}, &out, &errOut)
		if code != 0 || !strings.Contains(out.String(), tc.want) {
			t.Fatalf("agent %s: exit %d, want %q:\n%s%s", tc.version, code, tc.want, out.String(), errOut.String())
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"agent", "exec", "--url", info.TFCURL, "--workspace", "my-org/my-workspace", "--agent-version", "one", "--", "true"}, &out, &out); code != 1 ||
		!strings.Contains(out.String(), "not MAJOR.MINOR.PATCH") {
		t.Fatalf("bad version: exit %d %s", code, out.String())
	}
}
