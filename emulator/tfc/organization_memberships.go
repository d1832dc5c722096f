package tfc

import (
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Organization membership statuses.
const (
	MembershipActive  = "active"
	MembershipInvited = "invited"
)

// OrganizationMembership is a user's membership of an organization: active
// for the seed's members and an organization's creator, invited for those
// invited by email. A member's teams are the organization's teams that list
// the user, so the two never disagree.
type OrganizationMembership struct {
	ID        string
	Org       string
	UserID    string
	Status    string
	CreatedAt time.Time
	seq       int64
}

func (m *OrganizationMembership) order() int64 { return m.seq }

// membershipOf finds userID's membership of org.
func (st *State) membershipOf(org, userID string) (*OrganizationMembership, bool) {
	for _, m := range st.Memberships {
		if m.Org == org && m.UserID == userID {
			return m, true
		}
	}
	return nil, false
}

// addMembership gives userID a membership of org with status, unless the
// user already has one.
func (st *State) addMembership(org, userID, status string, now time.Time) *OrganizationMembership {
	if m, ok := st.membershipOf(org, userID); ok {
		return m
	}
	m := &OrganizationMembership{ID: newID("ou"), Org: org, UserID: userID, Status: status, CreatedAt: now, seq: st.next()}
	st.Memberships[m.ID] = m
	st.changes.mark("Memberships", m.ID)
	return m
}

// activateTeamMembers gives every user listed by a team of org an active
// membership: the seed and organization creation put users in teams
// directly.
func (st *State) activateTeamMembers(org string, now time.Time) {
	for _, t := range sortedBySeq(st.Teams, func(t *Team) bool { return t.Org == org }) {
		for _, uid := range t.Members {
			st.addMembership(org, uid, MembershipActive, now)
		}
	}
}

// membershipTeams is the teams of a membership that p may see, in creation
// order.
func (st *State) membershipTeams(p principal, m *OrganizationMembership) []*Team {
	var out []*Team
	for _, t := range sortedBySeq(st.Teams, func(t *Team) bool { return t.Org == m.Org && t.hasMember(m.UserID) }) {
		if _, err := st.visibleTeam(p, t.ID); err == nil {
			out = append(out, t)
		}
	}
	return out
}

type membershipAttributes struct {
	Status    string `json:"status"`
	Email     string `json:"email"`
	CreatedAt string `json:"created-at"`
	// IsOrgTwoFactorRequired is shown for invited users only.
	IsOrgTwoFactorRequired *bool `json:"is-org-two-factor-required,omitempty"`
}

// membershipResource is the one representation of a membership.
func (st *State) membershipResource(m *OrganizationMembership, p principal) Resource {
	email := ""
	if u, ok := st.Users[m.UserID]; ok {
		email = u.Email
	}
	attrs := membershipAttributes{Status: m.Status, Email: email, CreatedAt: Timestamp(m.CreatedAt)}
	if m.Status == MembershipInvited {
		no := false
		attrs.IsOrgTwoFactorRequired = &no
	}
	var teamIDs []string
	for _, t := range st.membershipTeams(p, m) {
		teamIDs = append(teamIDs, t.ID)
	}
	return Resource{
		ID: m.ID, Type: "organization-memberships", Attributes: attrs,
		Relationships: map[string]Relationship{
			"organization": toOne("organizations", m.Org),
			"user":         toOne("users", m.UserID),
			"teams":        toMany("teams", teamIDs),
		},
		Links: map[string]string{"self": "/api/v2/organization-memberships/" + m.ID},
	}
}

// membershipIncluded is the included member of a membership document: its
// user, teams and organization as inc asks, each once.
func (st *State) membershipIncluded(p principal, inc map[string]bool, ms []*OrganizationMembership) []Resource {
	var out []Resource
	seen := map[string]bool{}
	add := func(key string, r func() Resource) {
		if !seen[key] {
			seen[key] = true
			out = append(out, r())
		}
	}
	for _, m := range ms {
		if u, ok := st.Users[m.UserID]; ok && inc["user"] {
			add("users/"+u.ID, func() Resource { return userResource(u, p.kind == "user" && p.userID == u.ID) })
		}
		if inc["teams"] {
			for _, t := range st.membershipTeams(p, m) {
				add("teams/"+t.ID, func() Resource { return st.teamResource(t, p) })
			}
		}
		if o, ok := st.Orgs[m.Org]; ok && inc["organization"] {
			add("organizations/"+o.Name, func() Resource { return st.orgResource(o, p) })
		}
	}
	return out
}

// manageMembership is the permission to invite and remove members and to
// change who is on a team.
var manageMembership = func(a TeamAccess) bool { return a.ManageMembership }

// membershipFor returns a membership whose organization p may see; manage
// also asks for the manage-membership permission. Both failures are 404s.
func (st *State) membershipFor(p principal, id string, manage bool) (*OrganizationMembership, error) {
	m, ok := st.Memberships[id]
	if !ok {
		return nil, errNotFound
	}
	var perm func(TeamAccess) bool
	if manage {
		perm = manageMembership
	}
	if _, err := st.requireOrg(p, m.Org, perm); err != nil {
		return nil, err
	}
	return m, nil
}

// membershipInput is what an invitation may carry.
type membershipInput struct {
	Email *string `json:"email"`
}

// validEmail accepts what go-tfe accepts: one bare RFC 5322 address.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s, "@")
}

// emailFilter reads filter[email], sent repeated or comma-separated;
// nil when absent. Emails compare case-insensitively.
func emailFilter(r *http.Request) map[string]bool {
	vals := r.URL.Query()["filter[email]"]
	if len(vals) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, v := range vals {
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" {
				out[strings.ToLower(e)] = true
			}
		}
	}
	return out
}

func (s *Service) createMembership(c *call) (int, any, error) {
	var in membershipInput
	res, err := decodeResource(c.r, "organization-memberships", &in)
	if err != nil {
		return 0, nil, err
	}
	switch {
	case in.Email == nil || strings.TrimSpace(*in.Email) == "":
		return 0, nil, invalidAttribute("/data/attributes/email", "Email can't be blank")
	case !validEmail(*in.Email):
		return 0, nil, invalidAttribute("/data/attributes/email", "Email is invalid")
	}
	teamRefs, err := relationshipRefs(res, "teams")
	if err != nil {
		return 0, nil, err
	}
	email := *in.Email
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.requireOrg(c.p, c.path("org"), manageMembership)
		if err != nil {
			return nil, err
		}
		teamIDs, err := refsIn(teamRefs, func(id string) bool {
			t, ok := st.Teams[id]
			return ok && t.Org == o.Name
		}, "/data/relationships/teams")
		if err != nil {
			return nil, err
		}
		var user *User
		for _, u := range sortedBySeq(st.Users, nil) {
			if u.ServiceFor == nil && strings.EqualFold(u.Email, email) {
				user = u
				break
			}
		}
		if user != nil {
			if _, ok := st.membershipOf(o.Name, user.ID); ok {
				return nil, invalidAttribute("/data/attributes/email", "Email has already been taken")
			}
		} else {
			// TFC makes an account for an address it does not know; the
			// invitee picks a username on signing up.
			user = &User{ID: newID("user"), Username: invitedUsername(st, email), Email: email, CreatedAt: c.now, seq: st.next()}
			st.Users[user.ID] = user
			st.touch("Users", user.ID)
		}
		m := st.addMembership(o.Name, user.ID, MembershipInvited, c.now)
		st.touch("Memberships", m.ID)
		for _, id := range teamIDs {
			if t := st.Teams[id]; !t.hasMember(user.ID) {
				t.Members = append(t.Members, user.ID)
				st.touch("Teams", id)
			}
		}
		// go-tfe compares the created membership with a read that includes
		// the user: TFC's create answers with the user included.
		return Document{Data: st.membershipResource(m, c.p), Included: st.membershipIncluded(c.p, map[string]bool{"user": true}, []*OrganizationMembership{m})}, nil
	})
}

// invitedUsername is the placeholder username of an invited account: the
// address's local part, made unique.
func invitedUsername(st *State, email string) string {
	base, _, _ := strings.Cut(email, "@")
	name := base
	for i := 2; anyOf(st.Users, func(u *User) bool { return strings.EqualFold(u.Username, name) }); i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	return name
}

func (s *Service) listMemberships(c *call) (int, any, error) {
	inc, err := includes(c.r, "user", "teams")
	if err != nil {
		return 0, nil, err
	}
	q := strings.ToLower(c.r.URL.Query().Get("q"))
	emails := emailFilter(c.r)
	status, err := membershipStatusFilter(c)
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		ms := sortedBySeq(st.Memberships, func(m *OrganizationMembership) bool {
			u := st.Users[m.UserID]
			if m.Org != o.Name || u == nil || (status != "" && m.Status != status) {
				return false
			}
			if emails != nil && !emails[strings.ToLower(u.Email)] {
				return false
			}
			return q == "" || strings.Contains(strings.ToLower(u.Email), q) || strings.Contains(strings.ToLower(u.Username), q)
		})
		return membershipPage(c, st, inc, ms)
	})
}

// membershipList pages memberships and adds what inc asks to include for
// the page shown.
func membershipPage(c *call, st *State, inc map[string]bool, ms []*OrganizationMembership) (ListDocument, error) {
	all := make([]Resource, 0, len(ms))
	byID := map[string]*OrganizationMembership{}
	for _, m := range ms {
		all = append(all, st.membershipResource(m, c.p))
		byID[m.ID] = m
	}
	doc, err := paginate(c.r, all)
	if err != nil {
		return doc, err
	}
	var shown []*OrganizationMembership
	for _, r := range doc.Data {
		shown = append(shown, byID[r.ID])
	}
	doc.Included = st.membershipIncluded(c.p, inc, shown)
	return doc, nil
}

// listOwnMemberships lists the caller's memberships, in every organization.
// Team and organization tokens have none.
func (s *Service) listOwnMemberships(c *call) (int, any, error) {
	inc, err := includes(c.r, "user", "teams", "organization")
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		ms := sortedBySeq(st.Memberships, func(m *OrganizationMembership) bool {
			return c.p.kind == "user" && m.UserID == c.p.userID
		})
		return membershipPage(c, st, inc, ms)
	})
}

func (s *Service) readMembership(c *call) (int, any, error) {
	inc, err := includes(c.r, "user", "teams")
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		m, err := st.membershipFor(c.p, c.path("id"), false)
		if err != nil {
			return nil, err
		}
		return Document{Data: st.membershipResource(m, c.p), Included: st.membershipIncluded(c.p, inc, []*OrganizationMembership{m})}, nil
	})
}

// deleteMembership removes a user from the organization and from each of
// its teams. An owner cannot remove themself, as TFC answers.
func (s *Service) deleteMembership(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		m, err := st.membershipFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		if c.p.kind == "user" && c.p.userID == m.UserID && st.isOwner(c.p, m.Org) {
			return nil, newError(http.StatusForbidden, "forbidden", "You cannot remove yourself from organizations which you own")
		}
		owners := st.Teams[st.Orgs[m.Org].OwnersTeamID]
		if owners.hasMember(m.UserID) && len(owners.Members) == 1 {
			return nil, errLastOwner()
		}
		st.removeMembership(m)
		st.touch("Memberships", m.ID)
		return nil, nil
	})
}

// removeMembership deletes a membership and takes its user off the
// organization's teams.
func (st *State) removeMembership(m *OrganizationMembership) {
	for _, t := range st.Teams {
		if t.Org == m.Org && t.hasMember(m.UserID) {
			t.Members = without(t.Members, m.UserID)
			st.changes.mark("Teams", t.ID)
		}
	}
	delete(st.Memberships, m.ID)
	st.changes.mark("Memberships", m.ID)
}

// membershipStatusFilter reads filter[status]: empty, active, invited or
// inactive; anything else is a 400 naming the parameter.
func membershipStatusFilter(c *call) (string, error) {
	status := c.r.URL.Query().Get("filter[status]")
	switch status {
	case "", MembershipActive, MembershipInvited, "inactive":
		return status, nil
	}
	e := badRequest("filter[status] must be one of active, invited, inactive")
	e.Source = &Source{Parameter: "filter[status]"}
	return "", e
}
