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

// TestSeedTeamsAreListedOnce checks that a seeded team lives under its seed
// id only: each organization lists exactly the teams its seed names.
func TestSeedTeamsAreListedOnce(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	for org, want := range map[string]int{"my-org": 2, "hashicorp-vault-testing": 2} {
		list := must[*tfe.TeamList](t)(c.Teams.List(ctx(), org, nil))
		seen := map[string]bool{}
		for _, team := range list.Items {
			if seen[team.Name] {
				t.Errorf("%s: team %q listed twice", org, team.Name)
			}
			seen[team.Name] = true
		}
		if len(list.Items) != want {
			t.Errorf("%s: %d teams, want %d", org, len(list.Items), want)
		}
	}
}
