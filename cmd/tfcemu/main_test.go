package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/tfcemu/tfcemu/emulator"
)

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// waitReady polls for the --ready-file and decodes it.
func waitReady(t testing.TB, path string) emulator.Info {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			var info emulator.Info
			if err := json.Unmarshal(b, &info); err != nil {
				t.Fatalf("ready file is not the documented JSON: %v: %s", err, b)
			}
			return info
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("ready file never appeared")
	return emulator.Info{}
}

// serveInBackground runs `tfcemu serve` in-process until the test ends.
func serveInBackground(t *testing.T, args ...string) (emulator.Info, *syncBuffer, func() int) {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready.json")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--tfc-listen", "127.0.0.1:0", "--vault-listen", "127.0.0.1:0", "--ready-file", ready}, args...), &out, &errOut)
	}()
	var once sync.Once
	code := -1
	stop := func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { stop() })
	select {
	case c := <-done:
		t.Fatalf("serve exited early with %d: %s", c, errOut.String())
	case <-time.After(0):
	}
	return waitReady(t, ready), &out, stop
}

func TestServeReadyFileBannerHealthcheckTokenAndShutdown(t *testing.T) {
	info, out, stop := serveInBackground(t)
	for _, want := range []string{info.TFCURL, info.VaultURL, info.OwnerToken, "vault token   root", "strict"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
	if info.VaultToken != "root" || info.Issuer != info.TFCURL || !strings.Contains(info.OwnerToken, ".atlasv1.") {
		t.Fatalf("ready file = %+v", info)
	}
	var hc bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck", "--url", info.TFCURL}, &hc, &hc); code != 0 {
		t.Fatalf("healthcheck exit %d: %s", code, hc.String())
	}
	var tokOut, tokErr bytes.Buffer
	if code := run(context.Background(), []string{"token", "--url", info.TFCURL, "--workspace", "my-org/my-workspace", "--phase", "apply", "--audience", "sts.amazonaws.com"}, &tokOut, &tokErr); code != 0 {
		t.Fatalf("token exit %d: %s", code, tokErr.String())
	}
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, info.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: "sts.amazonaws.com"}).Verify(ctx, strings.TrimSpace(tokOut.String()))
	if err != nil {
		t.Fatalf("go-oidc refused the token from `tfcemu token`: %v", err)
	}
	if idt.Subject != "organization:my-org:project:Default Project:workspace:my-workspace:run_phase:apply" {
		t.Fatalf("sub = %q", idt.Subject)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d after cancel", code)
	}
	if !strings.Contains(out.String(), "shutting down") {
		t.Fatalf("no shutdown message:\n%s", out.String())
	}
	if code := run(context.Background(), []string{"healthcheck", "--url", info.TFCURL, "--timeout", "1s", "--quiet"}, &hc, &hc); code != 1 {
		t.Fatalf("healthcheck against a stopped emulator exit %d, want 1", code)
	}
}

func TestTokenJSONOutputForAModule(t *testing.T) {
	info, _, _ := serveInBackground(t)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"token", "--url", info.TFCURL, "--module", "my-org/vpc", "--audience", "aws.workload.identity", "--output", "json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var resp struct {
		Token  string         `json:"token"`
		Claims map[string]any `json:"claims"`
	}
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Claims["sub"] != "organization:my-org:module:vpc:operation:test_run" || resp.Token == "" {
		t.Fatalf("json output = %s", out.String())
	}
}

func TestEnvTwinsAndFlagsWin(t *testing.T) {
	t.Setenv("TFCEMU_VAULT_ROOT_TOKEN", "from-env")
	t.Setenv("TFCEMU_OWNER_TOKEN", "envowner.atlasv1.x")
	info, _, _ := serveInBackground(t, "--owner-token", "flagowner.atlasv1.y")
	if info.VaultToken != "from-env" {
		t.Errorf("vault token %q, want the env twin's value", info.VaultToken)
	}
	if info.OwnerToken != "flagowner.atlasv1.y" {
		t.Errorf("owner token %q, want the flag's value over the env's", info.OwnerToken)
	}
}

func TestUsageAndRuntimeErrors(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no command", nil, nil, 2, "usage: tfcemu"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"bad env twin", map[string]string{"TFCEMU_TLS": "maybe"}, []string{"serve"}, 2, "TFCEMU_TLS"},
		{"bad log level", nil, []string{"serve", "--log-level", "loud"}, 2, "--log-level"},
		{"bad state fsync policy", nil, []string{"serve", "--state-fsync", "sometimes"}, 2, "--state-fsync"},
		{"negative ttl", nil, []string{"serve", "--plan-token-ttl", "-1s"}, 2, "--plan-token-ttl must be positive"},
		{"cert without key", nil, []string{"serve", "--tls-cert", "x.pem"}, 2, "go together"},
		{"missing seed", nil, []string{"serve", "--seed", "/nonexistent/seed.yaml"}, 1, "no such file"},
		{"bad signing key", nil, []string{"serve", "--tfc-listen", "127.0.0.1:0", "--vault-listen", "127.0.0.1:0", "--signing-key", "/dev/null"}, 1, "no PEM block"},
		{"stray argument", nil, []string{"healthcheck", "extra"}, 2, `unexpected argument "extra"`},
		{"token without target", nil, []string{"token", "--audience", "a"}, 2, "exactly one of"},
		{"token bad workspace", nil, []string{"token", "--workspace", "just-a-name", "--audience", "a"}, 2, "want ORG/NAME"},
		{"token bad output", nil, []string{"token", "--workspace", "o/w", "--output", "yaml"}, 2, "--output"},
		{"healthcheck refused", nil, []string{"healthcheck", "--url", "http://127.0.0.1:1", "--timeout", "1s"}, 1, "unhealthy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errOut)
			if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.want) {
				t.Fatalf("exit %d (want %d), output:\n%s%s\nwant it to mention %q", code, tc.code, out.String(), errOut.String(), tc.want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, &out); code != 0 || out.String() != "tfcemu "+version+"\n" {
		t.Fatalf("exit %d, %q", code, out.String())
	}
}

// TestBinaryStopsCleanlyOnSIGTERM builds the real binary and stops it the way
// docker stop and CI runners do.
func TestBinaryStopsCleanlyOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin, _ := binaries(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		ready := filepath.Join(dir, sig.String()+".json")
		var out syncBuffer
		cmd := exec.Command(bin, "serve", "--tfc-listen", "127.0.0.1:0", "--vault-listen", "127.0.0.1:0", "--ready-file", ready)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitReady(t, ready)
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v: exit %v, output:\n%s", sig, err, out.String())
		}
		if !strings.Contains(out.String(), "shutting down") {
			t.Fatalf("%v: output:\n%s", sig, out.String())
		}
	}
}
