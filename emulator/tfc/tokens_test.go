package tfc_test

import (
	"reflect"
	"sync"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator/ids"
)

func TestClientSeesHCPTerraform(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	if !c.IsCloud() || c.RemoteAPIVersion() != "2.6" {
		t.Fatalf("IsCloud %v, API version %q", c.IsCloud(), c.RemoteAPIVersion())
	}
	u := must[*tfe.User](t)(c.Users.ReadCurrent(ctx()))
	if u.ID != "user-12345abcde" || u.AvatarURL == "" || u.TwoFactor == nil || u.Permissions == nil || u.IsServiceAccount {
		t.Fatalf("current user = %+v", u)
	}
	_, err := e.client("nope.atlasv1.nope").Users.ReadCurrent(ctx())
	wantErr(t, err, tfe.ErrUnauthorized)
}

func TestOrganizationTokenReplaceRevokesTheOld(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	first := must[*tfe.OrganizationToken](t)(c.OrganizationTokens.Create(ctx(), "my-org"))
	if !ids.TokenPattern.MatchString(first.Token) || first.CreatedBy.User == nil || first.CreatedBy.User.ID != "user-12345abcde" {
		t.Fatalf("token = %+v", first)
	}
	if want := first.CreatedAt.AddDate(2, 0, 0); !first.ExpiredAt.Equal(want) {
		t.Fatalf("expired-at %v, want created-at + 2 years %v", first.ExpiredAt, want)
	}
	// The organization token speaks for a service user of the organization.
	su := must[*tfe.User](t)(e.client(first.Token).Users.ReadCurrent(ctx()))
	if !su.IsServiceAccount {
		t.Fatalf("org token's user = %+v", su)
	}
	second := must[*tfe.OrganizationToken](t)(c.OrganizationTokens.Create(ctx(), "my-org"))
	if second.ID == first.ID || second.Token == first.Token {
		t.Fatal("regenerating returned the same token")
	}
	_, err := e.client(first.Token).Users.ReadCurrent(ctx())
	wantErr(t, err, tfe.ErrUnauthorized)
	read := must[*tfe.OrganizationToken](t)(c.OrganizationTokens.Read(ctx(), "my-org"))
	if read.ID != second.ID || read.Token != "" {
		t.Fatalf("read = %+v", read)
	}
	// The audit trails token is a separate one.
	audit := must[*tfe.OrganizationToken](t)(c.OrganizationTokens.CreateWithOptions(ctx(), "my-org", tfe.OrganizationTokenCreateOptions{TokenType: tfe.Ptr(tfe.AuditTrailToken)}))
	if got := must[*tfe.OrganizationToken](t)(c.OrganizationTokens.Read(ctx(), "my-org")); got.ID != second.ID {
		t.Fatalf("audit token replaced the organization token: %s", got.ID)
	}
	if err := c.OrganizationTokens.Delete(ctx(), "my-org"); err != nil {
		t.Fatal(err)
	}
	_, err = c.OrganizationTokens.Read(ctx(), "my-org")
	wantErr(t, err, tfe.ErrResourceNotFound)
	wantErr(t, c.OrganizationTokens.Delete(ctx(), "my-org"), tfe.ErrResourceNotFound)
	must[*tfe.OrganizationToken](t)(c.OrganizationTokens.ReadWithOptions(ctx(), "my-org", tfe.OrganizationTokenReadOptions{TokenType: tfe.Ptr(tfe.AuditTrailToken)}))
	_ = audit
}

func TestExplicitExpiryRoundTripsAndIsEnforcedOnTheVirtualClock(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	exp := e.clock.Now().Add(time.Hour).Truncate(time.Second)
	tok := must[*tfe.UserToken](t)(c.UserTokens.Create(ctx(), "user-12345abcde", tfe.UserTokenCreateOptions{Description: "short", ExpiredAt: &exp}))
	if !tok.ExpiredAt.Equal(exp) {
		t.Fatalf("expired-at %v, want %v", tok.ExpiredAt, exp)
	}
	user := e.client(tok.Token)
	must[*tfe.User](t)(user.Users.ReadCurrent(ctx()))
	if err := e.clock.Advance(time.Hour - time.Second); err != nil {
		t.Fatal(err)
	}
	must[*tfe.User](t)(user.Users.ReadCurrent(ctx()))
	_ = e.clock.Advance(time.Second)
	_, err := user.Users.ReadCurrent(ctx())
	wantErr(t, err, tfe.ErrUnauthorized)

	past := e.clock.Now().Add(-time.Minute)
	_, err = c.UserTokens.Create(ctx(), "user-12345abcde", tfe.UserTokenCreateOptions{ExpiredAt: &past})
	wantErrText(t, err, "Expired at must be in the future")
}

func TestUserTokensCreateReadListDelete(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	created := must[*tfe.UserToken](t)(c.UserTokens.Create(ctx(), "user-12345abcde", tfe.UserTokenCreateOptions{Description: "ci"}))
	read := must[*tfe.UserToken](t)(c.UserTokens.Read(ctx(), created.ID))
	created.Token = ""
	if !reflect.DeepEqual(read, created) || read.CreatedBy.User == nil {
		t.Fatalf("read %+v differs from create %+v", read, created)
	}
	list := must[*tfe.UserTokenList](t)(c.UserTokens.List(ctx(), "user-12345abcde"))
	found := false
	for _, tk := range list.Items {
		found = found || tk.ID == created.ID
	}
	if !found {
		t.Fatal("list lacks the new token")
	}
	// Another user sees an empty list and cannot create tokens for us.
	member := e.client(e.member)
	if l := must[*tfe.UserTokenList](t)(member.UserTokens.List(ctx(), "user-12345abcde")); len(l.Items) != 0 {
		t.Fatalf("member sees %d of the owner's tokens", len(l.Items))
	}
	_, err := member.UserTokens.Create(ctx(), "user-12345abcde", tfe.UserTokenCreateOptions{})
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = c.UserTokens.Create(ctx(), "user-doesnotexist0", tfe.UserTokenCreateOptions{})
	wantErr(t, err, tfe.ErrResourceNotFound)

	if err := c.UserTokens.Delete(ctx(), created.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, c.UserTokens.Delete(ctx(), created.ID), tfe.ErrResourceNotFound)
}

func TestTeamTokensLegacyAndMultiple(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	team := "team-tfcemuDevsMyorg1"
	legacy := must[*tfe.TeamToken](t)(c.TeamTokens.Create(ctx(), team))
	if legacy.Description != nil || legacy.Team == nil || legacy.Team.ID != team {
		t.Fatalf("legacy token = %+v", legacy)
	}
	d1, empty := "deploy", ""
	multi := must[*tfe.TeamToken](t)(c.TeamTokens.CreateWithOptions(ctx(), team, tfe.TeamTokenCreateOptions{Description: &d1}))
	must[*tfe.TeamToken](t)(c.TeamTokens.CreateWithOptions(ctx(), team, tfe.TeamTokenCreateOptions{Description: &empty}))
	_, err := c.TeamTokens.CreateWithOptions(ctx(), team, tfe.TeamTokenCreateOptions{Description: &d1})
	if err == nil || err.Error() != tfe.ErrInvalidDescriptionConflict.Error() {
		t.Fatalf("duplicate description: err = %v, want %v", err, tfe.ErrInvalidDescriptionConflict)
	}
	// A legacy regeneration leaves the described tokens alone.
	legacy2 := must[*tfe.TeamToken](t)(c.TeamTokens.Create(ctx(), team))
	_, err = e.client(legacy.Token).Users.ReadCurrent(ctx())
	wantErr(t, err, tfe.ErrUnauthorized)
	must[*tfe.User](t)(e.client(multi.Token).Users.ReadCurrent(ctx()))
	if got := must[*tfe.TeamToken](t)(c.TeamTokens.Read(ctx(), team)); got.ID != legacy2.ID || got.Description != nil {
		t.Fatalf("legacy read = %+v", got)
	}
	byID := must[*tfe.TeamToken](t)(c.TeamTokens.ReadByID(ctx(), multi.ID))
	if byID.Description == nil || *byID.Description != "deploy" || byID.Team.ID != team {
		t.Fatalf("read by id = %+v", byID)
	}
	list := must[*tfe.TeamTokenList](t)(c.TeamTokens.List(ctx(), "my-org", &tfe.TeamTokenListOptions{Query: "develop"}))
	if len(list.Items) != 3 {
		t.Fatalf("team token list has %d items, want 3", len(list.Items))
	}
	// The Vault plugin revokes a described team token by id.
	if err := c.UserTokens.Delete(ctx(), multi.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.client(multi.Token).Users.ReadCurrent(ctx())
	wantErr(t, err, tfe.ErrUnauthorized)
	if err := c.TeamTokens.Delete(ctx(), team); err != nil {
		t.Fatal(err)
	}
	_, err = c.TeamTokens.Read(ctx(), team)
	wantErr(t, err, tfe.ErrResourceNotFound)
}

func TestMembersCannotManageOwnersTokens(t *testing.T) {
	e := newEnv(t, -1)
	m := e.client(e.member)
	_, err := m.OrganizationTokens.Create(ctx(), "my-org")
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = m.TeamTokens.Create(ctx(), "team-tfcemuownersMyor")
	wantErr(t, err, tfe.ErrResourceNotFound)
	// A member may manage the tokens of their own team (allowed by default).
	must[*tfe.TeamToken](t)(m.TeamTokens.Create(ctx(), "team-tfcemuDevsMyorg1"))
}

// TestConcurrentOrganizationTokenCreation shows one organization never
// ends with two working tokens, however many creations race.
func TestConcurrentOrganizationTokenCreation(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	const n = 16
	tokens := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := c.OrganizationTokens.Create(ctx(), "my-org")
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = tok.Token
		}()
	}
	wg.Wait()
	working := 0
	for _, tok := range tokens {
		if _, err := e.client(tok).Users.ReadCurrent(ctx()); err == nil {
			working++
		}
	}
	if working != 1 {
		t.Fatalf("%d organization tokens work after %d concurrent creations, want 1", working, n)
	}
}
