package tfc

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// teamMembers changes who is on a team, by username (kind "users") or by
// organization membership id (kind "organization-memberships"), as go-tfe's
// TeamMembers.Add and Remove send. Every named member is checked before
// any is changed, so a refused request changes nothing.
func (s *Service) teamMembers(kind string, add bool) handler {
	return func(c *call) (int, any, error) {
		refs, err := decodeRefs(c.r, kind)
		if err != nil {
			return 0, nil, err
		}
		if len(refs) == 0 {
			return 0, nil, invalidAttribute("/data", "At least one "+strings.TrimSuffix(kind, "s")+" must be given")
		}
		return s.update(http.StatusNoContent, func(st *State) (any, error) {
			t, err := st.membershipTeam(c.p, c.path("id"))
			if err != nil {
				return nil, err
			}
			st.touch("Teams", t.ID)
			userIDs := make([]string, 0, len(refs))
			for i, ref := range refs {
				uid, name, problem := st.teamMemberRef(t, kind, ref.ID)
				if problem == "" {
					switch {
					case add && t.hasMember(uid):
						problem = fmt.Sprintf("User %s is already a member of the team", name)
					case !add && !t.hasMember(uid):
						problem = fmt.Sprintf("User %s is not a member of the team", name)
					}
				}
				if problem != "" {
					e := badRequest(problem)
					e.Source = &Source{Pointer: fmt.Sprintf("/data/%d/id", i)}
					return nil, e
				}
				userIDs = append(userIDs, uid)
			}
			if add {
				for _, uid := range userIDs {
					if !t.hasMember(uid) {
						t.Members = append(t.Members, uid)
					}
				}
				return nil, nil
			}
			left := t.Members
			for _, uid := range userIDs {
				left = without(left, uid)
			}
			if st.Orgs[t.Org].OwnersTeamID == t.ID && len(left) == 0 {
				return nil, errLastOwner()
			}
			t.Members = left
			return nil, nil
		})
	}
}

// membershipTeam returns a team whose members p may change: a team p sees,
// in an organization where p may manage membership.
func (st *State) membershipTeam(p principal, id string) (*Team, error) {
	t, err := st.visibleTeam(p, id)
	if err != nil {
		return nil, err
	}
	if !st.can(p, t.Org, manageMembership) {
		return nil, errNotFound
	}
	return t, nil
}

// teamMemberRef resolves one member a team request names: a username of a
// user with a membership of the team's organization, or one of its
// membership ids. It gives the user id and a name for messages, or why the
// reference is refused.
func (st *State) teamMemberRef(t *Team, kind, ref string) (string, string, string) {
	if kind == "organization-memberships" {
		m, ok := st.Memberships[ref]
		if !ok || m.Org != t.Org {
			return "", "", fmt.Sprintf("Organization membership %s was not found", ref)
		}
		return m.UserID, st.Users[m.UserID].Username, ""
	}
	for _, u := range st.Users {
		if u.ServiceFor == nil && u.Username == ref {
			if _, ok := st.membershipOf(t.Org, u.ID); !ok {
				return "", "", fmt.Sprintf("User %s is not a member of the organization", ref)
			}
			return u.ID, ref, ""
		}
	}
	return "", "", fmt.Sprintf("User %s was not found", ref)
}

// teamMemberships is the memberships of a team's users, in the order the
// users joined the team.
func (st *State) teamMemberships(t *Team) []*OrganizationMembership {
	var out []*OrganizationMembership
	for _, uid := range t.Members {
		if m, ok := st.membershipOf(t.Org, uid); ok {
			out = append(out, m)
		}
	}
	return out
}

// listTeamMemberships is GET /teams/:id/relationships/organization-memberships.
func (s *Service) listTeamMemberships(c *call) (int, any, error) {
	status, err := membershipStatusFilter(c)
	if err != nil {
		return 0, nil, err
	}
	sortBy := c.r.URL.Query().Get("sort")
	if sortBy != "" && sortBy != "status" && sortBy != "-status" {
		e := badRequest(fmt.Sprintf("sort %q is not one of status, -status", sortBy))
		e.Source = &Source{Parameter: "sort"}
		return 0, nil, e
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		t, err := st.visibleTeam(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		var ms []*OrganizationMembership
		for _, m := range st.teamMemberships(t) {
			if status == "" || m.Status == status {
				ms = append(ms, m)
			}
		}
		if sortBy != "" {
			desc := sortBy == "-status"
			sort.SliceStable(ms, func(i, j int) bool {
				if desc {
					return ms[i].Status > ms[j].Status
				}
				return ms[i].Status < ms[j].Status
			})
		}
		return membershipPage(c, st, nil, ms)
	})
}
