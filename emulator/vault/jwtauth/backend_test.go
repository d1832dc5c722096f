package jwtauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tfcemu/tfcemu/emulator/vault/jwtauth"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

type sysView struct{}

func (sysView) DefaultLeaseTTL() time.Duration { return 768 * time.Hour }
func (sysView) MaxLeaseTTL() time.Duration     { return 768 * time.Hour }

// testEnv is the method mounted alone with a JWKS it trusts, one step
// method per path, as the real plugin's tests are written.
type testEnv struct {
	t       *testing.T
	b       logical.Backend
	key     *rsa.PrivateKey
	jwksURL string
	now     time.Time
}

func newTestEnv(t testing.TB) *testEnv {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := jwk.FromRaw(key.Public())
	_ = pub.Set(jwk.KeyIDKey, "k1")
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(set) }))
	t.Cleanup(srv.Close)
	now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	tt, _ := t.(*testing.T) // nil for a fuzz target, which uses only do, Sign and Login
	return &testEnv{t: tt, key: key, jwksURL: srv.URL, now: now,
		b: jwtauth.Factory(logical.Config{Now: func() time.Time { return now }, HTTPClient: http.DefaultClient, System: sysView{}})}
}

func (e *testEnv) do(op logical.Operation, path string, data map[string]any) (*logical.Response, error) {
	return e.b.HandleRequest(context.Background(), &logical.Request{Operation: op, Path: path, MountPoint: "auth/jwt/", Data: data, RemoteAddr: "127.0.0.1:1"})
}

func (e *testEnv) must(op logical.Operation, path string, data map[string]any) *logical.Response {
	e.t.Helper()
	resp, err := e.do(op, path, data)
	if err != nil || resp.IsError() {
		e.t.Fatalf("%s %s: %v %v", op, path, resp, err)
	}
	return resp
}

// Config is the config path.
func (e *testEnv) Config() {
	e.must(logical.UpdateOperation, "config", map[string]any{"jwks_url": e.jwksURL, "bound_issuer": "https://issuer"})
	if c := e.must(logical.ReadOperation, "config", map[string]any{}); c.Data["jwks_url"] != e.jwksURL || c.Data["namespace_in_state"] != true {
		e.t.Fatalf("config = %v", c.Data)
	}
}

// Role is role/:name.
func (e *testEnv) Role(name string, data map[string]any) {
	e.must(logical.UpdateOperation, "role/"+name, data)
}

// ReadRole is role/:name.
func (e *testEnv) ReadRole(name string) map[string]any {
	return e.must(logical.ReadOperation, "role/"+name, map[string]any{}).Data
}

// Sign signs claims with the trusted key.
func (e *testEnv) Sign(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	h := jws.NewHeaders()
	_ = h.Set(jws.KeyIDKey, "k1")
	out, err := jws.Sign(b, jws.WithKey(jwa.RS256, e.key, jws.WithProtectedHeaders(h)))
	if err != nil {
		panic(err) // an RSA key always signs
	}
	return string(out)
}

// Login is login.
func (e *testEnv) Login(role, token string) (*logical.Response, error) {
	return e.do(logical.UpdateOperation, "login", map[string]any{"role": role, "jwt": token})
}

func (e *testEnv) claims() map[string]any {
	return map[string]any{"iss": "https://issuer", "sub": "organization:o:workspace:w", "aud": "vault.workload.identity",
		"iat": e.now.Unix(), "exp": e.now.Add(5 * time.Minute).Unix(), "terraform_workspace_name": "w"}
}

func TestLogin(t *testing.T) {
	e := newTestEnv(t)
	e.Config()
	e.Role("TFC", map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_audiences": "vault.workload.identity",
		"bound_claims": map[string]any{"sub": "organization:o:*"}, "bound_claims_type": "glob",
		"claim_mappings": map[string]any{"terraform_workspace_name": "workspace"}, "token_policies": "p", "token_ttl": "20m"})
	resp, err := e.Login("tfc", e.Sign(e.claims()))
	if err != nil || resp.IsError() || resp.Auth == nil {
		t.Fatalf("login = %v %v", resp, err)
	}
	a := resp.Auth
	if a.DisplayName != "organization:o:workspace:w" || !reflect.DeepEqual(a.Policies, []string{"p"}) || a.TTL != 20*time.Minute ||
		a.Metadata["workspace"] != "w" || a.Metadata["role"] != "tfc" {
		t.Fatalf("auth = %+v", a)
	}
	c := e.claims()
	c["sub"] = "organization:other:workspace:w"
	if resp, _ := e.Login("tfc", e.Sign(c)); !resp.IsError() || resp.Error() != `error validating claims: claim "sub" does not match any associated bound claim values` {
		t.Fatalf("unbound sub: %v", resp)
	}
	c = e.claims()
	c["exp"] = "later"
	if resp, _ := e.Login("tfc", e.Sign(c)); !resp.IsError() || resp.Error() != "error validating token: go-jose/go-jose/jwt: expected number value to unmarshal NumericDate" {
		t.Fatalf("string exp: %v", resp)
	}
	if resp, _ := e.Login("nope", e.Sign(e.claims())); !resp.IsError() || resp.Error() != `role "nope" could not be found` {
		t.Fatalf("unknown role: %v", resp)
	}
}

// TestRoleTokenFieldPrecedence: tokenutil gives the token_ names
// precedence over the deprecated ones, every time (no map-order chance).
func TestRoleTokenFieldPrecedence(t *testing.T) {
	e := newTestEnv(t)
	for i := 0; i < 25; i++ {
		e.Role("r", map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_subject": "s",
			"ttl": "1h", "token_ttl": "2h", "policies": "old", "token_policies": "new", "max_ttl": "5h", "token_max_ttl": "3h"})
		r := e.ReadRole("r")
		if r["token_ttl"] != 7200 || r["ttl"] != 7200 || r["token_max_ttl"] != 10800 ||
			!reflect.DeepEqual(r["token_policies"], []string{"new"}) || !reflect.DeepEqual(r["policies"], []string{"new"}) {
			t.Fatalf("role = %v", r)
		}
	}
	e.Role("old", map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_subject": "s", "ttl": "1h"})
	if r := e.ReadRole("old"); r["token_ttl"] != 3600 || r["ttl"] != 3600 {
		t.Fatalf("deprecated name alone: %v", r)
	}
	if keys := e.must(logical.ListOperation, "role/", map[string]any{}).Data["keys"].([]any); len(keys) != 2 {
		t.Fatalf("roles = %v", keys)
	}
	e.must(logical.DeleteOperation, "role/old", map[string]any{})
	if resp, _ := e.do(logical.ReadOperation, "role/old", map[string]any{}); resp != nil {
		t.Fatalf("deleted role = %v", resp)
	}
}

// FuzzLogin: whatever the token, login answers (an auth, an error
// response or an error) and never panics.
func FuzzLogin(f *testing.F) {
	e := newTestEnv(f)
	if resp, err := e.do(logical.UpdateOperation, "config", map[string]any{"jwks_url": e.jwksURL}); err != nil || resp != nil {
		f.Fatal(resp, err)
	}
	if resp, err := e.do(logical.UpdateOperation, "role/r", map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_subject": "s"}); err != nil || resp != nil {
		f.Fatal(resp, err)
	}
	f.Add(e.Sign(map[string]any{"sub": "s", "exp": e.now.Add(time.Minute).Unix()}))
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzIn0.")
	f.Add(e.Sign(map[string]any{"sub": []any{1}, "exp": "x", "aud": map[string]any{}}))
	f.Fuzz(func(t *testing.T, token string) {
		resp, err := e.Login("r", token)
		if err == nil && resp == nil {
			t.Fatal("no answer")
		}
	})
}
