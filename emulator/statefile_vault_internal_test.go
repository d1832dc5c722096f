package emulator

import (
	"context"
	"path/filepath"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
	vault "github.com/hashicorp/vault/api"
)

// TestStateFileKeepsVault: with --state-file, Vault's mounts, engine
// config, roles, jwt auth, leases and tokens survive a restart, and a lease
// revoked after the restart revokes its TFC token.
func TestStateFileKeepsVault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	first := startWithStateFile(t, path)
	v := rootVault(t, first)
	must := func(_ *vault.Secret, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Sys().Mount("terraform/", &vault.MountInput{Type: "terraform"}); err != nil {
		t.Fatal(err)
	}
	must(v.Logical().Write("terraform/config", map[string]any{"token": "Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}))
	must(v.Logical().Write("terraform/role/my-role", map[string]any{"user_id": "user-12345abcde"}))
	if err := v.Sys().EnableAuthWithOptions("jwt", &vault.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatal(err)
	}
	issuer := first.Info().Issuer
	must(v.Logical().Write("auth/jwt/config", map[string]any{"oidc_discovery_url": issuer, "bound_issuer": issuer}))
	must(v.Logical().Write("auth/jwt/role/tfc", map[string]any{"role_type": "jwt", "bound_audiences": "vault.workload.identity", "user_claim": "sub", "token_ttl": "20m"}))
	child, err := v.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := v.Logical().Read("terraform/creds/my-role")
	if err != nil {
		t.Fatal(err)
	}
	tfcToken, _ := creds.Data["token"].(string)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startWithStateFile(t, path)
	v2 := rootVault(t, second)
	mounts, err := v2.Sys().ListMounts()
	if err != nil || mounts["terraform/"] == nil || mounts["terraform/"].Type != "terraform" {
		t.Fatalf("mounts after restart: %v %v", mounts, err)
	}
	auths, err := v2.Sys().ListAuth()
	if err != nil || auths["jwt/"] == nil {
		t.Fatalf("auth methods after restart: %v %v", auths, err)
	}
	for _, p := range []string{"terraform/config", "terraform/role/my-role", "auth/jwt/config", "auth/jwt/role/tfc"} {
		if s, err := v2.Logical().Read(p); err != nil || s == nil {
			t.Fatalf("read %s after restart: %v %v", p, s, err)
		}
	}
	if _, err := v2.Auth().Token().Lookup(child.Auth.ClientToken); err != nil {
		t.Fatalf("a Vault token after restart: %v", err)
	}
	if _, err := v2.Sys().Lookup(creds.LeaseID); err != nil {
		t.Fatalf("the lease after restart: %v", err)
	}
	tc, err := tfe.NewClient(&tfe.Config{Address: second.Info().TFCURL, Token: tfcToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.Users.ReadCurrent(context.Background()); err != nil {
		t.Fatalf("the leased TFC token after restart: %v", err)
	}
	if err := v2.Sys().Revoke(creds.LeaseID); err != nil {
		t.Fatalf("revoking the lease after restart: %v", err)
	}
	if _, err := tc.Users.ReadCurrent(context.Background()); err == nil {
		t.Fatal("the TFC token still works after its lease was revoked post-restart")
	}
}
