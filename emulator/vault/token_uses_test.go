package vault_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
	vaultapi "github.com/hashicorp/vault/api"
)

// limitedClient creates a token with num_uses and policies (as root) and
// a client that uses it.
func limitedClient(t *testing.T, root *vaultapi.Client, uses int, policies ...string) *vaultapi.Client {
	t.Helper()
	s, err := root.Auth().Token().Create(&vaultapi.TokenCreateRequest{Policies: policies, NumUses: uses})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := root.Clone()
	c.SetToken(s.Auth.ClientToken)
	return c
}

// credsRole mounts the terraform engine reaching se's TFC, with the
// user role u (the owner's user) and the policy creds that reads its
// credentials.
func credsRole(t *testing.T, se *snapshotEnv, root *vaultapi.Client) {
	t.Helper()
	if err := root.Sys().Mount("terraform/", &vaultapi.MountInput{Type: "terraform"}); err != nil {
		t.Fatal(err)
	}
	write(t, root, "terraform/config", map[string]any{"token": se.owner, "address": se.tfcURL})
	write(t, root, "terraform/role/u", map[string]any{"user_id": "user-12345abcde"})
	if err := root.Sys().PutPolicy("creds", `path "terraform/creds/u" { capabilities = ["read"] }`); err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless err is Vault's answer with this status and one error.
func wantErr(t *testing.T, err error, status int, msg string) {
	t.Helper()
	var re *vaultapi.ResponseError
	if !errors.As(err, &re) || re.StatusCode != status || len(re.Errors) != 1 || re.Errors[0] != msg {
		t.Fatalf("err = %v, want %d %q", err, status, msg)
	}
}

// TestLimitedTokenRefusedRequestTakesAUse: a request the token's policies
// deny takes a use as in Vault (request_handling.go uses the token before
// it answers CheckToken's error), and on its last use revokes it.
func TestLimitedTokenRefusedRequestTakesAUse(t *testing.T) {
	se := newSnapshotEnv(t)
	_, root := se.vault(t)
	c := limitedClient(t, root, 2, "default")
	_, err := c.Logical().Read("sys/mounts")
	wantErr(t, err, 403, "1 error occurred:\n\t* permission denied\n\n")
	last, err := c.Auth().Token().LookupSelf()
	if err != nil || last.Data["num_uses"] != json.Number("-1") {
		t.Fatalf("the last use's lookup-self = %v %v", last, err)
	}
	_, err = c.Auth().Token().LookupSelf()
	wantErr(t, err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")

	// A denied last use revokes the token too.
	one := limitedClient(t, root, 1, "default")
	_, err = one.Logical().Read("sys/mounts")
	wantErr(t, err, 403, "1 error occurred:\n\t* permission denied\n\n")
	_, err = root.Auth().Token().Lookup(one.Token())
	wantErr(t, err, 403, "bad token")
}

// TestLimitedTokenLastUseWithholdsLeasedSecret: credentials read on a
// token's last use are revoked with it, and the answer says so in
// Vault's words instead of returning them.
func TestLimitedTokenLastUseWithholdsLeasedSecret(t *testing.T) {
	se := newSnapshotEnv(t)
	_, root := se.vault(t)
	credsRole(t, se, root)
	tfc, err := tfe.NewClient(&tfe.Config{Address: se.tfcURL, Token: se.owner})
	if err != nil {
		t.Fatal(err)
	}
	userTokens := func() int {
		l, err := tfc.UserTokens.List(context.Background(), "user-12345abcde")
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Items)
	}
	before := userTokens()

	c := limitedClient(t, root, 2, "creds")
	creds, err := c.Logical().Read("terraform/creds/u")
	if err != nil || creds.LeaseID == "" {
		t.Fatalf("the first use's creds = %v %v", creds, err)
	}
	_, err = c.Logical().Read("terraform/creds/u")
	wantErr(t, err, 400, "Secret cannot be returned; token had one use left, so leased credentials were immediately revoked.")
	if n := userTokens(); n != before {
		t.Fatalf("the user has %d tokens, %d before: the last use's credentials (or the first's) were not revoked", n, before)
	}
	if l, err := root.Logical().List("sys/leases/lookup/terraform/creds/u"); err != nil || l != nil {
		t.Fatalf("leases left = %v %v", l, err)
	}
}

// TestRestoreRevokesATokenSavedOnItsLastUse: a snapshot taken while a
// token's last request was served holds it used up (num_uses -1) and not
// yet revoked; a restore finishes the revocation, its leases (and their
// TFC tokens) with it.
func TestRestoreRevokesATokenSavedOnItsLastUse(t *testing.T) {
	se := newSnapshotEnv(t)
	a, root := se.vault(t)
	credsRole(t, se, root)
	c := limitedClient(t, root, 2, "creds")
	creds, err := c.Logical().Read("terraform/creds/u")
	if err != nil {
		t.Fatal(err)
	}
	tfcToken, _ := creds.Data["token"].(string)
	if !se.tfcTokenWorks(t, tfcToken) {
		t.Fatal("the credentials do not work in TFC")
	}
	raw, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// The snapshot as a save during the token's second (last) request
	// would have it.
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, tok := range doc["tokens"].([]any) {
		if m := tok.(map[string]any); m["NumUses"] == float64(1) {
			m["NumUses"], marked = -1, marked+1
		}
	}
	if marked != 1 {
		t.Fatalf("%d tokens with one use left in the snapshot", marked)
	}
	raw, _ = json.Marshal(doc)

	b, rootB := se.vault(t)
	if err := b.Restore(raw); err != nil {
		t.Fatal(err)
	}
	_, err = rootB.Auth().Token().Lookup(c.Token())
	wantErr(t, err, 403, "bad token")
	if se.tfcTokenWorks(t, tfcToken) {
		t.Fatal("the lease of the token pending revocation was not revoked in TFC")
	}
	if l, err := rootB.Logical().List("sys/leases/lookup/terraform/creds/u"); err != nil || l != nil {
		t.Fatalf("leases left = %v %v", l, err)
	}
}
