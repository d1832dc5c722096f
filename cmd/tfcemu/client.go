package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/admin"
)

const defaultURL = "http://127.0.0.1:8080"

// adminClient reaches a running emulator's admin API: its base URL and
// the admin token (--admin-token), if it needs one.
type adminClient struct{ url, token string }

// adminTokenUsage is the --admin-token help of the client commands.
const adminTokenUsage = "the emulator's admin token (its --admin-token, or admin_token in its ready file)"

// adminCall sends one admin API request and decodes a 2xx answer into out.
// Non-2xx answers become errors carrying the admin API's message.
func adminCall(ctx context.Context, method string, c adminClient, path string, in, out any) error {
	base := c.url
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+admin.Prefix+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, admin.MaxBodyBytes))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e admin.Error
		if json.Unmarshal(raw, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s %s: %d: %s", method, path, resp.StatusCode, e.Error)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("healthcheck", "healthcheck [--url URL]")
	fs.SetOutput(stderr)
	url := fs.String("url", defaultURL, "base URL of the emulator (either listener)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	quiet := fs.Bool("quiet", false, "print nothing, only set the exit code")
	adminToken := fs.String("admin-token", "", adminTokenUsage+"; the health check itself needs none")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var h admin.Health
	if err := adminCall(ctx, http.MethodGet, adminClient{*url, *adminToken}, "/health", nil, &h); err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	if h.Status != "ok" {
		return fmt.Errorf("unhealthy: status %q", h.Status)
	}
	if !*quiet {
		fmt.Fprintf(stdout, "healthy: issuer %s, virtual time %s\n", h.Issuer, h.Now)
	}
	return nil
}

func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token", "token --workspace ORG/WS --phase plan|apply --audience AUD [flags]\n       tfcemu token --module ORG/MODULE --audience AUD [flags]")
	fs.SetOutput(stderr)
	url := fs.String("url", defaultURL, "base URL of the running emulator")
	workspace := fs.String("workspace", "", "ORG/WORKSPACE to mint a workspace-run token for")
	module := fs.String("module", "", "ORG/MODULE to mint a registry module test token for")
	phase := fs.String("phase", "", "run phase: plan or apply (workspace tokens)")
	audience := fs.String("audience", "", "the token's audience (aud)")
	runID := fs.String("run-id", "", "terraform_run_id (default: a new run-/trun- ID)")
	output := fs.String("output", "raw", "raw (the JWT alone) or json (token, kid, expiry and claims)")
	adminToken := fs.String("admin-token", "", adminTokenUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	req := admin.TokenRequest{Phase: *phase, Audience: *audience, RunID: *runID}
	target, what := *workspace, "--workspace"
	if *module != "" {
		target, what = *module, "--module"
	}
	if (*workspace == "") == (*module == "") {
		return usageError("give exactly one of --workspace ORG/WS or --module ORG/MODULE")
	}
	org, name, ok := strings.Cut(target, "/")
	if !ok || org == "" || name == "" || strings.Contains(name, "/") {
		return usageError("%s %q: want ORG/NAME", what, target)
	}
	req.Organization = org
	if *module != "" {
		req.Module = name
	} else {
		req.Workspace = name
	}
	if *output != "raw" && *output != "json" {
		return usageError("--output %q: want raw or json", *output)
	}
	var resp admin.TokenResponse
	if err := adminCall(ctx, http.MethodPost, adminClient{*url, *adminToken}, "/workload-identity-tokens", req, &resp); err != nil {
		return err
	}
	if *output == "raw" {
		_, err := fmt.Fprintln(stdout, resp.Token)
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(resp)
}
