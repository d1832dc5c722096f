package vault_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/vault"
)

// snapshotEnv is the emulator's TFC (in-process, on a loopback listener)
// and standalone emulated Vaults whose terraform engine reaches it.
type snapshotEnv struct {
	tfcURL, owner string
}

func newSnapshotEnv(t *testing.T) *snapshotEnv {
	t.Helper()
	e, err := emulator.New(emulator.Config{TFCListen: "127.0.0.1:0", VaultListen: "127.0.0.1:0", RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return &snapshotEnv{tfcURL: e.Info().TFCURL, owner: e.Info().OwnerToken}
}

// vault starts an emulated Vault and a root client of it.
func (se *snapshotEnv) vault(t *testing.T) (*vault.Server, *vaultapi.Client) {
	t.Helper()
	s := vault.New(vault.Config{RootToken: "root", Now: time.Now})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := vaultapi.NewClient(&vaultapi.Config{Address: srv.URL, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken("root")
	return s, c
}

// tfcTokenWorks reports whether TFC accepts a token.
func (se *snapshotEnv) tfcTokenWorks(t *testing.T, token string) bool {
	t.Helper()
	c, err := tfe.NewClient(&tfe.Config{Address: se.tfcURL, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Users.ReadCurrent(context.Background())
	return err == nil
}

func write(t *testing.T, c *vaultapi.Client, path string, data map[string]any) *vaultapi.Secret {
	t.Helper()
	s, err := c.Logical().Write(path, data)
	if err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return s
}

func read(t *testing.T, c *vaultapi.Client, path string) *vaultapi.Secret {
	t.Helper()
	s, err := c.Logical().Read(path)
	if err != nil || s == nil {
		t.Fatalf("read %s: %v %v", path, s, err)
	}
	return s
}

// TestSnapshotRestoreKeepsVault: a snapshot restored into a fresh Vault
// holds the mounts (with their tune), the engine's config and roles, the
// jwt method's config and roles, policies, tokens with their accessors
// and parents, cubbyholes and leases; a lease revoked after the restore
// revokes its TFC token. A bad snapshot is refused and changes nothing.
func TestSnapshotRestoreKeepsVault(t *testing.T) {
	se := newSnapshotEnv(t)
	a, ac := se.vault(t)
	if err := ac.Sys().Mount("terraform/", &vaultapi.MountInput{Type: "terraform"}); err != nil {
		t.Fatal(err)
	}
	if err := ac.Sys().TuneMount("terraform/", vaultapi.MountConfigInput{DefaultLeaseTTL: "1h"}); err != nil {
		t.Fatal(err)
	}
	write(t, ac, "terraform/config", map[string]any{"token": se.owner, "address": se.tfcURL})
	write(t, ac, "terraform/role/u", map[string]any{"user_id": "user-12345abcde"})
	creds := read(t, ac, "terraform/creds/u")
	tfcToken := creds.Data["token"].(string)
	if err := ac.Sys().EnableAuthWithOptions("jwt", &vaultapi.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatal(err)
	}
	write(t, ac, "auth/jwt/config", map[string]any{"jwks_url": se.tfcURL + "/.well-known/jwks", "bound_issuer": se.tfcURL})
	write(t, ac, "auth/jwt/role/r", map[string]any{"role_type": "jwt", "user_claim": "sub", "bound_audiences": "vault.workload.identity"})
	if err := ac.Sys().PutPolicy("p", `path "terraform/*" { capabilities = ["read"] }`); err != nil {
		t.Fatal(err)
	}
	child := write(t, ac, "auth/token/create", map[string]any{"policies": "p", "ttl": "2h"})
	cc, _ := ac.Clone()
	cc.SetToken(child.Auth.ClientToken)
	write(t, cc, "cubbyhole/note", map[string]any{"k": "v"})

	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, bc := se.vault(t)
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if r := read(t, bc, "terraform/role/u"); r.Data["user_id"] != "user-12345abcde" {
		t.Fatalf("role = %v", r.Data)
	}
	if cfg := read(t, bc, "terraform/config"); cfg.Data["address"] != se.tfcURL {
		t.Fatalf("config = %v", cfg.Data)
	}
	if tune, err := bc.Sys().MountConfig("terraform/"); err != nil || tune.DefaultLeaseTTL != 3600 {
		t.Fatalf("tune = %+v %v", tune, err)
	}
	if r := read(t, bc, "auth/jwt/role/r"); r.Data["user_claim"] != "sub" {
		t.Fatalf("jwt role = %v", r.Data)
	}
	if c := read(t, bc, "auth/jwt/config"); c.Data["bound_issuer"] != se.tfcURL {
		t.Fatalf("jwt config = %v", c.Data)
	}
	if p, err := bc.Sys().GetPolicy("p"); err != nil || !strings.Contains(p, "terraform/*") {
		t.Fatalf("policy = %q %v", p, err)
	}
	byAccessor := write(t, bc, "auth/token/lookup-accessor", map[string]any{"accessor": child.Auth.Accessor})
	if byAccessor.Data["orphan"] != false || byAccessor.Data["policies"].([]any)[1] != "p" {
		t.Fatalf("child token = %v", byAccessor.Data)
	}
	bcc, _ := bc.Clone()
	bcc.SetToken(child.Auth.ClientToken)
	if n := read(t, bcc, "cubbyhole/note"); n.Data["k"] != "v" {
		t.Fatalf("cubbyhole = %v", n.Data)
	}

	bad := strings.Replace(string(snap), `"token":"root"`, `"token":"no-such-token"`, 1)
	bad = strings.Replace(bad, `"mount_path":"terraform/"`, `"mount_path":"nowhere/"`, 1)
	if err := b.Restore(json.RawMessage(bad)); err == nil {
		t.Fatal("a snapshot with a lease of an unknown mount was restored")
	}
	if err := b.Restore(json.RawMessage(`{"version":1}`)); err == nil {
		t.Fatal("an empty snapshot was restored")
	}
	if _, err := bc.Logical().Write("sys/leases/lookup", map[string]any{"lease_id": creds.LeaseID}); err != nil {
		t.Fatalf("the refused restore changed the leases: %v", err)
	}

	if !se.tfcTokenWorks(t, tfcToken) {
		t.Fatal("the leased TFC token does not work")
	}
	if err := bc.Sys().Revoke(creds.LeaseID); err != nil {
		t.Fatal(err)
	}
	if se.tfcTokenWorks(t, tfcToken) {
		t.Fatal("revoking the restored lease left its TFC token valid")
	}
}
