package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestServeWithAdminToken: serve --admin-token puts the token in the ready
// file and the banner; the client commands send it with --admin-token (or
// TFCEMU_ADMIN_TOKEN) and fail with the admin API's message without it;
// the health check needs none.
func TestServeWithAdminToken(t *testing.T) {
	const tok = "cli-admin-token"
	info, out, _ := serveInBackground(t, "--admin-token", tok, "--allowed-hosts", "a.test, b.test", "--read-timeout", "5s", "--idle-timeout", "5s")
	if info.AdminToken != tok {
		t.Fatalf("ready file admin_token = %q", info.AdminToken)
	}
	if !strings.Contains(out.String(), "admin token   "+tok) {
		t.Fatalf("banner lacks the admin token:\n%s", out.String())
	}
	var hc bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck", "--url", info.TFCURL}, &hc, &hc); code != 0 {
		t.Fatalf("healthcheck without the token: exit %d: %s", code, hc.String())
	}
	args := []string{"token", "--url", info.TFCURL, "--workspace", "my-org/my-workspace", "--phase", "plan", "--audience", "a"}
	var o, e bytes.Buffer
	if code := run(context.Background(), args, &o, &e); code != 1 || !strings.Contains(e.String(), "401: the admin API needs the admin token (--admin-token)") {
		t.Fatalf("token without --admin-token: exit %d: %s", code, e.String())
	}
	o.Reset()
	e.Reset()
	if code := run(context.Background(), append(args, "--admin-token", tok), &o, &e); code != 0 || strings.Count(o.String(), ".") != 2 {
		t.Fatalf("token with --admin-token: exit %d: %s %s", code, o.String(), e.String())
	}
	t.Setenv("TFCEMU_ADMIN_TOKEN", tok)
	o.Reset()
	if code := run(context.Background(), args, &o, &e); code != 0 {
		t.Fatalf("token with TFCEMU_ADMIN_TOKEN: exit %d: %s", code, e.String())
	}
	// --allowed-hosts reached the listeners.
	req, _ := http.NewRequest("GET", info.TFCURL+"/_emulator/health", nil)
	req.Host = "b.test"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("allowed host b.test: %d", resp.StatusCode)
	}
	req.Host = "c.test"
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("host c.test: %d", resp.StatusCode)
	}
}

// TestServeGeneratesAnAdminTokenOffLoopback: listening on 0.0.0.0 without
// --admin-token generates one, printed in the banner and the ready file.
func TestServeGeneratesAnAdminTokenOffLoopback(t *testing.T) {
	info, out, _ := serveInBackground(t, "--tfc-listen", "0.0.0.0:0")
	if !strings.HasPrefix(info.AdminToken, "tfcemu-admin-") || !strings.Contains(out.String(), info.AdminToken) {
		t.Fatalf("admin token %q; banner:\n%s", info.AdminToken, out.String())
	}
	if !strings.HasPrefix(info.TFCURL, "http://127.0.0.1:") {
		t.Fatalf("TFC URL %q", info.TFCURL)
	}
}

func TestServeRefusesNonPositiveTimeouts(t *testing.T) {
	for _, flag := range []string{"--read-timeout", "--write-timeout", "--idle-timeout"} {
		var o, e bytes.Buffer
		if code := run(context.Background(), []string{"serve", flag, "0s"}, &o, &e); code != 2 || !strings.Contains(e.String(), flag+" must be positive") {
			t.Errorf("%s 0s: exit %d: %s", flag, code, e.String())
		}
	}
}
