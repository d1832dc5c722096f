package emulator_test

import (
	"strings"
	"testing"

	vault "github.com/hashicorp/vault/api"

	"github.com/tfcemu/tfcemu/emulator/admin"
)

func TestVaultPolicyStore(t *testing.T) {
	ve := newVaultEnv(t)
	sys := ve.v.Sys()
	list, err := sys.ListPolicies()
	if err != nil || strings.Join(list, ",") != "default,root" {
		t.Fatalf("fresh list = %v %v", list, err)
	}
	rules := "path \"terraform/creds/*\" {\n  capabilities = [\"read\"]\n}\n"
	if err := sys.PutPolicy("TFC-Reader", rules); err != nil {
		t.Fatal(err)
	}
	got, err := sys.GetPolicy("tfc-reader")
	if err != nil || got != rules {
		t.Fatalf("get = %q %v", got, err)
	}
	// sys/policies/acl LIST: stored names sorted, then root as Vault appends it.
	s, err := ve.v.Logical().List("sys/policies/acl")
	if err != nil || len(s.Data["keys"].([]any)) != 3 || s.Data["keys"].([]any)[2] != "root" || s.Data["keys"].([]any)[1] != "tfc-reader" {
		t.Fatalf("list acl = %v %v", s, err)
	}
	// The legacy list and read.
	status, body := ve.raw(t, "root", "GET", "sys/policy", "")
	if status != 200 || len(body["data"].(map[string]any)["policies"].([]any)) != 3 || body["mount_type"] != "system" {
		t.Fatalf("sys/policy = %d %v", status, body)
	}
	status, body = ve.raw(t, "root", "GET", "sys/policy/tfc-reader", "")
	if status != 200 || body["data"].(map[string]any)["rules"] != rules {
		t.Fatalf("sys/policy/tfc-reader = %d %v", status, body)
	}
	// A mixed-case name is stored lower-cased with Vault's warning.
	status, body = ve.raw(t, "root", "PUT", "sys/policies/acl/Mixed", `{"policy":"path \"a\" { capabilities = [\"read\"] }"}`)
	if status != 200 || body["warnings"].([]any)[0] != "policy name was converted to mixed" {
		t.Fatalf("mixed = %d %v", status, body)
	}
	// The default policy is there with Vault's text and cannot go.
	def, err := sys.GetPolicy("default")
	if err != nil || !strings.Contains(def, `path "auth/token/lookup-self"`) {
		t.Fatalf("default = %q %v", def, err)
	}
	wantVaultErr(t, sys.DeletePolicy("default"), 400, "cannot delete default policy")
	wantVaultErr(t, sys.DeletePolicy("root"), 400, `cannot delete "root" policy`)
	wantVaultErr(t, sys.PutPolicy("root", rules), 400, `cannot update "root" policy`)
	if err := sys.DeletePolicy("tfc-reader"); err != nil {
		t.Fatal(err)
	}
	if err := sys.DeletePolicy("never-was"); err != nil {
		t.Fatalf("deleting a missing policy: %v", err)
	}
	status, _ = ve.raw(t, "root", "GET", "sys/policies/acl/tfc-reader", "")
	if status != 404 {
		t.Fatalf("deleted policy read = %d", status)
	}
}

func TestVaultPolicyValidation(t *testing.T) {
	ve := newVaultEnv(t)
	cases := []struct{ name, policy, msg string }{
		{"empty", "", "'policy' parameter not supplied or empty"},
		{"bad hcl", `path "a" {`, "failed to parse policy: At 1:12: object expected closing RBRACE got: EOF"},
		{"bad capability", `path "a" { capabilities = ["fly"] }`, `failed to parse policy: path "a": invalid capability "fly"`},
		{"bad old policy", `path "a" { policy = "admin" }`, `failed to parse policy: path "a": invalid policy "admin"`},
		{"bad key", `path "a" { capabilities = ["read"] }` + "\nfoo = 1", "failed to parse policy: 1 error occurred:\n\t* invalid key \"foo\" on line 2\n\n"},
		{"bad wildcard", `path "a/+*" { capabilities = ["read"] }`, `failed to parse policy: path "a/+*": invalid use of wildcards ('+*' is forbidden)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ve.v.Logical().Write("sys/policies/acl/p", map[string]any{"policy": tc.policy})
			wantVaultErr(t, err, 400, tc.msg)
		})
	}
	if _, err := ve.v.Sys().GetPolicy("p"); err != nil {
		t.Fatal(err)
	}
	status, _ := ve.raw(t, "root", "GET", "sys/policies/acl/p", "")
	if status != 404 {
		t.Fatalf("a rejected policy was stored: %d", status)
	}
	// Duplicate attributes: accepted with Vault's deprecation warning.
	s, err := ve.v.Logical().Write("sys/policies/acl/dup", map[string]any{"policy": `path "a" { capabilities = ["read"]
capabilities = ["list"] }`})
	if err != nil || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "duplicate attributes") {
		t.Fatalf("dup = %+v %v", s, err)
	}
}

// TestVaultACLEnforcement: a token gets exactly what its policies say.
func TestVaultACLEnforcement(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde"})
	ve.write(t, "terraform/role/other", map[string]any{"user_id": "user-12345abcde"})
	if err := ve.v.Sys().PutPolicy("creds", `
path "terraform/creds/*" { capabilities = ["read"] }
path "terraform/creds/other" { capabilities = ["deny"] }
path "terraform/role/+" { capabilities = ["read"] }
path "terraform/role" { capabilities = ["list"] }
path "terraform/config" { capabilities = ["create"] }
`); err != nil {
		t.Fatal(err)
	}
	s, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"creds"}})
	c := ve.client(t, s.Auth.ClientToken)
	denied := "1 error occurred:\n\t* permission denied\n\n"
	if _, err := c.Logical().Read("terraform/creds/u"); err != nil {
		t.Fatalf("read creds: %v", err)
	}
	_, err := c.Logical().Read("terraform/creds/other")
	wantVaultErr(t, err, 403, denied)
	if _, err := c.Logical().Read("terraform/role/u"); err != nil {
		t.Fatalf("read role via +: %v", err)
	}
	if _, err := c.Logical().List("terraform/role"); err != nil {
		t.Fatalf("list roles: %v", err)
	}
	_, err = c.Logical().Write("terraform/role/u", map[string]any{"ttl": "1h"})
	wantVaultErr(t, err, 403, denied)
	// config exists, so a write is "update", which the policy lacks.
	_, err = c.Logical().Write("terraform/config", map[string]any{"token": "x"})
	wantVaultErr(t, err, 403, denied)
	_, err = c.Sys().ListMounts()
	wantVaultErr(t, err, 403, denied)
	_, err = c.Logical().Read("nowhere/at/all")
	wantVaultErr(t, err, 403, denied)
	// The default policy's own paths.
	if _, err := c.Auth().Token().LookupSelf(); err != nil {
		t.Fatal(err)
	}
	caps, err := c.Sys().CapabilitiesSelf("terraform/creds/u")
	if err != nil || strings.Join(caps, ",") != "read" {
		t.Fatalf("capabilities-self = %v %v", caps, err)
	}
	caps, err = c.Sys().CapabilitiesSelf("terraform/creds/other")
	if err != nil || strings.Join(caps, ",") != "deny" {
		t.Fatalf("capabilities-self deny = %v %v", caps, err)
	}
	caps, err = ve.v.Sys().Capabilities(s.Auth.ClientToken, "terraform/config")
	if err != nil || strings.Join(caps, ",") != "create" {
		t.Fatalf("capabilities = %v %v", caps, err)
	}
	caps, err = ve.v.Sys().CapabilitiesSelf("anything")
	if err != nil || strings.Join(caps, ",") != "root" {
		t.Fatalf("root capabilities = %v %v", caps, err)
	}
	_, err = c.Sys().Capabilities(ve.e.Info().VaultToken, "x")
	wantVaultErr(t, err, 403, denied)
	// Changing a policy changes what existing tokens may do.
	if err := ve.v.Sys().PutPolicy("creds", `path "terraform/creds/other" { capabilities = ["read"] }`); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Logical().Read("terraform/creds/other"); err != nil {
		t.Fatalf("after policy change: %v", err)
	}
}

// TestVaultACLCreateNeedsCreateOnANewEntry: the existence check decides
// create or update, as Vault documents.
func TestVaultACLCreateNeedsCreateOnANewEntry(t *testing.T) {
	ve := newVaultEnv(t)
	if err := ve.v.Sys().Mount("terraform", &vault.MountInput{Type: "terraform"}); err != nil {
		t.Fatal(err)
	}
	ve.v.Sys().PutPolicy("upd", `path "terraform/config" { capabilities = ["update"] }`)
	ve.v.Sys().PutPolicy("crt", `path "terraform/config" { capabilities = ["create"] }`)
	upd, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"upd"}})
	crt, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"crt"}})
	_, err := ve.client(t, upd.Auth.ClientToken).Logical().Write("terraform/config", map[string]any{"token": "x"})
	wantVaultErr(t, err, 403, "1 error occurred:\n\t* permission denied\n\n")
	if _, err := ve.client(t, crt.Auth.ClientToken).Logical().Write("terraform/config", map[string]any{"token": "x"}); err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := ve.client(t, upd.Auth.ClientToken).Logical().Write("terraform/config", map[string]any{"token": "y"}); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// TestVaultACLSudoAndPriority: root paths need sudo; the most specific
// rule wins across policies, and deny on the same path wins a merge.
func TestVaultACLSudoAndPriority(t *testing.T) {
	ve := newVaultEnv(t)
	ve.v.Sys().PutPolicy("a", `
path "sys/auth/*" { capabilities = ["create", "read", "update", "delete"] }
path "sys/mounts/*" { capabilities = ["create", "update"] }
path "secret/+/x" { capabilities = ["read"] }
path "secret/a*" { capabilities = ["list"] }
`)
	ve.v.Sys().PutPolicy("b", `path "sys/mounts/*" { capabilities = ["deny"] }`)
	ve.v.Sys().PutPolicy("c", `path "sys/auth/*" { capabilities = ["sudo", "update", "create"] }`)
	a, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"a"}})
	ab, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"a", "b"}})
	ac, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"a", "c"}})
	denied := "1 error occurred:\n\t* permission denied\n\n"
	err := ve.client(t, a.Auth.ClientToken).Sys().EnableAuthWithOptions("jwt", &vault.EnableAuthOptions{Type: "jwt"})
	wantVaultErr(t, err, 403, denied)
	if err := ve.client(t, ac.Auth.ClientToken).Sys().EnableAuthWithOptions("jwt", &vault.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatalf("with sudo: %v", err)
	}
	if err := ve.client(t, a.Auth.ClientToken).Sys().Mount("terraform", &vault.MountInput{Type: "terraform"}); err != nil {
		t.Fatalf("mount: %v", err)
	}
	err = ve.client(t, ab.Auth.ClientToken).Sys().Mount("tf2", &vault.MountInput{Type: "terraform"})
	wantVaultErr(t, err, 403, denied)
	caps, _ := ve.v.Sys().Capabilities(a.Auth.ClientToken, "secret/abc/x")
	if strings.Join(caps, ",") != "list" {
		t.Fatalf("secret/abc/x = %v: the glob at position 8 outranks + at position 7", caps)
	}
	caps, _ = ve.v.Sys().Capabilities(a.Auth.ClientToken, "secret/b/x")
	if strings.Join(caps, ",") != "read" {
		t.Fatalf("secret/b/x = %v", caps)
	}
}

// TestVaultJWTLoginTokenNeedsAPolicy: a login token reads terraform creds
// only when its role's token_policies grant them, as in real Vault.
func TestVaultJWTLoginTokenNeedsAPolicy(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde"})
	ve.setUpVaultJWT(t, "my-workspace")
	login := func() *vault.Client {
		jwt := mintToken(t, ve.e.Info().TFCURL, admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "vault.workload.identity"})
		s := ve.write(t, "auth/jwt/login", map[string]any{"role": "tfc", "jwt": jwt})
		return ve.client(t, s.Auth.ClientToken)
	}
	_, err := login().Logical().Read("terraform/creds/u")
	wantVaultErr(t, err, 403, "1 error occurred:\n\t* permission denied\n\n")
	role := ve.read(t, "auth/jwt/role/tfc")
	for _, p := range role.Data["token_policies"].([]any) {
		ve.v.Sys().PutPolicy(p.(string), `path "terraform/creds/u" { capabilities = ["read"] }`)
	}
	if _, err := login().Logical().Read("terraform/creds/u"); err != nil {
		t.Fatalf("with the role's policy: %v", err)
	}
}
