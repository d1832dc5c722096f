package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	vault "github.com/hashicorp/vault/api"
)

// The system paths, the token store and request parsing as a Vault v1.21.0
// dev server answers them, compared side by side (issue 8).

func TestVaultLeaderAndStatus(t *testing.T) {
	ve := newVaultEnv(t)
	leader, err := ve.v.Sys().Leader()
	if err != nil || leader.HAEnabled || leader.IsSelf || leader.LeaderAddress != "" {
		t.Fatalf("leader = %+v %v", leader, err)
	}
	status, body := ve.rawBody(t, "GET", "sys/leader", "")
	want := `{"ha_enabled":false,"is_self":false,"active_time":"0001-01-01T00:00:00Z","leader_address":"","leader_cluster_address":"","performance_standby":false,"performance_standby_last_remote_wal":0}` + "\n"
	if status != 200 || body != want {
		t.Fatalf("sys/leader = %d %s", status, body)
	}
	seal, err := ve.v.Sys().SealStatus()
	if err != nil || seal.Version != "1.21.0" || seal.BuildDate != "2025-10-22T02:33:18Z" || seal.StorageType != "inmem" {
		t.Fatalf("seal status = %+v %v", seal, err)
	}
	_, health := ve.rawBody(t, "GET", "sys/health", "")
	if strings.Contains(health, "removed_from_cluster") {
		t.Fatalf("sys/health = %s: a server never removed from a cluster omits removed_from_cluster", health)
	}
}

func TestVaultMountTablesAsADevServerListsThem(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	if err := ve.v.Sys().EnableAuthWithOptions("jwt", &vault.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatal(err)
	}
	mounts, err := ve.v.Sys().ListMounts()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]struct {
		typ, version, deprecation string
		local, sealWrap           bool
	}{
		"terraform/": {"terraform", "v0.13.0+builtin", "supported", false, false},
		"secret/":    {"kv", "v0.25.0+builtin", "supported", false, false},
		"sys/":       {"system", "v1.21.0+builtin.vault", "", false, true},
		"cubbyhole/": {"cubbyhole", "v1.21.0+builtin.vault", "", true, false},
		"identity/":  {"identity", "v1.21.0+builtin.vault", "", false, false},
	} {
		m := mounts[path]
		if m == nil || m.Type != want.typ || m.RunningVersion != want.version || m.DeprecationStatus != want.deprecation ||
			m.Local != want.local || m.SealWrap != want.sealWrap || !strings.HasPrefix(m.Accessor, want.typ+"_") {
			t.Errorf("%s = %+v", path, m)
		}
	}
	// vault/api sends "options": null, which stays null.
	if len(mounts) != 5 || mounts["secret/"].Options["version"] != "2" || mounts["terraform/"].Options != nil {
		t.Errorf("mounts = %v; secret/ options %v, terraform/ options %v", mounts, mounts["secret/"].Options, mounts["terraform/"].Options)
	}
	if got := mounts["sys/"].Config.PassthroughRequestHeaders; len(got) != 1 || got[0] != "Accept" {
		t.Errorf("sys/ passthrough headers = %v", got)
	}
	auths, err := ve.v.Sys().ListAuth()
	if err != nil || !strings.HasPrefix(auths["jwt/"].Accessor, "auth_jwt_") || auths["jwt/"].Config.TokenType != "default-service" ||
		auths["jwt/"].RunningVersion != "v0.25.0+builtin" || !strings.HasPrefix(auths["token/"].Accessor, "auth_token_") {
		t.Fatalf("auth = %+v %v", auths, err)
	}
	// The listings and a mount's read repeat their data at the top level,
	// before the envelope.
	_, body := ve.rawBody(t, "GET", "sys/mounts/terraform", "")
	var top map[string]any
	if err := json.Unmarshal([]byte(body), &top); err != nil || top["type"] != "terraform" || top["running_plugin_version"] != "v0.13.0+builtin" ||
		!strings.HasPrefix(body, `{"accessor":`) || top["mount_type"] != "system" {
		t.Fatalf("sys/mounts/terraform = %s", body)
	}
	_, body = ve.rawBody(t, "GET", "sys/auth", "")
	if err := json.Unmarshal([]byte(body), &top); err != nil || top["jwt/"] == nil || top["token/"] == nil || top["data"].(map[string]any)["jwt/"] == nil {
		t.Fatalf("sys/auth = %s", body)
	}
	// Without options a mount has {}; options are key-value pairs.
	status, _ := ve.rawBody(t, "POST", "sys/mounts/other", `{"type":"terraform"}`)
	_, body = ve.rawBody(t, "GET", "sys/mounts/other", "")
	if status != 204 || !strings.Contains(body, `"options":{}`) {
		t.Fatalf("no options = %d %s", status, body)
	}
	status, _ = ve.rawBody(t, "POST", "sys/mounts/third", `{"type":"terraform","options":"x=y"}`)
	_, body = ve.rawBody(t, "GET", "sys/mounts/third", "")
	if status != 204 || !strings.Contains(body, `"options":{"x":"y"}`) {
		t.Fatalf("options x=y = %d %s", status, body)
	}
	// Vault's own mounts cannot be disabled; an unknown auth mount reads as
	// no auth engine.
	status, body = ve.rawBody(t, "DELETE", "sys/mounts/cubbyhole", "")
	if status != 400 || body != `{"errors":["cannot unmount \"cubbyhole/\""]}`+"\n" {
		t.Fatalf("unmount cubbyhole = %d %s", status, body)
	}
	status, body = ve.rawBody(t, "GET", "sys/auth/nope", "")
	if status != 400 || body != `{"errors":["No auth engine at nope/"]}`+"\n" {
		t.Fatalf("sys/auth/nope = %d %s", status, body)
	}
	// Tune reads repeat their data at the top level too; an auth mount's
	// shows its token type.
	_, body = ve.rawBody(t, "GET", "sys/auth/jwt/tune", "")
	if err := json.Unmarshal([]byte(body), &top); err != nil || top["token_type"] != "default-service" || top["default_lease_ttl"] != 2764800.0 {
		t.Fatalf("sys/auth/jwt/tune = %s", body)
	}
}

func TestVaultUIMountsListsWhatTheTokenMayReach(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	// Without a token the list is empty; a mount's entry needs one.
	anon := ve.client(t, "")
	anon.ClearToken()
	s, err := anon.Logical().Read("sys/internal/ui/mounts")
	if err != nil || len(s.Data["secret"].(map[string]any)) != 0 || len(s.Data["auth"].(map[string]any)) != 0 {
		t.Fatalf("anonymous list = %+v %v", s, err)
	}
	_, err = anon.Logical().Read("sys/internal/ui/mounts/terraform")
	wantVaultErr(t, err, 403, "permission denied")
	// Root sees every mount, with effective TTLs and its path.
	m := ve.read(t, "sys/internal/ui/mounts/terraform/creds/x")
	cfg := m.Data["config"].(map[string]any)
	if m.Data["path"] != "terraform/" || cfg["default_lease_ttl"] != json.Number("2764800") || m.MountType != "" {
		t.Fatalf("ui mount = %+v", m)
	}
	// A default-policy token sees cubbyhole/, identity/, sys/ and token/,
	// not the engine.
	tok, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"default"}})
	c := ve.client(t, tok.Auth.ClientToken)
	s, err = c.Logical().Read("sys/internal/ui/mounts")
	if err != nil {
		t.Fatal(err)
	}
	secret := s.Data["secret"].(map[string]any)
	if len(secret) != 3 || secret["cubbyhole/"] == nil || secret["identity/"] == nil || secret["sys/"] == nil || s.Data["auth"].(map[string]any)["token/"] == nil {
		t.Fatalf("default-policy list = %v", s.Data)
	}
	_, err = c.Logical().Read("sys/internal/ui/mounts/terraform")
	wantVaultErr(t, err, 403, `preflight capability check returned 403, please ensure client's policies grant access to path "terraform/"`)
}

func TestVaultTuneAsVaultDoes(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	// vault secrets tune sends both TTLs, "" for the one not given, which
	// leaves it alone.
	if err := ve.v.Sys().TuneMount("terraform", vault.MountConfigInput{DefaultLeaseTTL: "1h", MaxLeaseTTL: "2h"}); err != nil {
		t.Fatal(err)
	}
	if err := ve.v.Sys().TuneMount("terraform", vault.MountConfigInput{Description: strPtr("hello")}); err != nil {
		t.Fatal(err)
	}
	cfg, err := ve.v.Sys().MountConfig("terraform")
	if m, _ := ve.v.Sys().GetMount("terraform"); err != nil || cfg.DefaultLeaseTTL != 3600 || cfg.MaxLeaseTTL != 7200 || m.Description != "hello" {
		t.Fatalf("tune = %+v %v", cfg, err)
	}
	err = ve.v.Sys().TuneMount("terraform", vault.MountConfigInput{DefaultLeaseTTL: "3h"})
	wantVaultErr(t, err, 400, "backend max lease TTL of 7200 would be less than backend default lease TTL of 10800")
	// "system" is the system default again.
	if err := ve.v.Sys().TuneMount("terraform", vault.MountConfigInput{DefaultLeaseTTL: "system", MaxLeaseTTL: "system"}); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := ve.v.Sys().MountConfig("terraform"); cfg.DefaultLeaseTTL != 2764800 || cfg.MaxLeaseTTL != 2764800 {
		t.Fatalf("after system = %+v", cfg)
	}
	err = ve.v.Sys().TuneMount("nope", vault.MountConfigInput{})
	wantVaultErr(t, err, 400, `tune of path "nope/" failed: no mount entry found`)
	_, err = ve.v.Sys().MountConfig("nope")
	wantVaultErr(t, err, 400, `cannot fetch sysview for path "nope/"`)
	err = ve.v.Sys().TuneMount("cubbyhole", vault.MountConfigInput{})
	wantVaultErr(t, err, 400, `cannot tune "cubbyhole/"`)
	// sys/ and the token store can be read.
	sys, err := ve.v.Sys().MountConfig("sys")
	if err != nil || sys.DefaultLeaseTTL != 2764800 || len(sys.PassthroughRequestHeaders) != 1 {
		t.Fatalf("sys tune = %+v %v", sys, err)
	}
}

func strPtr(s string) *string { return &s }

func TestVaultTokenStoreCorners(t *testing.T) {
	ve := newVaultEnv(t)
	// Root tokens are "hvs." and 24 characters; others carry the signed
	// server-side consistent form.
	child, err := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"default"}})
	if err != nil || !serviceTokenRE.MatchString(child.Auth.ClientToken) {
		t.Fatalf("default-policy token = %+v %v", child, err)
	}
	// Unknown fields are ignored with the framework's warning.
	s, err := ve.v.Logical().Write("auth/token/create", map[string]any{"ttl": "1h", "foo": 1, "bar": 2})
	if err != nil || !rootTokenRE.MatchString(s.Auth.ClientToken) || len(s.Warnings) != 1 || s.Warnings[0] != "Endpoint ignored these unrecognized parameters: [bar foo]" {
		t.Fatalf("create with unknown fields = %+v %v", s, err)
	}
	// A batch token that would be root is refused as Vault refuses it.
	_, err = ve.v.Logical().Write("auth/token/create", map[string]any{"type": "batch"})
	wantVaultErr(t, err, 400, "batch tokens cannot be root tokens")
	// No token roles: the list and reads are empty 404s, GET on the list
	// path is not an operation it has.
	status, body := ve.rawBody(t, "LIST", "auth/token/roles", "")
	if status != 404 || body != `{"errors":[]}`+"\n" {
		t.Fatalf("LIST roles = %d %s", status, body)
	}
	status, body = ve.rawBody(t, "GET", "auth/token/roles", "")
	if status != 405 || body != `{"errors":["1 error occurred:\n\t* unsupported operation\n\n"]}`+"\n" {
		t.Fatalf("GET roles = %d %s", status, body)
	}
	if r, err := ve.v.Logical().Read("auth/token/roles/x"); r != nil || err != nil {
		t.Fatalf("role read = %+v %v", r, err)
	}
	// sys/capabilities* and the legacy sys/policy paths repeat their data
	// at the top level.
	_, body = ve.rawBody(t, "POST", "sys/capabilities-self", `{"path":"terraform/creds/x"}`)
	if !strings.HasPrefix(body, `{"capabilities":["root"],"terraform/creds/x":["root"],"request_id":`) {
		t.Fatalf("capabilities-self = %s", body)
	}
	_, body = ve.rawBody(t, "GET", "sys/policy", "")
	if !strings.HasPrefix(body, `{"keys":["default","root"],"policies":["default","root"],"request_id":`) {
		t.Fatalf("sys/policy = %s", body)
	}
	status, body = ve.rawBody(t, "GET", "sys/policies/acl?list=true", "")
	if status != 200 || !strings.HasPrefix(body, `{"request_id":`) {
		t.Fatalf("sys/policies/acl = %s: only the legacy paths repeat their data", body)
	}
}

func TestVaultCubbyholeIsEachTokensOwn(t *testing.T) {
	ve := newVaultEnv(t)
	ve.write(t, "cubbyhole/a/b", map[string]any{"x": 1, "y": map[string]any{"z": true}})
	ve.write(t, "cubbyhole/top", map[string]any{"k": "v"})
	got := ve.read(t, "cubbyhole/a/b")
	if got.Data["x"] != json.Number("1") || got.MountType != "cubbyhole" {
		t.Fatalf("read = %+v", got)
	}
	list, err := ve.v.Logical().List("cubbyhole/")
	if err != nil || len(list.Data["keys"].([]any)) != 2 || list.Data["keys"].([]any)[0] != "a/" {
		t.Fatalf("list = %+v %v", list, err)
	}
	status, body := ve.rawBody(t, "PUT", "cubbyhole/empty", "{}")
	if status != 500 || body != `{"errors":["1 error occurred:\n\t* missing data fields\n\n"]}`+"\n" {
		t.Fatalf("empty write = %d %s", status, body)
	}
	// Another token (the default policy allows cubbyhole/*) sees its own,
	// empty cubbyhole; revoking it drops what it wrote.
	tok, _ := ve.v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"default"}})
	c := ve.client(t, tok.Auth.ClientToken)
	if s, err := c.Logical().Read("cubbyhole/top"); s != nil || err != nil {
		t.Fatalf("other token reads %+v %v", s, err)
	}
	if _, err := c.Logical().Write("cubbyhole/mine", map[string]any{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	if err := ve.v.Auth().Token().RevokeTree(tok.Auth.ClientToken); err != nil {
		t.Fatal(err)
	}
	if s := ve.read(t, "cubbyhole/top"); s.Data["k"] != "v" {
		t.Fatalf("root's cubbyhole = %+v", s)
	}
}

func TestVaultRequestBodiesAndMethods(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	for _, tc := range []struct {
		method, contentType, body string
		status                    int
		want                      string
	}{
		// Structural errors are found by the listener's JSON limits check.
		{"PUT", "application/json", `{bad`, 500, `{"errors":["invalid character 'b' looking for beginning of value"]}`},
		{"PUT", "application/json", `{"a":1,}`, 500, `{"errors":["invalid character '}' after object key-value pair"]}`},
		{"PUT", "application/json", `[1,]`, 500, `{"errors":["invalid character ']' after array element"]}`},
		{"PUT", "application/json", `{"a":`, 500, `{"errors":["malformed JSON, unclosed containers"]}`},
		{"PUT", "application/json", `{"a":"x}`, 500, `{"errors":["malformed JSON, unclosed string"]}`},
		{"PUT", "application/json", `{"a":1}}`, 500, `{"errors":["invalid character '}' after top-level value"]}`},
		// Decoding errors are the handler's.
		{"PUT", "application/json", `[1]`, 400, `{"errors":["error parsing JSON: failed to parse JSON input: json: cannot unmarshal array into Go value of type map[string]interface {}"]}`},
		{"PUT", "application/json", `{"a" 1}`, 400, `{"errors":["error parsing JSON: failed to parse JSON input: invalid character '1' after object key"]}`},
		{"PUT", "application/json", `a=b`, 400, `{"errors":["error parsing JSON: failed to parse JSON input: invalid character 'a' looking for beginning of value"]}`},
		// A form body is a form; a repeated key is one comma-separated value.
		{"PUT", "application/x-www-form-urlencoded", `user_id=a&organization=b`, 400, `{"errors":["cannot provide a user_id in combination with organization or team_id"]}`},
		{"PATCH", "application/json", `{}`, 415, `{"errors":["PATCH requires Content-Type of application/merge-patch+json, provided application/json"]}`},
		{"PATCH", "application/merge-patch+json", `{}`, 405, `{"errors":["1 error occurred:\n\t* unsupported operation\n\n"]}`},
		{"OPTIONS", "", ``, 405, `{"errors":["1 error occurred:\n\t* unsupported operation\n\n"]}`},
		{"FOO", "", ``, 405, `{"errors":[]}`},
	} {
		req, _ := http.NewRequest(tc.method, ve.e.Info().VaultURL+"/v1/terraform/role/zz", strings.NewReader(tc.body))
		req.Header.Set("X-Vault-Token", ve.e.Info().VaultToken)
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || string(b) != tc.want+"\n" {
			t.Errorf("%s %s %q = %d %s, want %d %s", tc.method, tc.contentType, tc.body, resp.StatusCode, b, tc.status, tc.want)
		}
	}
	status, body := ve.rawBody(t, "GET", "terraform/role?list=maybe", "")
	if status != 400 || body != `{"errors":[]}`+"\n" {
		t.Errorf("list=maybe = %d %s", status, body)
	}
	if r, err := ve.v.Logical().Read("terraform/role/zz"); r != nil || err != nil {
		t.Fatalf("a refused write stored a role: %+v %v", r, err)
	}
}

func TestVaultEnableKeepsItsFlags(t *testing.T) {
	ve := newVaultEnv(t)
	err := ve.v.Sys().Mount("tf3", &vault.MountInput{Type: "terraform", Description: "x", Local: true, SealWrap: true,
		ExternalEntropyAccess: true, Options: map[string]string{"a": "b"}, Config: vault.MountConfigInput{DefaultLeaseTTL: "1h", MaxLeaseTTL: "2h"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ve.v.Sys().GetMount("tf3")
	if err != nil || !m.Local || !m.SealWrap || !m.ExternalEntropyAccess || m.Options["a"] != "b" || m.Config.DefaultLeaseTTL != 3600 || m.Description != "x" {
		t.Fatalf("mount = %+v %v", m, err)
	}
}

func TestVaultListLeases(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde"})
	creds := ve.read(t, "terraform/creds/u")
	// Tokens are leases too: the dev root token's sits under
	// auth/token/create.
	for prefix, want := range map[string]string{
		"sys/leases/lookup/":                   "auth/,terraform/",
		"sys/leases/lookup/terraform/creds/":   "u/",
		"sys/leases/lookup/terraform/creds/u/": strings.TrimPrefix(creds.LeaseID, "terraform/creds/u/"),
		"sys/leases/lookup/auth/token/":        "create/",
	} {
		s, err := ve.v.Logical().List(prefix)
		if err != nil || s == nil {
			t.Fatalf("LIST %s = %v %v", prefix, s, err)
		}
		var keys []string
		for _, k := range s.Data["keys"].([]any) {
			keys = append(keys, k.(string))
		}
		if strings.Join(keys, ",") != want {
			t.Errorf("LIST %s = %v, want %s", prefix, keys, want)
		}
	}
	if s, err := ve.v.Logical().List("sys/leases/lookup/nope/"); s != nil || err != nil {
		t.Fatalf("LIST nope = %v %v", s, err)
	}
}
