package tfc_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/tfc"
	"github.com/tfcemu/tfcemu/fixtures"
)

// TestTeamAccessSurvivesSnapshot: team accesses are persisted and restored,
// and a snapshot whose accesses point at what it does not hold is refused.
func TestTeamAccessSurvivesSnapshot(t *testing.T) {
	seed := must[*fixtures.Seed](t)(fixtures.Default())
	svc := tfc.New(tfc.Config{Seed: seed, Now: clock.NewAt(t0).Now})
	router := routing.NewRouter()
	svc.Register(router)
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	e := &env{t: t, url: srv.URL}
	for _, u := range seed.Users {
		for _, tok := range u.Tokens {
			if tok.Owner {
				e.owner = tok.Token
			}
		}
	}
	c := e.client(e.owner)
	w := must[*tfe.Workspace](t)(c.Workspaces.Read(ctx(), "my-org", "my-workspace"))
	p := must[*tfe.Project](t)(c.Projects.Read(ctx(), w.Project.ID))
	dev := must[*tfe.Team](t)(c.Teams.Read(ctx(), developers))
	ta := must[*tfe.TeamAccess](t)(c.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessCustom),
		Variables: tfe.VariablesPermission(tfe.VariablesPermissionWrite), Team: dev, Workspace: w}))
	tpa := must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Add(ctx(), tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessMaintain, Team: dev, Project: p}))

	snap := must[json.RawMessage](t)(svc.Snapshot())
	svc.Reset()
	_, err := c.TeamAccess.Read(ctx(), ta.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	if err := svc.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got := must[*tfe.TeamAccess](t)(c.TeamAccess.Read(ctx(), ta.ID)); got.Access != tfe.AccessCustom || got.Variables != tfe.VariablesPermissionWrite {
		t.Fatalf("restored %+v", got)
	}
	if got := must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Read(ctx(), tpa.ID)); got.Access != tfe.TeamProjectAccessMaintain {
		t.Fatalf("restored %+v", got)
	}
	// The member's grants work again after the restore.
	must[*tfe.Workspace](t)(e.client(memberToken(seed)).Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{Description: tfe.String("restored")}))

	bad := strings.Replace(string(snap), `"WorkspaceID":"`+w.ID+`"`, `"WorkspaceID":"ws-gone"`, 1)
	if bad == string(snap) {
		t.Fatal("the snapshot does not name the access's workspace")
	}
	if err := svc.Restore(json.RawMessage(bad)); err == nil || !strings.Contains(err.Error(), "team workspace access") {
		t.Fatalf("a dangling access restored: %v", err)
	}
	must[*tfe.TeamAccess](t)(c.TeamAccess.Read(ctx(), ta.ID))

	// Deleting an organization takes its team accesses along: the state
	// after it holds nothing dangling, so it snapshots and restores.
	must[*tfe.Organization](t)(c.Organizations.Create(ctx(), tfe.OrganizationCreateOptions{Name: tfe.String("doomed"), Email: tfe.String("o@example.com")}))
	gw := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "doomed", tfe.WorkspaceCreateOptions{Name: tfe.String("w")}))
	gt := must[*tfe.Team](t)(c.Teams.Create(ctx(), "doomed", tfe.TeamCreateOptions{Name: tfe.String("t")}))
	gone := must[*tfe.TeamAccess](t)(c.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessRead), Team: gt, Workspace: gw}))
	must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Add(ctx(), tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessRead, Team: gt, Project: gw.Project}))
	must[struct{}](t)(struct{}{}, c.Organizations.Delete(ctx(), "doomed"))
	_, err = c.TeamAccess.Read(ctx(), gone.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	after := must[json.RawMessage](t)(svc.Snapshot())
	if strings.Contains(string(after), gt.ID) {
		t.Fatal("the deleted organization's team accesses are still in the snapshot")
	}
	if err := svc.Restore(after); err != nil {
		t.Fatalf("restoring after the organization went: %v", err)
	}
}

func memberToken(seed *fixtures.Seed) string {
	for _, u := range seed.Users {
		if u.ID == "user-tfcemuMember1234" {
			return u.Tokens[0].Token
		}
	}
	return ""
}
