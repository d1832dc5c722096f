package tfc_test

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/ids"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/tfc"
	"github.com/tfcemu/tfcemu/fixtures"
)

func TestOrganizationMembershipsSeededAndOwn(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	ml := must[*tfe.OrganizationMembershipList](t)(c.OrganizationMemberships.List(ctx(), "my-org", &tfe.OrganizationMembershipListOptions{
		Include: []tfe.OrgMembershipIncludeOpt{tfe.OrgMembershipUser, tfe.OrgMembershipTeam},
	}))
	if ml.TotalCount != 2 || len(ml.Items) != 2 {
		t.Fatalf("seeded memberships = %d", ml.TotalCount)
	}
	owner := ml.Items[0]
	if !strings.HasPrefix(owner.ID, "ou-") || !ids.Pattern.MatchString(owner.ID) || owner.Status != tfe.OrganizationMembershipActive ||
		owner.Email != "owner@tfcemu.example" || owner.User == nil || owner.User.Username != "tfcemu-owner" ||
		owner.Organization == nil || owner.Organization.Name != "my-org" || len(owner.Teams) != 1 || owner.Teams[0].Name != "owners" {
		t.Fatalf("owner membership = %+v user %+v teams %+v", owner, owner.User, owner.Teams)
	}
	// The member's own list spans both organizations of the seed.
	status, _, body := e.raw("GET", "/api/v2/organization-memberships?include=organization", e.member, "")
	if status != 200 || strings.Count(body, `"type":"organization-memberships"`) != 2 || !strings.Contains(body, `"type":"organizations"`) {
		t.Fatalf("own memberships: %d %s", status, body)
	}
}

func TestOrganizationMembershipsInviteReadListDelete(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	org := must[*tfe.Organization](t)(c.Organizations.Create(ctx(), tfe.OrganizationCreateOptions{Name: tfe.String("members-org"), Email: tfe.String("o@example.com")}))
	t1 := must[*tfe.Team](t)(c.Teams.Create(ctx(), org.Name, tfe.TeamCreateOptions{Name: tfe.String("t1")}))
	t2 := must[*tfe.Team](t)(c.Teams.Create(ctx(), org.Name, tfe.TeamCreateOptions{Name: tfe.String("t2")}))

	mem := must[*tfe.OrganizationMembership](t)(c.OrganizationMemberships.Create(ctx(), org.Name, tfe.OrganizationMembershipCreateOptions{
		Email: tfe.String("new.person@tfe.local"), Teams: []*tfe.Team{t1, t2},
	}))
	if mem.Status != tfe.OrganizationMembershipInvited || mem.Email != "new.person@tfe.local" || mem.User == nil || mem.User.ID == "" || len(mem.Teams) != 2 {
		t.Fatalf("created = %+v", mem)
	}
	// As go-tfe's own test: create equals a read that includes the user.
	refreshed := must[*tfe.OrganizationMembership](t)(c.OrganizationMemberships.ReadWithOptions(ctx(), mem.ID, tfe.OrganizationMembershipReadOptions{
		Include: []tfe.OrgMembershipIncludeOpt{tfe.OrgMembershipUser},
	}))
	if !reflect.DeepEqual(refreshed, mem) {
		t.Fatalf("read %+v != created %+v", refreshed, mem)
	}
	plain := must[*tfe.OrganizationMembership](t)(c.OrganizationMemberships.Read(ctx(), mem.ID))
	if plain.User.ID != mem.User.ID || plain.User.Username != "" {
		t.Fatalf("read without include = %+v", plain.User)
	}
	_, err := c.OrganizationMemberships.ReadWithOptions(ctx(), mem.ID, tfe.OrganizationMembershipReadOptions{Include: []tfe.OrgMembershipIncludeOpt{"users"}})
	wantErr(t, err, tfe.ErrInvalidIncludeValue)
	_, err = c.OrganizationMemberships.Read(ctx(), "ou-nonexisting")
	wantErr(t, err, tfe.ErrResourceNotFound)

	second := must[*tfe.OrganizationMembership](t)(c.OrganizationMemberships.Create(ctx(), org.Name, tfe.OrganizationMembershipCreateOptions{Email: tfe.String("other@tfe.local")}))
	all := must[*tfe.OrganizationMembershipList](t)(c.OrganizationMemberships.List(ctx(), org.Name, nil))
	if all.TotalCount != 3 { // the creator's active membership and two invitations
		t.Fatalf("total = %d", all.TotalCount)
	}
	for _, tc := range []struct {
		name string
		opts tfe.OrganizationMembershipListOptions
		want []string
	}{
		{"email", tfe.OrganizationMembershipListOptions{Emails: []string{"other@tfe.local", "new.person@tfe.local"}}, []string{mem.ID, second.ID}},
		{"status invited", tfe.OrganizationMembershipListOptions{Status: tfe.OrganizationMembershipInvited}, []string{mem.ID, second.ID}},
		{"status active", tfe.OrganizationMembershipListOptions{Status: tfe.OrganizationMembershipActive}, []string{all.Items[0].ID}},
		{"query", tfe.OrganizationMembershipListOptions{Query: "OTHER@"}, []string{second.ID}},
		{"page past the end", tfe.OrganizationMembershipListOptions{ListOptions: tfe.ListOptions{PageNumber: 999, PageSize: 100}}, nil},
	} {
		got := must[*tfe.OrganizationMembershipList](t)(c.OrganizationMemberships.List(ctx(), org.Name, &tc.opts))
		var gotIDs []string
		for _, m := range got.Items {
			gotIDs = append(gotIDs, m.ID)
		}
		if !reflect.DeepEqual(gotIDs, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, gotIDs, tc.want)
		}
	}

	// The invited user is on both teams.
	users := must[[]*tfe.User](t)(c.TeamMembers.ListUsers(ctx(), t1.ID))
	if len(users) != 1 || users[0].ID != mem.User.ID {
		t.Fatalf("t1 users = %+v", users)
	}
	if err := c.OrganizationMemberships.Delete(ctx(), mem.ID); err != nil {
		t.Fatal(err)
	}
	if users := must[[]*tfe.User](t)(c.TeamMembers.ListUsers(ctx(), t2.ID)); len(users) != 0 {
		t.Fatalf("deleting the membership left %d users on t2", len(users))
	}
	_, err = c.OrganizationMemberships.Read(ctx(), mem.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	if err := c.OrganizationMemberships.Delete(ctx(), "not-an-identifier"); err == nil {
		t.Fatal("deleting an unknown membership succeeded")
	}
}

func TestOrganizationMembershipErrors(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	_, err := c.OrganizationMemberships.Create(ctx(), "my-org", tfe.OrganizationMembershipCreateOptions{Email: tfe.String("not-an-email-address")})
	if err == nil {
		t.Fatal("a bad email was accepted")
	}
	before := must[*tfe.OrganizationMembershipList](t)(c.OrganizationMemberships.List(ctx(), "my-org", nil)).TotalCount
	for _, tc := range []struct {
		name, token, path, body string
		status                  int
		want                    string
	}{
		{"bad email", e.owner, "/api/v2/organizations/my-org/organization-memberships",
			`{"data":{"type":"organization-memberships","attributes":{"email":"nope"}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Email is invalid","source":{"pointer":"/data/attributes/email"}}]}`},
		{"no email", e.owner, "/api/v2/organizations/my-org/organization-memberships",
			`{"data":{"type":"organization-memberships","attributes":{}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Email can't be blank","source":{"pointer":"/data/attributes/email"}}]}`},
		{"already a member", e.owner, "/api/v2/organizations/my-org/organization-memberships",
			`{"data":{"type":"organization-memberships","attributes":{"email":"MEMBER@tfcemu.example"}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Email has already been taken","source":{"pointer":"/data/attributes/email"}}]}`},
		{"team of another org", e.owner, "/api/v2/organizations/my-org/organization-memberships",
			`{"data":{"type":"organization-memberships","attributes":{"email":"x@example.com"},"relationships":{"teams":{"data":[{"type":"teams","id":"team-tfcemuHVTeam1234"}]}}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"teams team-tfcemuHVTeam1234 was not found","source":{"pointer":"/data/relationships/teams"}}]}`},
		{"member may not invite", e.member, "/api/v2/organizations/my-org/organization-memberships",
			`{"data":{"type":"organization-memberships","attributes":{"email":"x@example.com"}}}`, 404,
			`{"errors":[{"status":"404","title":"not found"}]}`},
		{"unknown org", e.owner, "/api/v2/organizations/nope/organization-memberships",
			`{"data":{"type":"organization-memberships","attributes":{"email":"x@example.com"}}}`, 404,
			`{"errors":[{"status":"404","title":"not found"}]}`},
	} {
		status, _, body := e.raw("POST", tc.path, tc.token, tc.body)
		if status != tc.status || body != tc.want {
			t.Errorf("%s: %d %s\nwant %d %s", tc.name, status, body, tc.status, tc.want)
		}
	}
	if after := must[*tfe.OrganizationMembershipList](t)(c.OrganizationMemberships.List(ctx(), "my-org", nil)).TotalCount; after != before {
		t.Fatalf("refused invitations changed the list: %d -> %d", before, after)
	}
	status, _, body := e.raw("GET", "/api/v2/organizations/my-org/organization-memberships?filter[status]=gone", e.owner, "")
	if status != 400 || !strings.Contains(body, `"parameter":"filter[status]"`) {
		t.Fatalf("bad status filter: %d %s", status, body)
	}
	// An owner cannot remove themself; the member cannot remove anyone.
	own := must[*tfe.OrganizationMembershipList](t)(c.OrganizationMemberships.List(ctx(), "my-org", &tfe.OrganizationMembershipListOptions{Emails: []string{"owner@tfcemu.example"}})).Items[0]
	status, _, body = e.raw("DELETE", "/api/v2/organization-memberships/"+own.ID, e.owner, "")
	if status != 403 || body != `{"errors":[{"status":"403","title":"forbidden","detail":"You cannot remove yourself from organizations which you own"}]}` {
		t.Fatalf("self removal: %d %s", status, body)
	}
	err = e.client(e.member).OrganizationMemberships.Delete(ctx(), own.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	if _, err := c.OrganizationMemberships.Read(ctx(), own.ID); err != nil {
		t.Fatalf("refused deletes removed the membership: %v", err)
	}
}

func TestTeamMembers(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	team := must[*tfe.Team](t)(c.Teams.Create(ctx(), "my-org", tfe.TeamCreateOptions{Name: tfe.String("platform")}))
	if err := c.TeamMembers.Add(ctx(), team.ID, tfe.TeamMemberAddOptions{Usernames: []string{"tfcemu-member"}}); err != nil {
		t.Fatal(err)
	}
	users := must[[]*tfe.User](t)(c.TeamMembers.List(ctx(), team.ID))
	if len(users) != 1 || users[0].Username != "tfcemu-member" {
		t.Fatalf("users = %+v", users)
	}
	inv := must[*tfe.OrganizationMembership](t)(c.OrganizationMemberships.Create(ctx(), "my-org", tfe.OrganizationMembershipCreateOptions{Email: tfe.String("invitee@example.com")}))
	if err := c.TeamMembers.Add(ctx(), team.ID, tfe.TeamMemberAddOptions{OrganizationMembershipIDs: []string{inv.ID}}); err != nil {
		t.Fatal(err)
	}
	oms := must[[]*tfe.OrganizationMembership](t)(c.TeamMembers.ListOrganizationMemberships(ctx(), team.ID))
	if len(oms) != 2 || oms[1].ID != inv.ID || oms[1].Status != tfe.OrganizationMembershipInvited {
		t.Fatalf("memberships = %+v", oms)
	}
	read := must[*tfe.Team](t)(c.Teams.Read(ctx(), team.ID))
	if read.UserCount != 2 || len(read.OrganizationMemberships) != 2 || len(read.Users) != 2 {
		t.Fatalf("team = %+v", read)
	}
	listed := must[*tfe.TeamList](t)(c.Teams.List(ctx(), "my-org", &tfe.TeamListOptions{
		Names: []string{"platform"}, Include: []tfe.TeamIncludeOpt{tfe.TeamOrganizationMemberships, tfe.TeamUsers},
	}))
	if len(listed.Items) != 1 || len(listed.Items[0].OrganizationMemberships) != 2 || listed.Items[0].OrganizationMemberships[1].Email != "invitee@example.com" ||
		listed.Items[0].Users[0].Username != "tfcemu-member" {
		t.Fatalf("listed with includes = %+v", listed.Items)
	}
	status, _, body := e.raw("GET", "/api/v2/teams/"+team.ID+"/relationships/organization-memberships?filter[status]=invited", e.owner, "")
	if status != 200 || strings.Count(body, `"type":"organization-memberships"`) != 1 || !strings.Contains(body, inv.ID) {
		t.Fatalf("team memberships filtered: %d %s", status, body)
	}

	// Refusals, each changing nothing.
	for _, tc := range []struct {
		name, token, method, rel, body string
		status                         int
		want                           string
	}{
		{"unknown user", e.owner, "POST", "users", `{"data":[{"type":"users","id":"tfcemu-member"},{"type":"users","id":"ghost"}]}`, 400,
			`{"errors":[{"status":"400","title":"bad request","detail":"User tfcemu-member is already a member of the team","source":{"pointer":"/data/0/id"}}]}`},
		{"user outside the org", e.owner, "POST", "users", `{"data":[{"type":"users","id":"ghost"}]}`, 400,
			`{"errors":[{"status":"400","title":"bad request","detail":"User ghost was not found","source":{"pointer":"/data/0/id"}}]}`},
		{"not on the team", e.owner, "DELETE", "users", `{"data":[{"type":"users","id":"tfcemu-owner"}]}`, 400,
			`{"errors":[{"status":"400","title":"bad request","detail":"User tfcemu-owner is not a member of the team","source":{"pointer":"/data/0/id"}}]}`},
		{"unknown membership", e.owner, "DELETE", "organization-memberships", `{"data":[{"type":"organization-memberships","id":"ou-nope"}]}`, 400,
			`{"errors":[{"status":"400","title":"bad request","detail":"Organization membership ou-nope was not found","source":{"pointer":"/data/0/id"}}]}`},
		{"member lacks manage-membership", e.member, "POST", "users", `{"data":[{"type":"users","id":"tfcemu-owner"}]}`, 404,
			`{"errors":[{"status":"404","title":"not found"}]}`},
	} {
		status, _, body := e.raw(tc.method, "/api/v2/teams/"+team.ID+"/relationships/"+tc.rel, tc.token, tc.body)
		if status != tc.status || body != tc.want {
			t.Errorf("%s: %d %s\nwant %d %s", tc.name, status, body, tc.status, tc.want)
		}
	}
	if users := must[[]*tfe.User](t)(c.TeamMembers.ListUsers(ctx(), team.ID)); len(users) != 2 {
		t.Fatalf("refused requests changed the team: %d users", len(users))
	}

	if err := c.TeamMembers.Remove(ctx(), team.ID, tfe.TeamMemberRemoveOptions{Usernames: []string{"tfcemu-member"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.TeamMembers.Remove(ctx(), team.ID, tfe.TeamMemberRemoveOptions{OrganizationMembershipIDs: []string{inv.ID}}); err != nil {
		t.Fatal(err)
	}
	if users := must[[]*tfe.User](t)(c.TeamMembers.ListUsers(ctx(), team.ID)); len(users) != 0 {
		t.Fatalf("after removal: %+v", users)
	}
	// The owners team never goes empty.
	owners := must[*tfe.TeamList](t)(c.Teams.List(ctx(), "my-org", &tfe.TeamListOptions{Names: []string{"owners"}})).Items[0]
	status, _, body = e.raw("DELETE", "/api/v2/teams/"+owners.ID+"/relationships/users", e.owner, `{"data":[{"type":"users","id":"tfcemu-owner"}]}`)
	if status != 403 || !strings.Contains(body, "owners team") {
		t.Fatalf("emptying owners: %d %s", status, body)
	}
}

func TestAgentTokens(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	pool := must[*tfe.AgentPool](t)(c.AgentPools.Create(ctx(), "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("pool")}))
	tok := must[*tfe.AgentToken](t)(c.AgentTokens.Create(ctx(), pool.ID, tfe.AgentTokenCreateOptions{Description: tfe.String("agent one")}))
	if !strings.HasPrefix(tok.ID, "at-") || !ids.Pattern.MatchString(tok.ID) || !ids.TokenPattern.MatchString(tok.Token) ||
		tok.Description != "agent one" || tok.CreatedBy == nil || tok.CreatedBy.ID != "user-12345abcde" || !tok.CreatedAt.Equal(t0) {
		t.Fatalf("created = %+v", tok)
	}
	read := must[*tfe.AgentToken](t)(c.AgentTokens.Read(ctx(), tok.ID))
	if read.ID != tok.ID || read.Token != "" || read.Description != "agent one" {
		t.Fatalf("read = %+v", read)
	}
	list := must[*tfe.AgentTokenList](t)(c.AgentTokens.List(ctx(), pool.ID))
	if len(list.Items) != 1 || list.Items[0].Token != "" || list.TotalCount != 1 {
		t.Fatalf("list = %+v", list)
	}
	// An agent token opens none of the general API.
	_, err := e.client(tok.Token).Organizations.Read(ctx(), "my-org")
	wantErr(t, err, tfe.ErrUnauthorized)

	status, _, body := e.raw("POST", "/api/v2/agent-pools/"+pool.ID+"/authentication-tokens", e.owner, `{"data":{"type":"agent-tokens","attributes":{"description":" "}}}`)
	if status != 422 || body != `{"errors":[{"status":"422","title":"invalid attribute","detail":"Description can't be blank","source":{"pointer":"/data/attributes/description"}}]}` {
		t.Fatalf("blank description: %d %s", status, body)
	}
	_, err = e.client(e.member).AgentTokens.Create(ctx(), pool.ID, tfe.AgentTokenCreateOptions{Description: tfe.String("x")})
	wantErr(t, err, tfe.ErrResourceNotFound)
	err = e.client(e.member).AgentTokens.Delete(ctx(), tok.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = c.AgentTokens.List(ctx(), "apool-nope")
	wantErr(t, err, tfe.ErrResourceNotFound)
	if n := must[*tfe.AgentTokenList](t)(c.AgentTokens.List(ctx(), pool.ID)).TotalCount; n != 1 {
		t.Fatalf("refused requests changed the tokens: %d", n)
	}

	if err := c.AgentTokens.Delete(ctx(), tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.AgentTokens.Read(ctx(), tok.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)

	// Deleting the pool deletes its tokens.
	other := must[*tfe.AgentToken](t)(c.AgentTokens.Create(ctx(), pool.ID, tfe.AgentTokenCreateOptions{Description: tfe.String("agent two")}))
	if err := c.AgentPools.Delete(ctx(), pool.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.AgentTokens.Read(ctx(), other.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
}

// TestMembershipsAndAgentTokensPersist round-trips both through a snapshot.
func TestMembershipsAndAgentTokensPersist(t *testing.T) {
	seed, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewAt(t0)
	svc := tfc.New(tfc.Config{Seed: seed, Now: clk.Now})
	router := routing.NewRouter()
	svc.Register(router)
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	e := &env{t: t, url: srv.URL, clock: clk, owner: seed.Users[0].Tokens[0].Token}
	c := e.client(e.owner)
	mem := must[*tfe.OrganizationMembership](t)(c.OrganizationMemberships.Create(ctx(), "my-org", tfe.OrganizationMembershipCreateOptions{Email: tfe.String("kept@example.com")}))
	pool := must[*tfe.AgentPool](t)(c.AgentPools.Create(ctx(), "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("kept")}))
	tok := must[*tfe.AgentToken](t)(c.AgentTokens.Create(ctx(), pool.ID, tfe.AgentTokenCreateOptions{Description: tfe.String("kept")}))
	snap := must[json.RawMessage](t)(svc.Snapshot())
	svc.Reset()
	if _, err := c.OrganizationMemberships.Read(ctx(), mem.ID); err == nil {
		t.Fatal("reset kept the membership")
	}
	if err := svc.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got := must[*tfe.OrganizationMembership](t)(c.OrganizationMemberships.Read(ctx(), mem.ID)); got.Email != "kept@example.com" {
		t.Fatalf("restored membership = %+v", got)
	}
	if got := must[*tfe.AgentToken](t)(c.AgentTokens.Read(ctx(), tok.ID)); got.Description != "kept" {
		t.Fatalf("restored token = %+v", got)
	}
	// The restored agent token still opens nothing.
	_, err = e.client(tok.Token).Users.ReadCurrent(ctx())
	wantErr(t, err, tfe.ErrUnauthorized)
	// A snapshot whose membership names an unknown user is refused.
	bad := strings.Replace(string(snap), `"UserID":"`+mem.User.ID+`"`, `"UserID":"user-gone"`, 1)
	if err := svc.Restore(json.RawMessage(bad)); err == nil {
		t.Fatal("restored a membership of an unknown user")
	}
}

// TestRestoreGivesTeamMembersMemberships restores a snapshot written before
// memberships existed: its team members become active members.
func TestRestoreGivesTeamMembersMemberships(t *testing.T) {
	seed, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	svc := tfc.New(tfc.Config{Seed: seed, Now: clock.NewAt(t0).Now})
	snap := must[json.RawMessage](t)(svc.Snapshot())
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(snap, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "Memberships")
	old := must[[]byte](t)(json.Marshal(doc))
	if err := svc.Restore(old); err != nil {
		t.Fatal(err)
	}
	var after struct {
		Memberships []struct{ Org, UserID, Status string }
	}
	if err := json.Unmarshal(must[json.RawMessage](t)(svc.Snapshot()), &after); err != nil {
		t.Fatal(err)
	}
	if len(after.Memberships) != 4 {
		t.Fatalf("memberships after restore = %+v", after.Memberships)
	}
	for _, m := range after.Memberships {
		if m.Status != tfc.MembershipActive {
			t.Fatalf("membership %+v is not active", m)
		}
	}
}
