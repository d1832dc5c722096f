package emulator_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator/admin"
)

// These tests pin fixes from a review: each names what used to go wrong.

// rawAdmin sends an authorized JSON:API request with the owner token.
func (ve *vaultEnv) rawAdmin(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	code, b, _ := send(t, method, ve.e.Info().TFCURL+path, "", map[string]string{
		"Authorization": "Bearer " + ve.e.Info().OwnerToken, "Content-Type": "application/vnd.api+json"}, body)
	return code, b
}

func TestSnapshotKeepsAgentPoolsAndRunsAndRefusesBadOnes(t *testing.T) {
	ve := newVaultEnv(t)
	ctx := context.Background()
	pool, err := ve.tfe.AgentPools.Create(ctx, "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("p1")})
	if err != nil {
		t.Fatal(err)
	}
	run := ve.startRun(t)
	code, snap := ve.rawAdmin(t, "GET", "/_emulator/snapshot", "")
	if code != 200 {
		t.Fatalf("snapshot: %d", code)
	}
	var keysBefore, keysAfter admin.Keys
	ve.adminJSON(t, "GET", "/keys", nil, &keysBefore)
	if code, body := ve.rawAdmin(t, "PUT", "/_emulator/snapshot", snap); code != 204 {
		t.Fatalf("restore: %d %s", code, body)
	}
	if _, err := ve.tfe.AgentPools.Read(ctx, pool.ID); err != nil {
		t.Fatalf("agent pool lost by a snapshot round trip: %v", err)
	}
	if _, err := ve.tfe.Runs.Read(ctx, run.ID); err != nil {
		t.Fatalf("run lost by a snapshot round trip: %v", err)
	}
	for _, bad := range []string{
		`{"version":1,"services":{"tfc":{"Orgs":[null]}}}`,
		`{"version":1,"services":{"identity":{"keys":[]},"tfc":{}}}`,
		`{"version":1,"services":{"tfc":{"Workspaces":[{"ID":"ws-1","Org":"nowhere"}]}}}`,
	} {
		if code, body := ve.rawAdmin(t, "PUT", "/_emulator/snapshot", bad); code != 400 || !strings.Contains(body, "state unchanged") {
			t.Fatalf("bad snapshot %s: %d %s", bad, code, body)
		}
	}
	ve.adminJSON(t, "GET", "/keys", nil, &keysAfter)
	if keysAfter.Active != keysBefore.Active {
		t.Fatal("a refused snapshot changed the signing keys")
	}
	if _, err := ve.tfe.AgentPools.Read(ctx, pool.ID); err != nil {
		t.Fatal("a refused snapshot changed the TFC state")
	}
}

func TestHugePageNumberIsAnEmptyPage(t *testing.T) {
	ve := newVaultEnv(t)
	code, body := ve.rawAdmin(t, "GET", "/api/v2/organizations?page%5Bnumber%5D=9223372036854775807", "")
	var doc struct {
		Data []json.RawMessage `json:"data"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &doc) != nil || len(doc.Data) != 0 {
		t.Fatalf("%d %s", code, body)
	}
}

func TestDeletesCascadeAndRenamesFollow(t *testing.T) {
	ve := newVaultEnv(t)
	ctx := context.Background()
	// A run of a deleted workspace is gone, and advancing it is a 404.
	ws, err := ve.tfe.Workspaces.Create(ctx, "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("short-lived")})
	if err != nil {
		t.Fatal(err)
	}
	run, err := ve.tfe.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws})
	if err != nil {
		t.Fatal(err)
	}
	if err := ve.tfe.Workspaces.DeleteByID(ctx, ws.ID); err != nil {
		t.Fatal(err)
	}
	if code := ve.adminJSON(t, "POST", "/runs/"+run.ID+"/advance", map[string]string{"until": "applied"}, nil); code != 404 {
		t.Fatalf("advancing a deleted workspace's run: %d", code)
	}
	// Renaming an organization takes its pools and modules along.
	pool, _ := ve.tfe.AgentPools.Create(ctx, "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("p")})
	if _, err := ve.tfe.Organizations.Update(ctx, "my-org", tfe.OrganizationUpdateOptions{Name: tfe.String("renamed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ve.tfe.AgentPools.Read(ctx, pool.ID); err != nil {
		t.Fatalf("pool after rename: %v", err)
	}
	mods, err := ve.tfe.RegistryModules.List(ctx, "renamed", nil)
	if err != nil || len(mods.Items) != 1 || mods.Items[0].Namespace != "renamed" {
		t.Fatalf("modules after rename: %+v %v", mods, err)
	}
	// Deleting it takes them away; a new organization of that name starts empty.
	if err := ve.tfe.Organizations.Delete(ctx, "renamed"); err != nil {
		t.Fatal(err)
	}
	if _, err := ve.tfe.Organizations.Create(ctx, tfe.OrganizationCreateOptions{Name: tfe.String("renamed"), Email: tfe.String("a@b.c")}); err != nil {
		t.Fatal(err)
	}
	pools, _ := ve.tfe.AgentPools.List(ctx, "renamed", nil)
	mods, _ = ve.tfe.RegistryModules.List(ctx, "renamed", nil)
	if len(pools.Items) != 0 || len(mods.Items) != 0 {
		t.Fatalf("a new organization inherited %d pools and %d modules", len(pools.Items), len(mods.Items))
	}
}

func TestFailOnlyARunningPhaseAndValidateWorkspacePools(t *testing.T) {
	ve := newVaultEnv(t)
	ctx := context.Background()
	run := ve.startRun(t)
	ve.adminJSON(t, "POST", "/runs/"+run.ID+"/advance", map[string]string{"until": "applied"}, nil)
	if code := ve.adminJSON(t, "POST", "/runs/"+run.ID+"/fail", map[string]string{"phase": "plan", "message": "x"}, nil); code != 409 {
		t.Fatalf("failing a finished run: %d", code)
	}
	if r, _ := ve.tfe.Runs.Read(ctx, run.ID); r.Status != tfe.RunApplied {
		t.Fatalf("status = %s", r.Status)
	}
	_, err := ve.tfe.Workspaces.UpdateByID(ctx, wsID, tfe.WorkspaceUpdateOptions{ExecutionMode: tfe.String("agent"), AgentPoolID: tfe.String("apool-nope")})
	if err == nil || !strings.Contains(err.Error(), "was not found in organization my-org") {
		t.Fatalf("unknown pool: %v", err)
	}
}
