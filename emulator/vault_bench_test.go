package emulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator"
)

// The Vault scale benchmarks: the cost Vault's state adds to a TFC
// request (every request of both listeners looks at Vault's expiry queue)
// and a credentials read against the floor. Ratios in one run; no test
// asserts a time.

// vaultDo sends one Vault request with token through e's Vault handler
// and fails unless it answers status.
func vaultDo(b *testing.B, e *emulator.Emulator, token string, status int, method, path, body string) *httptest.ResponseRecorder {
	b.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.Host = "127.0.0.1:8200"
	req.Header.Set("X-Vault-Token", token)
	rec := httptest.NewRecorder()
	e.VaultHandler().ServeHTTP(rec, req)
	if rec.Code != status {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return rec
}

// BenchmarkVaultTokensTFCRead reads the account details through the TFC
// listener's whole stack (middleware and its Vault expiry look included)
// on an emulator holding 10,000 live Vault tokens against a fresh one
// (target: ratio ≤ 1.5).
func BenchmarkVaultTokensTFCRead(b *testing.B) {
	fresh, _ := benchEmulator(b)
	loaded, _ := benchEmulator(b)
	root := loaded.Info().VaultToken
	for i := range 10000 {
		vaultDo(b, loaded, root, http.StatusOK, "POST", "/v1/auth/token/create",
			fmt.Sprintf(`{"ttl":"%dh","policies":["default"]}`, 1+i%700))
	}
	read := func(e *emulator.Emulator) func(*testing.B) {
		s := &scaled{e: e, token: e.Info().OwnerToken}
		return func(b *testing.B) { expect(b, s, http.StatusOK, "GET", "/api/v2/account/details", "") }
	}
	ratio(b, read(fresh), read(loaded))
}

// BenchmarkVaultCredsOrgRole reads terraform credentials for an
// organization role (its stored token: no TFC call) through the Vault
// listener's whole stack against a handler writing a constant Vault
// response (target: ratio ≤ 3).
func BenchmarkVaultCredsOrgRole(b *testing.B) {
	e, _ := benchEmulator(b)
	root := e.Info().VaultToken
	terraformRole(b, e, "testing", `{"organization":"my-org"}`)
	creds(b, e, root, "testing")
}

// BenchmarkVaultCredsOrgRolePolicy is BenchmarkVaultCredsOrgRole with a
// token that is not root: its policy (with default) grants read on
// terraform/creds/*, so each read looks the path up in its ACL.
func BenchmarkVaultCredsOrgRolePolicy(b *testing.B) {
	e, _ := benchEmulator(b)
	root := e.Info().VaultToken
	terraformRole(b, e, "testing", `{"organization":"my-org"}`)
	vaultDo(b, e, root, http.StatusNoContent, "PUT", "/v1/sys/policies/acl/creds-reader", `{"policy":"path \"terraform/creds/*\" { capabilities = [\"read\"] }"}`)
	rec := vaultDo(b, e, root, http.StatusOK, "POST", "/v1/auth/token/create", `{"policies":["creds-reader"],"ttl":"768h"}`)
	var created struct {
		Auth struct {
			ClientToken string `json:"client_token"`
		} `json:"auth"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.Auth.ClientToken == "" {
		b.Fatalf("token create: %v %s", err, rec.Body)
	}
	creds(b, e, created.Auth.ClientToken, "testing")
}

// BenchmarkVaultCredsUserRole is BenchmarkVaultCredsOrgRole for a user
// role: each read creates a user token through the in-process TFC.
func BenchmarkVaultCredsUserRole(b *testing.B) {
	e, _ := benchEmulator(b)
	root := e.Info().VaultToken
	terraformRole(b, e, "user", `{"user_id":"user-12345abcde","ttl":"1h"}`)
	creds(b, e, root, "user")
}

// terraformRole mounts the terraform engine on e's Vault, configures it
// with the seed's token and writes role with body.
func terraformRole(b *testing.B, e *emulator.Emulator, role, body string) {
	root := e.Info().VaultToken
	vaultDo(b, e, root, http.StatusNoContent, "POST", "/v1/sys/mounts/terraform", `{"type":"terraform"}`)
	vaultDo(b, e, root, http.StatusNoContent, "POST", "/v1/terraform/config", `{"token":"Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}`)
	vaultDo(b, e, root, http.StatusNoContent, "POST", "/v1/terraform/role/"+role, body)
}

// creds compares reading role's credentials with the floor.
func creds(b *testing.B, e *emulator.Emulator, root, role string) {
	body := []byte(`{"request_id":"2b5c6f1e-1d2a-4f7e-9a3b-0c1d2e3f4a5b","lease_id":"","renewable":false,"lease_duration":0,"data":{"organization":"my-org","role":"testing","token":"tok","token_id":"at-12345abcde"},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"terraform"}`)
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	req := httptest.NewRequest("GET", "/v1/terraform/creds/"+role, nil)
	req.Host = "127.0.0.1:8200"
	req.Header.Set("X-Vault-Token", root)
	h := e.VaultHandler()
	b.ReportAllocs()
	ratio(b, func(*testing.B) { floor.ServeHTTP(httptest.NewRecorder(), req) }, func(b *testing.B) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("creds: %d %s", rec.Code, rec.Body)
		}
	})
}

// BenchmarkVaultCredsOrgRoleLoopback is BenchmarkVaultCredsOrgRole as a
// client sees it: over loopback HTTP with keep-alive, the emulator's real
// Vault listener against an http.Server whose handler writes the same
// constant response. Both sides pay the same socket and net/http costs, so
// the ratio is what the emulator adds to a request a client makes.
func BenchmarkVaultCredsOrgRoleLoopback(b *testing.B) {
	e, err := emulator.New(emulator.Config{RateLimit: -1, TFCListen: "127.0.0.1:0", VaultListen: "127.0.0.1:0", CloudsListen: "off"})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	root := e.Info().VaultToken
	terraformRole(b, e, "testing", `{"organization":"my-org"}`)
	body := []byte(`{"request_id":"2b5c6f1e-1d2a-4f7e-9a3b-0c1d2e3f4a5b","lease_id":"","renewable":false,"lease_duration":0,"data":{"organization":"my-org","role":"testing","token":"tok","token_id":"at-12345abcde"},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"terraform"}`)
	floor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(floor.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func(b *testing.B, url string) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("X-Vault-Token", root)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
	}
	credsURL := e.Info().VaultURL + "/v1/terraform/creds/testing"
	b.ReportAllocs()
	ratio(b, func(b *testing.B) { get(b, floor.URL+"/v1/terraform/creds/testing") }, func(b *testing.B) { get(b, credsURL) })
}
