package emulator_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"
	vault "github.com/hashicorp/vault/api"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/clock"
)

// vaultEnv is a running emulator with a vault/api client (root token) and
// a go-tfe client (owner token).
type vaultEnv struct {
	e     *emulator.Emulator
	v     *vault.Client
	tfe   *tfe.Client
	clock *clock.Clock
}

func newVaultEnv(t *testing.T) *vaultEnv {
	t.Helper()
	clk := clock.NewAt(time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC))
	e := startEmulator(t, emulator.Config{Clock: clk, RateLimit: -1})
	info := e.Info()
	vc, err := vault.NewClient(&vault.Config{Address: info.VaultURL, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	vc.SetToken(info.VaultToken)
	tc, err := tfe.NewClient(&tfe.Config{Address: info.TFCURL, Token: info.OwnerToken})
	if err != nil {
		t.Fatal(err)
	}
	return &vaultEnv{e: e, v: vc, tfe: tc, clock: clk}
}

func (ve *vaultEnv) write(t *testing.T, path string, data map[string]any) *vault.Secret {
	t.Helper()
	s, err := ve.v.Logical().Write(path, data)
	if err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return s
}

func (ve *vaultEnv) read(t *testing.T, path string) *vault.Secret {
	t.Helper()
	s, err := ve.v.Logical().Read(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return s
}

// tokenWorks reports whether a TFC token is accepted by the TFC API.
func (ve *vaultEnv) tokenWorks(t *testing.T, token string) bool {
	t.Helper()
	c, err := tfe.NewClient(&tfe.Config{Address: ve.e.Info().TFCURL, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Users.ReadCurrent(context.Background())
	return err == nil
}

// setUpEngine runs the product document's first two commands: enable the
// engine and configure it with the document's token (seeded for this).
func (ve *vaultEnv) setUpEngine(t *testing.T) {
	t.Helper()
	if err := ve.v.Sys().Mount("terraform/", &vault.MountInput{Type: "terraform"}); err != nil {
		t.Fatal(err)
	}
	ve.write(t, "terraform/config", map[string]any{"token": "Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"})
}

// rawErr sends a request with the root token and returns its error.
func (ve *vaultEnv) rawErr(method, path string) error {
	resp, err := ve.v.RawRequest(ve.v.NewRequest(method, "/v1/"+path))
	if resp != nil {
		resp.Body.Close()
	}
	return err
}

func wantVaultErr(t *testing.T, err error, code int, msg string) {
	t.Helper()
	re, ok := err.(*vault.ResponseError)
	if !ok {
		t.Fatalf("err = %v (%T), want a %d response error", err, err, code)
	}
	if re.StatusCode != code || len(re.Errors) != 1 || re.Errors[0] != msg {
		t.Fatalf("got %d %q, want %d %q", re.StatusCode, re.Errors, code, msg)
	}
}

func TestVaultProductDocumentUserRole(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	cfg := ve.read(t, "terraform/config")
	if cfg.Data["address"] != "https://app.terraform.io" || cfg.Data["base_path"] != "/api/v2/" || cfg.Data["token"] != nil {
		t.Fatalf("config read = %v", cfg.Data)
	}
	ve.write(t, "terraform/role/my-role", map[string]any{"user_id": "user-12345abcde"})
	role := ve.read(t, "terraform/role/my-role")
	if role.Data["credential_type"] != "user" || role.Data["user_id"] != "user-12345abcde" {
		t.Fatalf("role = %v", role.Data)
	}
	creds := ve.read(t, "terraform/creds/my-role")
	if !strings.HasPrefix(creds.LeaseID, "terraform/creds/my-role/") || len(strings.TrimPrefix(creds.LeaseID, "terraform/creds/my-role/")) != 24 ||
		!creds.Renewable || creds.LeaseDuration != 2764800 {
		t.Fatalf("lease = %q renewable %v duration %d", creds.LeaseID, creds.Renewable, creds.LeaseDuration)
	}
	tok := creds.Data["token"].(string)
	if !ve.tokenWorks(t, tok) || !strings.HasPrefix(creds.Data["token_id"].(string), "at-") {
		t.Fatalf("creds = %v", creds.Data)
	}
	// A second read makes a second token.
	again := ve.read(t, "terraform/creds/my-role")
	if again.Data["token"] == tok {
		t.Fatal("user role returned the same token twice")
	}
	if err := ve.v.Sys().Revoke(creds.LeaseID); err != nil {
		t.Fatal(err)
	}
	if ve.tokenWorks(t, tok) {
		t.Fatal("token still works in TFC after its lease was revoked")
	}
	if !ve.tokenWorks(t, again.Data["token"].(string)) {
		t.Fatal("revoking one lease revoked the other")
	}
}

func TestVaultOrganizationRoleReusesItsTokenUntilRotation(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/testing", map[string]any{"organization": "hashicorp-vault-testing"})
	first := ve.read(t, "terraform/creds/testing")
	if first.LeaseID != "" || first.Renewable || first.LeaseDuration != 0 || first.Data["organization"] != "hashicorp-vault-testing" ||
		first.Data["role"] != "testing" || first.Data["team_id"] != "" {
		t.Fatalf("org creds = %+v %v", first, first.Data)
	}
	// Many parallel reads: one token, one in TFC.
	var wg sync.WaitGroup
	tokens := make([]string, 32)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := ve.v.Logical().Read("terraform/creds/testing")
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = s.Data["token"].(string)
		}()
	}
	wg.Wait()
	for _, tk := range tokens {
		if tk != first.Data["token"] {
			t.Fatalf("parallel reads returned different tokens")
		}
	}
	inTFC, err := ve.tfe.OrganizationTokens.Read(context.Background(), "hashicorp-vault-testing")
	if err != nil || inTFC.ID != first.Data["token_id"] {
		t.Fatalf("TFC org token %v %v, want %v", inTFC, err, first.Data["token_id"])
	}
	ve.write(t, "terraform/rotate-role/testing", nil)
	rotated := ve.read(t, "terraform/creds/testing")
	if rotated.Data["token"] == first.Data["token"] || rotated.Data["token_id"] != first.Data["token_id"] {
		t.Fatalf("after rotation: token changed %v, token_id kept (stale, as the real engine) %v", rotated.Data["token"] != first.Data["token"], rotated.Data["token_id"])
	}
	if ve.tokenWorks(t, first.Data["token"].(string)) || !ve.tokenWorks(t, rotated.Data["token"].(string)) {
		t.Fatal("rotation must revoke the old organization token and keep the new")
	}
}

func TestVaultTeamTokenLeaseExpiresOnTheVirtualClock(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/multi", map[string]any{"team_id": "team-tfcemuDevsMyorg1", "credential_type": "team", "description": "acc-test", "ttl": "1m", "max_ttl": "5m"})
	creds := ve.read(t, "terraform/creds/multi")
	if creds.LeaseDuration != 60 || !strings.HasPrefix(creds.Data["description"].(string), "acc-test(") || creds.Data["expired_at"] == nil {
		t.Fatalf("team creds = %+v %v", creds, creds.Data)
	}
	tok := creds.Data["token"].(string)
	renewed, err := ve.v.Sys().Renew(creds.LeaseID, 0)
	if err != nil || renewed.LeaseDuration != 60 {
		t.Fatalf("renew: %+v %v", renewed, err)
	}
	_ = ve.clock.Advance(59 * time.Second)
	if !ve.tokenWorks(t, tok) {
		t.Fatal("token refused before its lease expired")
	}
	_ = ve.clock.Advance(time.Second)
	if ve.tokenWorks(t, tok) {
		t.Fatal("token still works in TFC after its lease expired on the virtual clock")
	}
	_, err = ve.v.Sys().Lookup(creds.LeaseID)
	wantVaultErr(t, err, 400, "invalid lease")
}

func TestVaultEngineErrors(t *testing.T) {
	ve := newVaultEnv(t)
	if err := ve.v.Sys().Mount("terraform/", &vault.MountInput{Type: "terraform"}); err != nil {
		t.Fatal(err)
	}
	// Roles whose tokens are made at write time need a config.
	_, err := ve.v.Logical().Write("terraform/role/org", map[string]any{"organization": "my-org"})
	wantVaultErr(t, err, 500, "1 error occurred:\n\t* missing API token\n\n")
	ve.write(t, "terraform/config", map[string]any{"token": ve.e.Info().OwnerToken})
	cases := []struct {
		path string
		data map[string]any
		code int
		msg  string
	}{
		{"terraform/role/x", map[string]any{"organization": "o", "credential_type": "org"}, 400, "unrecognized credential type: org"},
		{"terraform/role/x", map[string]any{"user_id": "user-1", "team_id": "team-1"}, 400, "cannot provide a user_id in combination with organization or team_id"},
		{"terraform/role/x", map[string]any{"description": "d"}, 400, "must provide an organization name, team id, or user id"},
		{"terraform/role/x", map[string]any{"team_id": "team-tfcemuDevsMyorg1", "ttl": 3600, "max_ttl": 120}, 400, "ttl cannot be greater than max_ttl"},
		{"terraform/role/x", map[string]any{"team_id": "team-tfcemuDevsMyorg1", "ttl": 60}, 400, "cannot provide description, ttl, or max_ttl with credential_type = team_legacy, try credential_type = team."},
		{"terraform/role/x", map[string]any{"user_id": "user-1", "ttl": "abc"}, 400, `Field validation failed: error converting input for field "ttl": time: invalid duration "abc"`},
		{"terraform/role/x", map[string]any{"organization": "no-such-org"}, 500, "1 error occurred:\n\t* error creating Terraform token: resource not found\n\n"},
		{"terraform/rotate-role/nope", nil, 400, "missing role entry"},
	}
	for _, tc := range cases {
		_, err := ve.v.Logical().Write(tc.path, tc.data)
		wantVaultErr(t, err, tc.code, tc.msg)
	}
	// Nothing was stored by the refused writes.
	_, err = ve.v.Logical().List("terraform/role")
	if s, _ := ve.v.Logical().List("terraform/role"); s != nil || err != nil {
		t.Fatalf("roles after refused writes: %v %v", s, err)
	}
	// The api client turns a 404 into (nil, nil); RawRequest shows it.
	wantVaultErr(t, ve.rawErr("PUT", "terraform/nope"), 404, "1 error occurred:\n\t* unsupported path\n\n")
	_, err = ve.v.Logical().Read("terraform/creds/nope")
	wantVaultErr(t, err, 500, "1 error occurred:\n\t* error retrieving role: role is nil\n\n")
	_, err = ve.v.Logical().Delete("terraform/creds/nope")
	wantVaultErr(t, err, 405, "1 error occurred:\n\t* unsupported operation\n\n")
	err = ve.rawErr("GET", "nomount/x")
	wantVaultErr(t, err, 404, `no handler for route "nomount/x". route entry not found.`)
	ve.write(t, "terraform/role/user", map[string]any{"user_id": "user-12345abcde"})
	_, err = ve.v.Logical().Write("terraform/rotate-role/user", nil)
	wantVaultErr(t, err, 400, "cannot rotate credentials for user roles")
	// Tokens: missing, unknown.
	anon, _ := vault.NewClient(&vault.Config{Address: ve.e.Info().VaultURL, MaxRetries: 0})
	anon.ClearToken()
	_, err = anon.Logical().Read("terraform/role/user")
	wantVaultErr(t, err, 403, "permission denied")
	anon.SetToken("hvs.unknown")
	_, err = anon.Logical().Read("terraform/role/user")
	wantVaultErr(t, err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")
	err = ve.v.Sys().Mount("terraform/", &vault.MountInput{Type: "terraform"})
	wantVaultErr(t, err, 400, "path is already in use at terraform/")
}

func TestVaultEnvelopeBytes(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/r1", map[string]any{"organization": "my-org"})
	req, _ := http.NewRequest("GET", ve.e.Info().VaultURL+"/v1/terraform/role/r1", nil)
	req.Header.Set("X-Vault-Token", "root")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 1024)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	body := b.String()
	wantPrefix := `{"request_id":"`
	wantSuffix := `","lease_id":"","renewable":false,"lease_duration":0,"data":{"max_ttl":0,"name":"r1","organization":"my-org","ttl":0},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"terraform"}` + "\n"
	if !strings.HasPrefix(body, wantPrefix) || !strings.HasSuffix(body, wantSuffix) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("body %q", body)
	}
}

func TestVaultJWTLoginWithTheEmulatorsTokens(t *testing.T) {
	ve := newVaultEnv(t)
	issuer := ve.e.Info().Issuer
	if err := ve.v.Sys().EnableAuthWithOptions("jwt", &vault.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatal(err)
	}
	ve.write(t, "auth/jwt/config", map[string]any{"oidc_discovery_url": issuer, "bound_issuer": issuer})
	ve.write(t, "auth/jwt/role/tfc", map[string]any{
		"role_type": "jwt", "bound_audiences": "vault.workload.identity", "user_claim": "terraform_full_workspace",
		"bound_claims_type": "glob", "bound_claims": map[string]any{"sub": "organization:my-org:project:*:workspace:my-workspace:run_phase:*"},
		"claim_mappings": map[string]any{"terraform_run_phase": "phase"}, "token_policies": "tfc-policy", "token_ttl": "20m",
	})
	mint := func(aud string) string {
		return mintToken(t, ve.e.Info().TFCURL, admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: aud})
	}
	login := func(jwt string) (*vault.Secret, error) {
		return ve.v.Logical().Write("auth/jwt/login", map[string]any{"role": "tfc", "jwt": jwt})
	}
	s, err := login(mint("vault.workload.identity"))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Auth
	if !strings.HasPrefix(a.ClientToken, "hvs.") || strings.Join(a.Policies, ",") != "default,tfc-policy" || a.LeaseDuration != 1200 ||
		!a.Renewable || a.Metadata["role"] != "tfc" || a.Metadata["phase"] != "plan" {
		t.Fatalf("auth = %+v", a)
	}
	// The new token works on its own paths and expires on the virtual clock.
	vt, _ := vault.NewClient(&vault.Config{Address: ve.e.Info().VaultURL, MaxRetries: 0})
	vt.SetToken(a.ClientToken)
	if _, err := vt.Auth().Token().LookupSelf(); err != nil {
		t.Fatal(err)
	}

	_, err = login(mint("aws.workload.identity"))
	wantVaultErr(t, err, 400, "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience")
	// go-oidc's RemoteKeySet parses with go-jose v4, whose errors carry no
	// "go-jose/go-jose:" prefix (checked against Vault 1.21.0).
	_, err = login(forgeNone(mint("vault.workload.identity")))
	wantVaultErr(t, err, 400, `error validating token: error verifying token signature: oidc: malformed jwt: unexpected signature algorithm "none"; expected ["RS256" "RS384" "RS512" "ES256" "ES384" "ES512" "PS256" "PS384" "PS512" "EdDSA"]`)
	_, err = login("not.a.jwt")
	wantVaultErr(t, err, 400, "error validating token: error verifying token signature: oidc: malformed jwt: illegal base64 data at input byte 0")
	_, err = login("abc")
	wantVaultErr(t, err, 400, "error validating token: error verifying token signature: oidc: malformed jwt: go-jose/go-jose: compact JWS format must have three parts")
	_, err = login("eyJ.e30.AA")
	wantVaultErr(t, err, 400, "error validating token: error verifying token signature: oidc: malformed jwt: unexpected end of JSON input")
	expiring := mint("vault.workload.identity")
	_ = ve.clock.Advance(2*time.Hour + 60*time.Second)
	if _, err := login(expiring); err != nil {
		t.Fatalf("within the 60 s leeway: %v", err)
	}
	_ = ve.clock.Advance(time.Second)
	_, err = login(expiring)
	wantVaultErr(t, err, 400, "error validating token: invalid expiration time (exp) claim: token is expired")
	_, err = vt.Auth().Token().LookupSelf()
	wantVaultErr(t, err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")

	_, err = ve.v.Logical().Write("auth/jwt/login", map[string]any{"role": "nope", "jwt": "x"})
	wantVaultErr(t, err, 400, `role "nope" could not be found`)
	_, err = ve.v.Logical().Write("auth/jwt/config", map[string]any{"oidc_discovery_url": "http://127.0.0.1:1/nowhere"})
	wantVaultErr(t, err, 400, "error checking oidc discovery URL")
	_, err = ve.v.Logical().Write("auth/jwt/config", map[string]any{"bound_issuer": issuer})
	wantVaultErr(t, err, 400, "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set")
}

func mintToken(t *testing.T, base string, req admin.TokenRequest) string {
	t.Helper()
	return mint(t, http.DefaultClient, base, req).Token
}

// forgeNone rewrites a token's header to alg none and drops its signature.
func forgeNone(jwt string) string {
	parts := strings.Split(jwt, ".")
	return "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
}

func TestVaultConfigReadWithoutConfigDropsTheConnection(t *testing.T) {
	ve := newVaultEnv(t)
	if err := ve.v.Sys().Mount("terraform", &vault.MountInput{Type: "terraform"}); err != nil {
		t.Fatal(err)
	}
	_, err := ve.v.Logical().Read("terraform/config")
	if err == nil || strings.Contains(err.Error(), "Code:") {
		t.Fatalf("err = %v, want a dropped connection as the real engine's nil dereference gives", err)
	}
	// The server is fine afterwards.
	if _, err := ve.v.Sys().Health(); err != nil {
		t.Fatal(err)
	}
}

func TestVaultMountsLeasesAndHelp(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	mounts, err := ve.v.Sys().ListMounts()
	if err != nil || mounts["terraform/"] == nil || mounts["terraform/"].Type != "terraform" || mounts["sys/"] == nil {
		t.Fatalf("mounts = %v, %v", mounts, err)
	}
	if err := ve.v.Sys().TuneMount("terraform", vault.MountConfigInput{DefaultLeaseTTL: "1h", MaxLeaseTTL: "2h"}); err != nil {
		t.Fatal(err)
	}
	tune, err := ve.v.Sys().MountConfig("terraform")
	if err != nil || tune.DefaultLeaseTTL != 3600 || tune.MaxLeaseTTL != 7200 {
		t.Fatalf("tune = %+v %v", tune, err)
	}
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde", "ttl": "30m"})
	creds := ve.read(t, "terraform/creds/u")
	if creds.LeaseDuration != 1800 {
		t.Fatalf("lease duration %d, want the role's 1800", creds.LeaseDuration)
	}
	// Renewing past the mount max is capped with Vault's warning.
	renewed, err := ve.v.Sys().Renew(creds.LeaseID, 3*3600)
	if err != nil || renewed.LeaseDuration != 7200 || len(renewed.Warnings) != 1 || !strings.Contains(renewed.Warnings[0], `exceeded the effective max_ttl of "2h"`) {
		t.Fatalf("renew = %+v %v", renewed, err)
	}
	lookup, err := ve.v.Logical().Write("sys/leases/lookup", map[string]any{"lease_id": creds.LeaseID})
	if err != nil || lookup.Data["id"] != creds.LeaseID || lookup.Data["renewable"] != true {
		t.Fatalf("lookup = %+v %v", lookup, err)
	}
	tok := creds.Data["token"].(string)
	if err := ve.v.Sys().RevokePrefix("terraform/creds/u"); err != nil {
		t.Fatal(err)
	}
	if ve.tokenWorks(t, tok) {
		t.Fatal("revoke-prefix left the token alive in TFC")
	}
	help, err := ve.v.Help("terraform/role/u")
	if err != nil || !strings.Contains(help.Help, "\nManages the Vault role for generating Terraform Cloud / Enterprise tokens.\n") ||
		!strings.Contains(help.Help, "    name (lowercase string)\n") || help.OpenAPI["openapi"] != "3.0.2" {
		t.Fatalf("help = %+v %v", help, err)
	}
	// Unmounting revokes the mount's leases.
	again := ve.read(t, "terraform/creds/u")
	if err := ve.v.Sys().Unmount("terraform"); err != nil {
		t.Fatal(err)
	}
	if ve.tokenWorks(t, again.Data["token"].(string)) {
		t.Fatal("unmount left a leased token alive")
	}
}

// TestVaultConcurrentLeaseAndTokenUse renews, looks up and uses a lease
// and a token from many goroutines; -race checks the lease and token
// fields are only touched under the lock.
func TestVaultConcurrentLeaseAndTokenUse(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde", "ttl": "10m"})
	creds := ve.read(t, "terraform/creds/u")
	ve.setUpVaultJWT(t, "my-workspace")
	jwt := mintToken(t, ve.e.Info().TFCURL, admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "vault.workload.identity"})
	login := ve.write(t, "auth/jwt/login", map[string]any{"role": "tfc", "jwt": jwt})
	vt, _ := vault.NewClient(&vault.Config{Address: ve.e.Info().VaultURL})
	vt.SetToken(login.Auth.ClientToken)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(3)
		go func() {
			defer wg.Done()
			if _, err := ve.v.Sys().Renew(creds.LeaseID, 60); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := ve.v.Logical().Write("sys/leases/lookup", map[string]any{"lease_id": creds.LeaseID}); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := vt.Auth().Token().RenewSelf(0); err != nil {
				t.Error(err)
			}
			if _, err := vt.Auth().Token().LookupSelf(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// TestVaultRenewedLeaseOutlivesItsFirstExpiry renews a team token's lease
// to a longer TTL and checks the sweep keeps it past its first expiry and
// revokes it at the renewed one (the renewal reschedules the lease in the
// expiry queue under the key the sweep reads).
func TestVaultRenewedLeaseOutlivesItsFirstExpiry(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/multi", map[string]any{"team_id": "team-tfcemuDevsMyorg1", "credential_type": "team", "description": "renew", "ttl": "1m", "max_ttl": "5m"})
	creds := ve.read(t, "terraform/creds/multi")
	tok := creds.Data["token"].(string)
	renewed, err := ve.v.Sys().Renew(creds.LeaseID, 180)
	if err != nil || renewed.LeaseDuration != 180 {
		t.Fatalf("renew: %+v %v", renewed, err)
	}
	_ = ve.clock.Advance(90 * time.Second)
	if !ve.tokenWorks(t, tok) {
		t.Fatal("the renewed lease was revoked at its first expiry")
	}
	if _, err := ve.v.Sys().Lookup(creds.LeaseID); err != nil {
		t.Fatalf("lookup after the first expiry: %v", err)
	}
	_ = ve.clock.Advance(90 * time.Second)
	if ve.tokenWorks(t, tok) {
		t.Fatal("token still works after the renewed lease expired")
	}
}
