package tfc_test

import (
	"testing"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/fixtures"
)

// TestCISeedFixedTokensOfEveryKind loads the example CI seed and uses each
// of its fixed tokens through go-tfe.
func TestCISeedFixedTokensOfEveryKind(t *testing.T) {
	seed, err := fixtures.Load("../../fixtures/examples/ci-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWithSeed(t, seed, -1)
	org := seed.Organizations[0]
	orgClient := e.client(org.Token.Token)
	u := must[*tfe.User](t)(orgClient.Users.ReadCurrent(ctx()))
	if !u.IsServiceAccount {
		t.Fatalf("organization token user = %+v", u)
	}
	team := e.client(org.Teams[1].Token.Token)
	ws := must[*tfe.Workspace](t)(team.Workspaces.Read(ctx(), "ci-org", "network-prod"))
	if ws.ID != "ws-ciNetworkProd123" || ws.Project.ID != "prj-ciNetworking1234" {
		t.Fatalf("workspace = %+v", ws)
	}
	vars := must[*tfe.VariableList](t)(team.Variables.ListAll(ctx(), ws.ID, nil))
	got := map[string]string{}
	for _, v := range vars.Items {
		got[v.Key] = v.Value
	}
	if got["TFC_WORKLOAD_IDENTITY_AUDIENCE"] != "my-audience" || got["TFC_VAULT_RUN_ROLE"] != "network-prod" || got["region"] != "eu-west-1" {
		t.Fatalf("effective variables = %v", got)
	}
	// The developers team may manage workspaces but not projects.
	_, err = team.Projects.Create(ctx(), "ci-org", tfe.ProjectCreateOptions{Name: "Nope"})
	wantErr(t, err, tfe.ErrResourceNotFound)
}

// TestSeededTeamsAreListedOnce: a seeded team is one team, under the
// seed's id only.
func TestSeededTeamsAreListedOnce(t *testing.T) {
	e := newEnv(t, -1)
	list := must[*tfe.TeamList](t)(e.client(e.owner).Teams.List(ctx(), "my-org", nil))
	seen := map[string]bool{}
	for _, team := range list.Items {
		if seen[team.ID] {
			t.Fatalf("team %s (%s) listed twice", team.ID, team.Name)
		}
		seen[team.ID] = true
	}
	if len(seen) != 2 {
		t.Fatalf("teams of my-org: %d, want owners and developers", len(seen))
	}
}
