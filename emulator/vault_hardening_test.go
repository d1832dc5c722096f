package emulator_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	vault "github.com/hashicorp/vault/api"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// TestVaultDurationsRefusedAsVault: a duration that does not fit Vault's
// int64 nanoseconds, or is not a duration at all, is refused with the
// message real Vault 1.21.0 gives (checked against `vault server -dev`),
// never stored as 0 or reported negative.
func TestVaultDurationsRefusedAsVault(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	const overflow = "multiplication of durations resulted in overflow, one operand may be too large"
	cases := []struct {
		path string
		data map[string]any
		msg  string
	}{
		{"terraform/role/r", map[string]any{"organization": "o", "ttl": json.Number("1e30")},
			`Field validation failed: error converting input for field "ttl": time: unknown unit "e" in duration "1e30"`},
		{"terraform/role/r", map[string]any{"organization": "o", "ttl": json.Number("9300000000")},
			`Field validation failed: error converting input for field "ttl": ` + overflow},
		{"terraform/role/r", map[string]any{"organization": "o", "max_ttl": "9300000000"},
			`Field validation failed: error converting input for field "max_ttl": ` + overflow},
		{"terraform/role/r", map[string]any{"organization": "o", "ttl": json.Number("-5")},
			`Field validation failed: error converting input for field "ttl": cannot provide negative value '-5'`},
		{"auth/token/create", map[string]any{"ttl": json.Number("1e30")}, `time: unknown unit "e" in duration "1e30"`},
		{"auth/token/create", map[string]any{"ttl": json.Number("9300000000")}, overflow},
		{"auth/token/create", map[string]any{"ttl": "-1h"}, "ttl must be positive"},
		{"sys/mounts/terraform/tune", map[string]any{"default_lease_ttl": "9300000000"}, overflow},
		{"sys/mounts/t2", map[string]any{"type": "terraform", "config": map[string]any{"default_lease_ttl": "9300000000"}},
			"unable to parse default TTL of 9300000000: " + overflow},
		{"sys/mounts/t2", map[string]any{"type": "terraform", "config": map[string]any{"max_lease_ttl": "1e30"}},
			`unable to parse max TTL of 1e30: time: unknown unit "e" in duration "1e30"`},
		{"auth/token/renew-self", map[string]any{"increment": "1e30"},
			`Field validation failed: error converting input for field "increment": time: unknown unit "e" in duration "1e30"`},
	}
	for _, c := range cases {
		_, err := ve.v.Logical().Write(c.path, c.data)
		wantVaultErr(t, err, 400, c.msg)
	}
	if s := ve.read(t, "terraform/role/r"); s != nil {
		t.Fatalf("a refused role was stored: %v", s.Data)
	}
}

// TestVaultLeaseRevokedOnce: explicit revokes racing each other and the
// expiry sweep revoke a lease once, every revoke answers success (a lease
// already gone included, as in Vault), and the TFC token is gone.
func TestVaultLeaseRevokedOnce(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde", "ttl": "60"})
	creds := ve.read(t, "terraform/creds/u")
	tok := creds.Data["token"].(string)
	if err := ve.e.Clock().Advance(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- ve.v.Sys().Revoke(creds.LeaseID)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("revoke: %v", err)
		}
	}
	if ve.tokenWorks(t, tok) {
		t.Fatal("the TFC token outlived its revoked lease")
	}
	if err := ve.v.Sys().Revoke(creds.LeaseID); err != nil {
		t.Fatalf("revoking a lease that is gone: %v", err)
	}
	if _, err := ve.v.Logical().Write("sys/leases/lookup", map[string]any{"lease_id": creds.LeaseID}); err == nil {
		t.Fatal("the lease is still there")
	}
}

// jwksWithTwoKeys serves a JWKS of two RSA keys (kids k1, k2) and signs
// tokens with either, with or without a kid.
func jwksWithTwoKeys(t *testing.T) (url string, sign func(key int, kid string, claims map[string]any) string) {
	t.Helper()
	var keys [2]*rsa.PrivateKey
	set := jwk.NewSet()
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
		pk, err := jwk.FromRaw(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		_ = pk.Set(jwk.KeyIDKey, fmt.Sprintf("k%d", i+1))
		_ = pk.Set(jwk.AlgorithmKey, jwa.RS256)
		_ = set.AddKey(pk)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(set) }))
	t.Cleanup(srv.Close)
	return srv.URL, func(key int, kid string, claims map[string]any) string {
		b, _ := json.Marshal(claims)
		h := jws.NewHeaders()
		if kid != "" {
			_ = h.Set(jws.KeyIDKey, kid)
		}
		out, err := jws.Sign(b, jws.WithKey(jwa.RS256, keys[key], jws.WithProtectedHeaders(h)))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
}

// TestVaultJWTLoginClaimTypesAndKeys: as real Vault 1.21.0 answers
// (checked against `vault server -dev` with the same JWKS): a token with
// no kid is tried against every key of the JWKS; exp, iat or nbf given as
// a string is refused; a null one is absent.
func TestVaultJWTLoginClaimTypesAndKeys(t *testing.T) {
	ve := newVaultEnv(t)
	url, sign := jwksWithTwoKeys(t)
	if err := ve.v.Sys().EnableAuthWithOptions("jwtp", &vault.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatal(err)
	}
	ve.write(t, "auth/jwtp/config", map[string]any{"jwks_url": url})
	ve.write(t, "auth/jwtp/role/r", map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_audiences": "aud1"})
	now := ve.clock.Now().Unix()
	claims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{"sub": "s", "aud": "aud1", "iat": now, "exp": now + 300}
		edit(c)
		return c
	}
	const numericDate = "error validating token: go-jose/go-jose/jwt: expected number value to unmarshal NumericDate"
	cases := []struct {
		name string
		jwt  string
		err  string
	}{
		{"second key, no kid", sign(1, "", claims(func(map[string]any) {})), ""},
		{"first key, no kid", sign(0, "", claims(func(map[string]any) {})), ""},
		{"second key, first kid", sign(1, "k1", claims(func(map[string]any) {})), "error validating token: error verifying token signature: failed to verify id token signature"},
		{"exp string", sign(0, "k1", claims(func(c map[string]any) { c["exp"] = fmt.Sprint(now + 300) })), numericDate},
		{"iat string", sign(0, "k1", claims(func(c map[string]any) { c["iat"] = fmt.Sprint(now) })), numericDate},
		{"nbf string", sign(0, "k1", claims(func(c map[string]any) { c["nbf"] = "soon" })), numericDate},
		{"exp null", sign(0, "k1", claims(func(c map[string]any) { c["exp"] = nil })), ""},
	}
	for _, c := range cases {
		_, err := ve.v.Logical().Write("auth/jwtp/login", map[string]any{"role": "r", "jwt": c.jwt})
		if c.err == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		wantVaultErr(t, err, 400, c.err)
	}
}

// TestVaultSweepOutlivesTheRequest: the expiry sweep a request triggers
// runs with a context of its own, so a client that hung up does not make
// the revocation fail: the expired lease's TFC token is gone.
func TestVaultSweepOutlivesTheRequest(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde", "ttl": "60"})
	creds := ve.read(t, "terraform/creds/u")
	if err := ve.e.Clock().Advance(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/v1/sys/health", nil).WithContext(ctx)
	ve.e.VaultHandler().ServeHTTP(httptest.NewRecorder(), req)
	if ve.tokenWorks(t, creds.Data["token"].(string)) {
		t.Fatal("the expired lease's TFC token still works")
	}
	if _, err := ve.v.Logical().Write("sys/leases/lookup", map[string]any{"lease_id": creds.LeaseID}); err == nil {
		t.Fatal("the expired lease is still there")
	}
}

// TestVaultSystemPathsValidateFields: the system backend and the token
// store read their fields through the paths' schemas, so a field of the
// wrong type is refused as real Vault 1.21.0 refuses it (messages checked
// against `vault server -dev`), and token create decodes its fields as
// Vault does (policies are not split on commas, meta values are
// stringified).
func TestVaultSystemPathsValidateFields(t *testing.T) {
	ve := newVaultEnv(t)
	cases := []struct {
		path string
		data map[string]any
		msg  string
	}{
		{"sys/leases/renew", map[string]any{"lease_id": "x/y", "increment": "abc"},
			`Field validation failed: error converting input for field "increment": time: invalid duration "abc"`},
		{"sys/leases/revoke", map[string]any{"lease_id": "x/y", "sync": "maybe"},
			`Field validation failed: error converting input for field "sync": cannot parse '' as bool: strconv.ParseBool: parsing "maybe": invalid syntax`},
		{"sys/mounts/cubbyhole/tune", map[string]any{"default_lease_ttl": []any{"1h"}},
			`Field validation failed: error converting input for field "default_lease_ttl": '' expected type 'string', got unconvertible type '[]interface {}', value: '[1h]'`},
		{"sys/capabilities-self", map[string]any{"paths": map[string]any{"a": 1}},
			"Field validation failed: error converting input for field \"paths\": 1 error(s) decoding:\n\n* '[0]' expected type 'string', got unconvertible type 'map[string]interface {}', value: 'map[a:1]'"},
		{"sys/policies/acl/zz", map[string]any{"policy": []any{"a"}},
			`Field validation failed: error converting input for field "policy": '' expected type 'string', got unconvertible type '[]interface {}', value: '[a]'`},
		{"sys/mounts/m1", map[string]any{"type": []any{"terraform"}},
			`Field validation failed: error converting input for field "type": '' expected type 'string', got unconvertible type '[]interface {}', value: '[terraform]'`},
		{"sys/mounts/m1", map[string]any{"type": "terraform", "options": "a"},
			`Field validation failed: error converting input for field "options": invalid key pair "a"`},
		{"sys/mounts/m1", map[string]any{"type": "terraform", "config": "x"},
			`Field validation failed: error converting input for field "config": '' expected a map, got 'string'`},
		{"sys/mounts/m1", map[string]any{"type": json.Number("5")}, "plugin not found in the catalog: 5"},
		{"auth/token/create", map[string]any{"num_uses": "x"},
			`Field validation failed: error converting input for field "num_uses": cannot parse '' as int: strconv.ParseInt: parsing "x": invalid syntax`},
	}
	for _, c := range cases {
		_, err := ve.v.Logical().Write(c.path, c.data)
		wantVaultErr(t, err, 400, c.msg)
	}
	s := ve.write(t, "auth/token/create", map[string]any{"policies": "a, b", "meta": map[string]any{"n": 1}})
	if got := s.Auth.Policies; len(got) != 2 || got[0] != "a, b" || got[1] != "default" || s.Auth.Metadata["n"] != "1" {
		t.Fatalf("token = %v %v", got, s.Auth.Metadata)
	}
}

// TestVaultHTTPOnlyPaths: sys/health, sys/seal-status and sys/leader are
// Vault's HTTP-level handlers: health takes GET and HEAD (HEAD answers
// its status alone), the others GET; any other method is a bare 405.
func TestVaultHTTPOnlyPaths(t *testing.T) {
	ve := newVaultEnv(t)
	cases := []struct {
		method, path string
		status       int
		body         string
	}{
		{http.MethodHead, "/v1/sys/health", 200, ""},
		{http.MethodHead, "/v1/sys/seal-status", 405, `{"errors":[]}` + "\n"},
		{http.MethodPost, "/v1/sys/leader", 405, `{"errors":[]}` + "\n"},
		{"LIST", "/v1/sys/health", 405, `{"errors":[]}` + "\n"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(c.method, c.path, nil)
		req.Host = "127.0.0.1:8200" // httptest's example.com is a foreign host
		ve.e.VaultHandler().ServeHTTP(rec, req)
		if rec.Code != c.status || rec.Body.String() != c.body || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s = %d %q %v, want %d %q", c.method, c.path, rec.Code, rec.Body, rec.Header(), c.status, c.body)
		}
	}
}
