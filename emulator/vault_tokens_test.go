package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/tfcemu/tfcemu/emulator/admin"
)

// client returns a vault/api client using token.
func (ve *vaultEnv) client(t *testing.T, token string) *vault.Client {
	t.Helper()
	c, err := vault.NewClient(&vault.Config{Address: ve.e.Info().VaultURL, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(token)
	return c
}

// raw sends a request with token and returns the status and the decoded
// body.
func (ve *vaultEnv) raw(t *testing.T, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, ve.e.Info().VaultURL+"/v1/"+path, strings.NewReader(body))
	req.Header.Set("X-Vault-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode, out
}

var (
	serviceTokenRE = regexp.MustCompile(`^hvs\.CAESI[A-Za-z0-9_-]{86}$`)
	rootTokenRE    = regexp.MustCompile(`^hvs\.[A-Za-z0-9]{24}$`)
)

// TestVaultChildTokenAsTheVaultProviderMakesIt is the vault provider's
// first request: a child of the configured token with a TTL, an explicit
// max TTL and renewable false.
func TestVaultChildTokenAsTheVaultProviderMakesIt(t *testing.T) {
	ve := newVaultEnv(t)
	renewable := false
	s, err := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{DisplayName: "terraform", TTL: "1200s", ExplicitMaxTTL: "1200s", Renewable: &renewable})
	if err != nil {
		t.Fatal(err)
	}
	a := s.Auth
	// A root token is not a server-side consistent token: "hvs." and 24
	// random characters, as Vault 1.21.0 makes it.
	if !rootTokenRE.MatchString(a.ClientToken) || len(a.Accessor) != 24 || strings.Join(a.Policies, ",") != "root" ||
		strings.Join(a.TokenPolicies, ",") != "root" || a.LeaseDuration != 1200 || a.Renewable || a.Orphan || a.EntityID != "" {
		t.Fatalf("auth = %+v", a)
	}
	child := ve.client(t, a.ClientToken)
	look, err := child.Auth().Token().LookupSelf()
	if err != nil {
		t.Fatal(err)
	}
	d := look.Data
	if d["display_name"] != "token-terraform" || d["path"] != "auth/token/create" || d["orphan"] != false || d["renewable"] != false ||
		d["explicit_max_ttl"] != json.Number("1200") || d["creation_ttl"] != json.Number("1200") || d["ttl"] != json.Number("1200") || d["meta"] != nil {
		t.Fatalf("lookup-self = %v", d)
	}
	// Not renewable: Vault's lease error.
	_, err = child.Auth().Token().RenewSelf(0)
	wantVaultErr(t, err, 400, "lease is not renewable")
	// The child is a root token: it can do what root does, for 20 minutes.
	if _, err := child.Sys().ListMounts(); err != nil {
		t.Fatal(err)
	}
	_ = ve.clock.Advance(1200 * time.Second)
	_, err = child.Sys().ListMounts()
	wantVaultErr(t, err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")
}

func TestVaultTokenCreateEnvelopeAndFields(t *testing.T) {
	ve := newVaultEnv(t)
	ve.write(t, "sys/policies/acl/reader", map[string]any{"policy": `path "terraform/*" { capabilities = ["read"] }`})
	status, body := ve.raw(t, "root", "POST", "auth/token/create",
		`{"policies":["reader"],"ttl":"1h","meta":{"team":"infra"},"num_uses":0,"display_name":"ci job!","period":"","no_default_policy":false}`)
	if status != 200 {
		t.Fatalf("status %d %v", status, body)
	}
	auth := body["auth"].(map[string]any)
	if body["mount_type"] != "token" || body["data"] != nil || body["lease_duration"] != float64(0) || body["renewable"] != false || body["warnings"] != nil {
		t.Fatalf("envelope = %v", body)
	}
	keys := []string{"client_token", "accessor", "policies", "token_policies", "metadata", "lease_duration", "renewable", "entity_id", "token_type", "orphan", "mfa_requirement", "num_uses"}
	if len(auth) != len(keys) {
		t.Fatalf("auth keys = %v", auth)
	}
	for _, k := range keys {
		if _, ok := auth[k]; !ok {
			t.Fatalf("auth has no %q: %v", k, auth)
		}
	}
	if auth["lease_duration"] != float64(3600) || auth["renewable"] != true || auth["metadata"].(map[string]any)["team"] != "infra" {
		t.Fatalf("auth = %v", auth)
	}
	// From root, a token with named policies gets default too.
	if p := auth["policies"].([]any); len(p) != 2 || p[0] != "default" || p[1] != "reader" {
		t.Fatalf("policies = %v", p)
	}
	tok := auth["client_token"].(string)
	look, err := ve.v.Auth().Token().Lookup(tok)
	if err != nil || look.Data["display_name"] != "token-ci-job" || look.Data["meta"].(map[string]any)["team"] != "infra" {
		t.Fatalf("lookup = %v %v", look, err)
	}
	// A policy that does not exist is a warning, not an error.
	s, err := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"nope"}})
	if err != nil || len(s.Warnings) != 1 || s.Warnings[0] != `Policy "nope" does not exist` {
		t.Fatalf("create = %+v %v", s, err)
	}
	// Orphans: create-orphan, and no_parent from root.
	o, err := ve.v.Auth().Token().CreateOrphan(&vault.TokenCreateRequest{Policies: []string{"reader"}})
	if err != nil || !o.Auth.Orphan {
		t.Fatalf("orphan = %+v %v", o, err)
	}
	o2, err := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{NoParent: true, Policies: []string{"reader"}, NoDefaultPolicy: true})
	if err != nil || !o2.Auth.Orphan || strings.Join(o2.Auth.Policies, ",") != "reader" {
		t.Fatalf("no_parent = %+v %v", o2, err)
	}
}

func TestVaultTokenCreateErrors(t *testing.T) {
	ve := newVaultEnv(t)
	ve.write(t, "sys/policies/acl/creator", map[string]any{"policy": `path "auth/token/create" { capabilities = ["update"] }`})
	parent, err := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"creator"}})
	if err != nil {
		t.Fatal(err)
	}
	pc := ve.client(t, parent.Auth.ClientToken)
	limited, err := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"creator"}, NumUses: 5})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		c    *vault.Client
		req  *vault.TokenCreateRequest
		msg  string
	}{
		{"escalation", pc, &vault.TokenCreateRequest{Policies: []string{"admin"}}, "child policies must be subset of parent"},
		{"orphan without sudo", pc, &vault.TokenCreateRequest{NoParent: true}, "root or sudo privileges required to create orphan token"},
		{"period without sudo", pc, &vault.TokenCreateRequest{Period: "1h"}, "root or sudo privileges required to create periodic token"},
		{"custom id without sudo", pc, &vault.TokenCreateRequest{ID: "mine"}, "root or sudo privileges required to specify token id"},
		{"custom id with prefix", ve.v, &vault.TokenCreateRequest{ID: "hvs.mine"}, "custom token ID cannot have the 'hvs.' prefix"},
		{"root from non-root", pc, &vault.TokenCreateRequest{Policies: []string{"root"}}, "child policies must be subset of parent"},
		{"bad ttl", ve.v, &vault.TokenCreateRequest{TTL: "soon"}, `time: invalid duration "soon"`},
		{"negative ttl", ve.v, &vault.TokenCreateRequest{TTL: "-5s"}, "ttl must be positive"},
		{"negative uses", ve.v, &vault.TokenCreateRequest{NumUses: -1}, "number of uses cannot be negative"},
		{"restricted parent", ve.client(t, limited.Auth.ClientToken), &vault.TokenCreateRequest{}, "restricted use token cannot generate child tokens"},
		{"internal policy", ve.v, &vault.TokenCreateRequest{Policies: []string{"response-wrapping"}}, `cannot assign policy "response-wrapping"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Auth().Token().Create(tc.req)
			wantVaultErr(t, err, 400, tc.msg)
		})
	}
	// Without the creator policy a token cannot create children at all.
	plain, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"default"}})
	_, err = ve.client(t, plain.Auth.ClientToken).Auth().Token().Create(&vault.TokenCreateRequest{})
	wantVaultErr(t, err, 403, "1 error occurred:\n\t* permission denied\n\n")
	// A custom id from root works, with Vault's warning.
	s, err := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{ID: "my-custom-token"})
	if err != nil || s.Auth.ClientToken != "my-custom-token" || len(s.Warnings) != 1 {
		t.Fatalf("custom id = %+v %v", s, err)
	}
}

// TestVaultTokenTreeRevocation: a child is revoked with its parent, an
// orphan survives, revoke-orphan keeps the children.
func TestVaultTokenTreeRevocation(t *testing.T) {
	ve := newVaultEnv(t)
	ve.write(t, "sys/policies/acl/creator", map[string]any{"policy": `path "auth/token/create" { capabilities = ["update"] }`})
	parent, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"creator"}})
	pc := ve.client(t, parent.Auth.ClientToken)
	child, err := pc.Auth().Token().Create(&vault.TokenCreateRequest{})
	if err != nil || strings.Join(child.Auth.Policies, ",") != "creator,default" {
		t.Fatalf("child = %+v %v", child, err)
	}
	grandchild, err := ve.client(t, child.Auth.ClientToken).Auth().Token().Create(&vault.TokenCreateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	orphan, _ := ve.v.Auth().Token().CreateOrphan(&vault.TokenCreateRequest{Policies: []string{"default"}})
	if err := ve.v.Auth().Token().RevokeTree(parent.Auth.ClientToken); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{parent.Auth.ClientToken, child.Auth.ClientToken, grandchild.Auth.ClientToken} {
		_, err := ve.v.Auth().Token().Lookup(tok)
		wantVaultErr(t, err, 403, "bad token")
	}
	if _, err := ve.v.Auth().Token().Lookup(orphan.Auth.ClientToken); err != nil {
		t.Fatal(err)
	}
	// revoke-orphan: the child lives on as an orphan.
	p2, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"creator"}})
	c2, _ := ve.client(t, p2.Auth.ClientToken).Auth().Token().Create(&vault.TokenCreateRequest{})
	if err := ve.v.Auth().Token().RevokeOrphan(p2.Auth.ClientToken); err != nil {
		t.Fatal(err)
	}
	look, err := ve.v.Auth().Token().Lookup(c2.Auth.ClientToken)
	if err != nil || look.Data["orphan"] != true {
		t.Fatalf("orphaned child = %v %v", look, err)
	}
	// The parent's TTL ends the children with it on the virtual clock.
	p3, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"creator"}, TTL: "10m"})
	c3, _ := ve.client(t, p3.Auth.ClientToken).Auth().Token().Create(&vault.TokenCreateRequest{TTL: "1h"})
	_ = ve.clock.Advance(10 * time.Minute)
	_, err = ve.v.Auth().Token().Lookup(c3.Auth.ClientToken)
	wantVaultErr(t, err, 403, "bad token")
	// revoke-self, and revoking an unknown token is a quiet 204.
	if err := ve.client(t, orphan.Auth.ClientToken).Auth().Token().RevokeSelf(""); err != nil {
		t.Fatal(err)
	}
	if err := ve.v.Auth().Token().RevokeTree("hvs.nothing"); err != nil {
		t.Fatal(err)
	}
	_, err = ve.v.Logical().Write("auth/token/revoke", map[string]any{})
	wantVaultErr(t, err, 400, "missing token ID")
}

func TestVaultTokenRenewAndAccessors(t *testing.T) {
	ve := newVaultEnv(t)
	s, err := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"default"}, TTL: "1h", ExplicitMaxTTL: "90m"})
	if err != nil {
		t.Fatal(err)
	}
	tok, acc := s.Auth.ClientToken, s.Auth.Accessor
	_ = ve.clock.Advance(30 * time.Minute)
	r, err := ve.client(t, tok).Auth().Token().RenewSelf(0)
	if err != nil || r.Auth.LeaseDuration != 3600 || r.Auth.ClientToken != tok || !r.Auth.Renewable {
		t.Fatalf("renew-self = %+v %v", r, err)
	}
	// Past the explicit max: capped, with Vault's warning.
	_ = ve.clock.Advance(30 * time.Minute)
	r, err = ve.v.Auth().Token().Renew(tok, 7200)
	if err != nil || r.Auth.LeaseDuration != 1800 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], `exceeded the effective max_ttl of "30m"`) {
		t.Fatalf("renew = %+v %v", r, err)
	}
	look, err := ve.v.Auth().Token().LookupAccessor(acc)
	if err != nil || look.Data["id"] != "" || look.Data["accessor"] != acc || look.Data["last_renewal_time"] == nil {
		t.Fatalf("lookup-accessor = %v %v", look, err)
	}
	ra, err := ve.v.Auth().Token().RenewAccessor(acc, 60)
	if err != nil || ra.Auth.ClientToken != "" || ra.Auth.LeaseDuration != 60 {
		t.Fatalf("renew-accessor = %+v %v", ra, err)
	}
	list, err := ve.v.Logical().List("auth/token/accessors")
	if err != nil || len(list.Data["keys"].([]any)) != 2 {
		t.Fatalf("accessors = %v %v", list, err)
	}
	if err := ve.v.Auth().Token().RevokeAccessor(acc); err != nil {
		t.Fatal(err)
	}
	_, err = ve.v.Auth().Token().LookupAccessor(acc)
	wantVaultErr(t, err, 400, "invalid accessor")
	// The dev root token's lease never expires and is not renewable.
	_, err = ve.v.Auth().Token().RenewSelf(0)
	wantVaultErr(t, err, 400, "lease is not renewable")
	_, err = ve.v.Auth().Token().Renew("hvs.nothing", 0)
	wantVaultErr(t, err, 400, "token not found")
	status, body := ve.raw(t, "root", "POST", "auth/token/revoke-accessor", `{"accessor":"nope"}`)
	if status != 200 || body["warnings"].([]any)[0] != "No token found with this accessor" {
		t.Fatalf("revoke-accessor unknown = %d %v", status, body)
	}
	// The dev root token was made by auth/token/create: its lease shows
	// an issue time, is not renewable and never expires.
	root, _ := ve.v.Auth().Token().LookupSelf()
	if _, ok := root.Data["issue_time"]; !ok || root.Data["renewable"] != false || root.Data["path"] != "auth/token/create" ||
		root.Data["display_name"] != "token" || root.Data["expire_time"] != nil {
		t.Fatalf("root lookup-self = %v", root.Data)
	}
}

// TestVaultTokenNumUses: the last use revokes the token.
func TestVaultTokenNumUses(t *testing.T) {
	ve := newVaultEnv(t)
	s, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"default"}, NumUses: 2})
	c := ve.client(t, s.Auth.ClientToken)
	look, err := c.Auth().Token().LookupSelf()
	if err != nil || look.Data["num_uses"] != json.Number("1") {
		t.Fatalf("first use = %v %v", look, err)
	}
	// The last use shows -1 (Vault's revocation pending), as a real Vault
	// 1.21 does.
	last, err := c.Auth().Token().LookupSelf()
	if err != nil || last.Data["num_uses"] != json.Number("-1") {
		t.Fatalf("last use = %v %v", last, err)
	}
	_, err = c.Auth().Token().LookupSelf()
	wantVaultErr(t, err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")
	// A token on its last use cannot create a child: the token store
	// does not find a parent pending revocation, as in Vault. (The default
	// policy would not reach auth/token/create: root's does.)
	one, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"root"}, NumUses: 1})
	_, err = ve.client(t, one.Auth.ClientToken).Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"default"}})
	wantVaultErr(t, err, 400, "parent token lookup failed: no parent found")
}

// TestVaultTokenRevocationRevokesItsLeases: creds read with a token are
// revoked in TFC when the token is.
func TestVaultTokenRevocationRevokesItsLeases(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde"})
	child, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{TTL: "20m"})
	creds, err := ve.client(t, child.Auth.ClientToken).Logical().Read("terraform/creds/u")
	if err != nil {
		t.Fatal(err)
	}
	if !ve.tokenWorks(t, creds.Data["token"].(string)) {
		t.Fatal("fresh token refused")
	}
	_ = ve.clock.Advance(20 * time.Minute)
	if _, err := ve.v.Sys().Health(); err != nil { // any request sweeps
		t.Fatal(err)
	}
	if ve.tokenWorks(t, creds.Data["token"].(string)) {
		t.Fatal("the creds outlived the token that read them")
	}
}

// TestVaultJWTLoginTokenRenewsThroughItsRole: renew-self asks the jwt
// method, which applies the role's TTL as it is now and refuses once the
// role is gone.
func TestVaultJWTLoginTokenRenewsThroughItsRole(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpVaultJWT(t, "my-workspace")
	jwt := mintToken(t, ve.e.Info().TFCURL, admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "vault.workload.identity"})
	login := ve.write(t, "auth/jwt/login", map[string]any{"role": "tfc", "jwt": jwt})
	c := ve.client(t, login.Auth.ClientToken)
	ve.write(t, "auth/jwt/role/tfc", map[string]any{"role_type": "jwt", "bound_audiences": "vault.workload.identity",
		"user_claim": "terraform_full_workspace", "token_policies": "tfc-policy", "token_ttl": "5m"})
	r, err := c.Auth().Token().RenewSelf(0)
	if err != nil || r.Auth.LeaseDuration != 300 {
		t.Fatalf("renew after the role's ttl changed = %+v %v", r, err)
	}
	if _, err := ve.v.Logical().Delete("auth/jwt/role/tfc"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Auth().Token().RenewSelf(0)
	wantVaultErr(t, err, 500, "1 error occurred:\n\t* failed to renew entry: role tfc does not exist during renewal\n\n")
}

// TestVaultLimitedUseTokenUnderConcurrency: requests sent at the same time
// (64) with a token of 3 uses get 3 answers and the rest Vault's invalid token,
// never more uses than the token has.
func TestVaultLimitedUseTokenUnderConcurrency(t *testing.T) {
	ve := newVaultEnv(t)
	s, err := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"default"}, NumUses: 3})
	if err != nil {
		t.Fatal(err)
	}
	c := ve.client(t, s.Auth.ClientToken)
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := c.Auth().Token().LookupSelf(); err == nil {
				ok.Add(1)
			} else if strings.Contains(err.Error(), "invalid token") {
				refused.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok.Load() != 3 || refused.Load() != 61 {
		t.Fatalf("%d answered, %d refused with invalid token; want 3 and 61", ok.Load(), refused.Load())
	}
}
