package emulator_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"

	vault "github.com/hashicorp/vault/api"

	"github.com/tfcemu/tfcemu/emulator/admin"
)

// The answers below were read from a Vault v1.21.0 dev server side by side
// with the emulator (issue 8: a real Vault as the second judge).

// rawBody sends one request with the root token and returns the status and
// the body exactly as written.
func (ve *vaultEnv) rawBody(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, ve.e.Info().VaultURL+"/v1/"+path, strings.NewReader(body))
	req.Header.Set("X-Vault-Token", ve.e.Info().VaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestVaultWriteToAPathEndingInSlashIsRefused(t *testing.T) {
	ve := newVaultEnv(t)
	for _, path := range []string{"sys/mounts/terraform/", "sys/auth/jwt/", "auth/token/create/"} {
		status, body := ve.rawBody(t, "POST", path, `{"type":"terraform"}`)
		if status != 400 || body != `{"errors":["cannot write to a path ending in '/'"]}`+"\n" {
			t.Errorf("POST %s = %d %s", path, status, body)
		}
	}
	if _, err := ve.v.Sys().GetMount("terraform"); err == nil {
		t.Fatal("the refused write mounted the engine")
	}
}

func TestVaultUserCredsCarryOnlyTheTokenAndItsID(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde"})
	creds := ve.read(t, "terraform/creds/u")
	if len(creds.Data) != 2 || creds.Data["token"] == nil || creds.Data["token_id"] == nil {
		t.Fatalf("user creds = %v, want token and token_id only", creds.Data)
	}
	// A described role's tokens carry TFC's description, still no expiry.
	ve.write(t, "terraform/role/described", map[string]any{"user_id": "user-12345abcde", "description": "ci"})
	creds = ve.read(t, "terraform/creds/described")
	if len(creds.Data) != 3 || creds.Data["description"] != "ci" {
		t.Fatalf("described user creds = %v", creds.Data)
	}
	ve.write(t, "terraform/role/org", map[string]any{"organization": "my-org"})
	org := ve.read(t, "terraform/creds/org")
	if org.LeaseID != "" || org.Data["organization"] != "my-org" || org.Data["team_id"] != "" || org.Data["role"] != "org" || org.Data["expired_at"] != nil {
		t.Fatalf("org creds = %+v", org)
	}
}

func TestVaultDisableStopsAtALeaseItCannotRevoke(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde"})
	creds := ve.read(t, "terraform/creds/u")
	// The token is deleted in TFC behind Vault's back.
	if err := ve.tfe.UserTokens.Delete(context.Background(), creds.Data["token_id"].(string)); err != nil {
		t.Fatal(err)
	}
	err := ve.v.Sys().Unmount("terraform")
	wantVaultErr(t, err, 400, `failed to revoke "`+creds.LeaseID+`" (1 / 1): failed to revoke entry: resp: (*logical.Response)(nil) err: error revoking user token: resource not found`)
	if m, err := ve.v.Sys().GetMount("terraform"); err != nil || m.Type != "terraform" {
		t.Fatalf("the mount is gone after a failed disable: %+v %v", m, err)
	}
	// The mount stays tainted: it serves nothing and cannot be mounted
	// over.
	status, body := ve.rawBody(t, "GET", "terraform/role/u", "")
	if status != 404 || body != `{"errors":["no handler for route \"terraform/role/u\". route entry is tainted."]}`+"\n" {
		t.Fatalf("tainted mount read = %d %s", status, body)
	}
	err = ve.v.Sys().Mount("terraform", &vault.MountInput{Type: "terraform"})
	wantVaultErr(t, err, 400, "path is already in use at terraform/")
	// An operator forces the lease out; then the disable goes through.
	if err := ve.v.Sys().RevokeForce("terraform"); err != nil {
		t.Fatal(err)
	}
	if err := ve.v.Sys().Unmount("terraform"); err != nil {
		t.Fatal(err)
	}
	if _, err := ve.v.Sys().GetMount("terraform"); err == nil {
		t.Fatal("the mount survived its disable")
	}
}

func TestVaultJWTRoleFieldsAsTheMethodShowsThem(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpVaultJWT(t, "my-workspace")
	role := ve.read(t, "auth/jwt/role/tfc")
	for _, absent := range []string{"bound_cidrs", "max_ttl", "num_uses", "period", "policies", "ttl"} {
		if _, ok := role.Data[absent]; ok {
			t.Errorf("role has %s = %v", absent, role.Data[absent])
		}
	}
	for field, want := range map[string]any{"allowed_redirect_uris": nil, "oidc_scopes": nil, "claim_mappings": nil, "token_type": "default"} {
		if got, ok := role.Data[field]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", field, got, ok, want)
		}
	}
	// The deprecated names show only when a write used them; /32 reads as
	// the bare address.
	ve.write(t, "auth/jwt/role/legacy", map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_subject": "x",
		"policies": "p1", "ttl": "1h", "bound_cidrs": "127.0.0.1/32,10.0.0.5/8"})
	legacy := ve.read(t, "auth/jwt/role/legacy")
	if legacy.Data["ttl"] != json.Number("3600") || legacy.Data["token_ttl"] != json.Number("3600") ||
		len(legacy.Data["policies"].([]any)) != 1 || legacy.Data["bound_cidrs"].([]any)[0] != "127.0.0.1" || legacy.Data["token_bound_cidrs"].([]any)[1] != "10.0.0.5/8" {
		t.Fatalf("legacy role = %v", legacy.Data)
	}
	// A write with the new name drops the old one.
	ve.write(t, "auth/jwt/role/legacy", map[string]any{"role_type": "jwt", "token_policies": "p2"})
	legacy = ve.read(t, "auth/jwt/role/legacy")
	if _, ok := legacy.Data["policies"]; ok || legacy.Data["token_policies"].([]any)[0] != "p2" {
		t.Fatalf("after token_policies = %v", legacy.Data)
	}
	// Field types are checked with the existence check: bare messages.
	for _, tc := range []struct {
		data map[string]any
		msg  string
	}{
		{map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_claims": "sub=foo"}, `error converting input for field "bound_claims": '' expected a map, got 'string'`},
		{map[string]any{"user_claim": "sub", "num_uses": "x"}, `error converting input for field "num_uses": cannot parse '' as int: strconv.ParseInt: parsing "x": invalid syntax`},
		{map[string]any{"user_claim": "sub", "user_claim_json_pointer": "x"}, `error converting input for field "user_claim_json_pointer": cannot parse '' as bool: strconv.ParseBool: parsing "x": invalid syntax`},
		{map[string]any{"user_claim": "sub", "token_bound_cidrs": "abc"}, `error parsing address "abc": Unable to convert "abc" to an IPv4 or IPv6 address, or a UNIX Socket`},
		{map[string]any{"user_claim": "sub", "token_type": "weird"}, `invalid 'token_type' value "weird"`},
	} {
		_, err := ve.v.Logical().Write("auth/jwt/role/bad", tc.data)
		wantVaultErr(t, err, 400, tc.msg)
	}
	// terraform/config has an existence check too; its role path has none.
	ve.setUpEngine(t)
	_, err := ve.v.Logical().Write("terraform/config", map[string]any{"token": map[string]any{"a": 1}})
	wantVaultErr(t, err, 400, `error converting input for field "token": '' expected type 'string', got unconvertible type 'map[string]interface {}', value: 'map[a:1]'`)
}

func TestVaultPathHelpIsTheFrameworks(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	root, err := ve.v.Help("terraform/")
	if err != nil {
		t.Fatal(err)
	}
	wantRoot := "## DESCRIPTION\n\nThe Terraform Cloud secrets backend dynamically generates organization\nand user tokens.\n\n" +
		"After mounting this backend, credentials to manage Terraform Cloud or\nEnterprise tokens must be configured with the \"config/\" endpoints.\n\n" +
		"## PATHS\n\nThe following paths are supported by this backend. To view help for\nany of the paths below, use the help command with any route matching\n" +
		"the path pattern. Note that depending on the policy of your auth token,\nyou may or may not be able to access certain paths.\n\n" +
		"    ^config$\n        Configure the Terraform Cloud / Enterprise backend.\n\n" +
		"    ^creds/(?P<name>\\w(([\\w-.]+)?\\w)?)$\n        Generate a Terraform Cloud or Enterprise API token from a specific Vault role.\n\n" +
		"    ^role/(?P<name>\\w(([\\w-.]+)?\\w)?)$\n        Manages the Vault role for generating Terraform Cloud / Enterprise tokens.\n\n" +
		"    ^role/?$\n        List the existing roles in Terraform Cloud / Enterprise backend\n\n" +
		"    ^rotate-role/(?P<name>\\w(([\\w-.]+)?\\w)?)$\n        Request to rotate the credentials for a team or organization."
	if root.Help != wantRoot {
		t.Errorf("root help =\n%s\nwant\n%s", root.Help, wantRoot)
	}
	if paths, _ := root.OpenAPI["paths"].(map[string]any); len(paths) != 5 || paths["/creds/{name}"] == nil {
		t.Errorf("root OpenAPI paths = %v", root.OpenAPI["paths"])
	}
	creds, err := ve.v.Help("terraform/creds/my-role")
	wantCreds := "Request:        creds/my-role\nMatching Route: ^creds/(?P<name>\\w(([\\w-.]+)?\\w)?)$\n\n" +
		"Generate a Terraform Cloud or Enterprise API token from a specific Vault role.\n\n## PARAMETERS\n\n" +
		"    name (lowercase string)\n\n        Name of the role\n\n## DESCRIPTION\n\n" +
		"This path generates Terraform Cloud or Enterprise API Organization, Team, or\nUser Tokens based on a particular role."
	if err != nil || !strings.HasPrefix(creds.Help, wantCreds) {
		t.Errorf("creds help = %q %v\nwant prefix %q", creds.Help, err, wantCreds)
	}
}

func TestVaultJWTPathHelp(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpVaultJWT(t, "my-workspace")
	root, err := ve.v.Help("auth/jwt/")
	if err != nil || !strings.HasPrefix(root.Help, "## DESCRIPTION\n\nThe JWT backend plugin allows authentication using JWTs (including OIDC).\n\n## PATHS\n") ||
		!strings.Contains(root.Help, "    ^oidc/auth_url$\n\n\n    ^oidc/callback$\n") {
		t.Fatalf("jwt help = %q %v", root.Help, err)
	}
	role, err := ve.v.Help("auth/jwt/role/tfc")
	if err != nil || !strings.Contains(role.Help, "    bound_cidrs (slice)\n\n        (DEPRECATED) Use \"token_bound_cidrs\" instead.") ||
		!strings.Contains(role.Help, "    name (lowercase string)\n\n        Name of the role.\n") || role.OpenAPI["openapi"] != "3.0.2" {
		t.Fatalf("role help = %q %v", role.Help, err)
	}
	// Help on the login path needs no token, as the login itself.
	anon := ve.client(t, "")
	anon.ClearToken()
	login, err := anon.Help("auth/jwt/login")
	if err != nil || !strings.HasPrefix(login.Help, "Request:        login\nMatching Route: ^login$\n\nAuthenticates to Vault using a JWT (or OIDC) token.") {
		t.Fatalf("login help = %q %v", login.Help, err)
	}
}

func TestVaultJWTStaticKeysParseAsCapDoes(t *testing.T) {
	ve := newVaultEnv(t)
	if err := ve.v.Sys().EnableAuthWithOptions("jwt", &vault.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	ve.write(t, "auth/jwt/config", map[string]any{"jwt_validation_pubkeys": []string{pub}, "namespace_in_state": false})
	ve.write(t, "auth/jwt/role/r", map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_subject": "x"})
	for jwt, msg := range map[string]string{
		"not.a.jwt":                 "illegal base64 data at input byte 0",
		"eyJhbGciOiJub25lIn0.e30.":  "no known key successfully validated the token signature",
		"abc":                       "go-jose/go-jose: compact JWS format must have three parts",
		"eyJ.e30.AA":                "unexpected end of JSON input",
		"eyJhbGciOiJSUzI1NiJ9.eyJ.": "no known key successfully validated the token signature",
	} {
		_, err := ve.v.Logical().Write("auth/jwt/login", map[string]any{"role": "r", "jwt": jwt})
		wantVaultErr(t, err, 400, "error validating token: error verifying token signature: "+msg)
	}
	// A rewrite without namespace_in_state keeps it.
	ve.write(t, "auth/jwt/config", map[string]any{"jwt_validation_pubkeys": []string{pub}})
	if c := ve.read(t, "auth/jwt/config"); c.Data["namespace_in_state"] != false {
		t.Fatalf("namespace_in_state = %v", c.Data["namespace_in_state"])
	}
}

func TestVaultDisablingAnAuthMethodRevokesItsTokens(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpVaultJWT(t, "my-workspace")
	jwt := mintToken(t, ve.e.Info().TFCURL, admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "vault.workload.identity"})
	login := ve.write(t, "auth/jwt/login", map[string]any{"role": "tfc", "jwt": jwt})
	c := ve.client(t, login.Auth.ClientToken)
	if _, err := c.Auth().Token().LookupSelf(); err != nil {
		t.Fatal(err)
	}
	if err := ve.v.Sys().DisableAuth("jwt"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Auth().Token().LookupSelf()
	wantVaultErr(t, err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")
}

func TestVaultJWTPeriodicRoleTokens(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpVaultJWT(t, "my-workspace")
	// A write without role_type or bound_claims_type resets them to "oidc"
	// and "string", as the method does: send both.
	ve.write(t, "auth/jwt/role/tfc", map[string]any{"role_type": "jwt", "bound_claims_type": "glob", "token_period": "1h", "token_explicit_max_ttl": "2h"})
	role := ve.read(t, "auth/jwt/role/tfc")
	if role.Data["token_period"] != json.Number("3600") || role.Data["token_explicit_max_ttl"] != json.Number("7200") {
		t.Fatalf("role = %v", role.Data)
	}
	jwt := mintToken(t, ve.e.Info().TFCURL, admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "vault.workload.identity"})
	login := ve.write(t, "auth/jwt/login", map[string]any{"role": "tfc", "jwt": jwt})
	if login.Auth.LeaseDuration != 3600 {
		t.Fatalf("login lease = %d, want the period", login.Auth.LeaseDuration)
	}
	c := ve.client(t, login.Auth.ClientToken)
	self, err := c.Auth().Token().LookupSelf()
	if err != nil || self.Data["period"] != json.Number("3600") || self.Data["explicit_max_ttl"] != json.Number("7200") {
		t.Fatalf("lookup-self = %v %v", self, err)
	}
	// A periodic token renews to its period, whatever the increment.
	renewed, err := c.Auth().Token().RenewSelf(3 * 3600)
	if err != nil || renewed.Auth.LeaseDuration != 3600 || len(renewed.Warnings) != 0 {
		t.Fatalf("renew = %+v %v", renewed, err)
	}
	_, err = ve.v.Logical().Write("auth/jwt/role/big", map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_subject": "x", "period": "800h"})
	wantVaultErr(t, err, 400, `'period' of '"800h0m0s"' is greater than the backend's maximum lease TTL of '"768h0m0s"'`)
}
