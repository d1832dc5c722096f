package terraform_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
	"github.com/tfcemu/tfcemu/emulator/vault/terraform"
)

// The seed's organization, user and the token the product document
// configures the engine with.
const (
	testOrg   = "hashicorp-vault-testing"
	testUser  = "user-12345abcde"
	testToken = "Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"
)

type sysView struct{}

func (sysView) DefaultLeaseTTL() time.Duration { return 768 * time.Hour }
func (sysView) MaxLeaseTTL() time.Duration     { return 768 * time.Hour }

// testEnv is the engine mounted alone, reaching the emulator's TFC, with
// one step method per path, as the real plugin's tests are written.
type testEnv struct {
	t      *testing.T
	b      logical.Backend
	tfcURL string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	e, err := emulator.New(emulator.Config{TFCListen: "127.0.0.1:0", VaultListen: "127.0.0.1:0", RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return &testEnv{t: t, b: terraform.Factory(logical.Config{Now: time.Now, System: sysView{}}), tfcURL: e.Info().TFCURL}
}

func (e *testEnv) do(op logical.Operation, path string, data map[string]any) (*logical.Response, error) {
	e.t.Helper()
	if data == nil {
		data = map[string]any{}
	}
	return e.b.HandleRequest(context.Background(), &logical.Request{Operation: op, Path: path, MountPoint: "terraform/", Data: data})
}

func (e *testEnv) must(op logical.Operation, path string, data map[string]any) *logical.Response {
	e.t.Helper()
	resp, err := e.do(op, path, data)
	if err != nil || resp.IsError() {
		e.t.Fatalf("%s %s: %v %v", op, path, resp, err)
	}
	return resp
}

// AddConfig is the config path.
func (e *testEnv) AddConfig() {
	e.must(logical.UpdateOperation, "config", map[string]any{"token": testToken, "address": e.tfcURL})
	cfg := e.must(logical.ReadOperation, "config", nil)
	if cfg.Data["address"] != e.tfcURL || cfg.Data["base_path"] != terraform.DefaultBasePath || cfg.Data["token"] != nil {
		e.t.Fatalf("config = %v", cfg.Data)
	}
}

// AddRole is role/:name.
func (e *testEnv) AddRole(name string, data map[string]any) {
	e.must(logical.UpdateOperation, "role/"+name, data)
}

// ReadRole is role/:name.
func (e *testEnv) ReadRole(name string) map[string]any {
	resp, err := e.do(logical.ReadOperation, "role/"+name, nil)
	if err != nil || resp == nil {
		return nil
	}
	return resp.Data
}

// ListRoles is role/.
func (e *testEnv) ListRoles() []any {
	return e.must(logical.ListOperation, "role/", nil).Data["keys"].([]any)
}

// ReadCreds is creds/:name.
func (e *testEnv) ReadCreds(name string) *logical.Response {
	return e.must(logical.ReadOperation, "creds/"+name, nil)
}

// RotateRole is rotate-role/:name.
func (e *testEnv) RotateRole(name string) { e.must(logical.UpdateOperation, "rotate-role/"+name, nil) }

// tokenWorks reports whether TFC accepts a token.
func (e *testEnv) tokenWorks(token string) bool {
	c, err := tfe.NewClient(&tfe.Config{Address: e.tfcURL, Token: token})
	if err != nil {
		e.t.Fatal(err)
	}
	_, err = c.Users.ReadCurrent(context.Background())
	return err == nil
}

func TestOrganizationRole(t *testing.T) {
	e := newTestEnv(t)
	e.AddConfig()
	e.AddRole("Org", map[string]any{"organization": testOrg})
	role := e.ReadRole("org")
	if role["organization"] != testOrg || role["credential_type"] != nil || role["name"] != "org" {
		t.Fatalf("role = %v", role)
	}
	resp := e.ReadCreds("org")
	first := resp.DataMap()
	want := map[string]any{"organization": testOrg, "role": "org", "team_id": "", "token": first["token"], "token_id": first["token_id"]}
	if resp.Secret != nil || !reflect.DeepEqual(first, want) || !e.tokenWorks(first["token"].(string)) {
		t.Fatalf("creds = %+v", first)
	}
	e.RotateRole("org")
	second := e.ReadCreds("org").DataMap()
	if second["token"] == first["token"] || second["token_id"] != first["token_id"] {
		t.Fatalf("rotation: token %v -> %v, token_id %v -> %v (the engine keeps token_id)", first["token"], second["token"],
			first["token_id"], second["token_id"])
	}
	if e.tokenWorks(first["token"].(string)) {
		t.Fatal("the rotated token still works")
	}
}

func TestUserRoleLeases(t *testing.T) {
	e := newTestEnv(t)
	e.AddConfig()
	e.AddRole("u", map[string]any{"user_id": testUser, "ttl": "1h", "max_ttl": "2h"})
	if keys := e.ListRoles(); len(keys) != 1 || keys[0] != "u" {
		t.Fatalf("roles = %v", keys)
	}
	creds := e.ReadCreds("u")
	if creds.Secret == nil || creds.Secret.TTL != time.Hour || creds.Secret.MaxTTL != 2*time.Hour || !creds.Secret.Renewable {
		t.Fatalf("secret = %+v", creds.Secret)
	}
	tok := creds.Data["token"].(string)
	if !e.tokenWorks(tok) {
		t.Fatal("the leased token does not work")
	}
	renewed, err := e.b.RenewSecret(context.Background(), creds.Secret)
	if err != nil || renewed.Secret.TTL != time.Hour {
		t.Fatalf("renew = %+v %v", renewed, err)
	}
	if err := e.b.RevokeSecret(context.Background(), creds.Secret); err != nil {
		t.Fatal(err)
	}
	if e.tokenWorks(tok) {
		t.Fatal("the revoked token still works")
	}
	e.must(logical.DeleteOperation, "role/u", nil)
	if e.ReadRole("u") != nil {
		t.Fatal("the deleted role is still there")
	}
}

// TestRoleValidation: the engine's own messages, and the framework's for
// a field of the wrong type.
func TestRoleValidation(t *testing.T) {
	e := newTestEnv(t)
	cases := []struct {
		data map[string]any
		msg  string
	}{
		{map[string]any{}, "must provide an organization name, team id, or user id"},
		{map[string]any{"user_id": testUser, "organization": testOrg}, "cannot provide a user_id in combination with organization or team_id"},
		{map[string]any{"credential_type": "nope", "organization": testOrg}, "unrecognized credential type: nope"},
		{map[string]any{"user_id": testUser, "ttl": "2h", "max_ttl": "1h"}, "ttl cannot be greater than max_ttl"},
		{map[string]any{"team_id": "team-1", "ttl": "1h"}, "cannot provide description, ttl, or max_ttl with credential_type = team_legacy, try credential_type = team."},
		{map[string]any{"user_id": testUser, "ttl": "later"}, `Field validation failed: error converting input for field "ttl": time: invalid duration "later"`},
	}
	for _, c := range cases {
		resp, err := e.do(logical.UpdateOperation, "role/r", c.data)
		if err != nil || !resp.IsError() || resp.Error() != c.msg {
			t.Errorf("%v: %v %v, want %q", c.data, resp, err, c.msg)
		}
	}
	if _, err := e.do(logical.ReadOperation, "rotate-role/r", nil); err != logical.ErrUnsupportedOperation {
		t.Fatalf("read rotate-role: %v", err)
	}
	if resp, _ := e.do(logical.UpdateOperation, "rotate-role/r", nil); !resp.IsError() || resp.Error() != "missing role entry" {
		t.Fatalf("rotate a missing role: %v", resp)
	}
}
