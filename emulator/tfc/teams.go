package tfc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

type teamPermissions struct {
	CanUpdateMembership bool `json:"can-update-membership"`
	CanDestroy          bool `json:"can-destroy"`
	CanUpdateOrgAccess  bool `json:"can-update-organization-access"`
	CanUpdateAPIToken   bool `json:"can-update-api-token"`
	CanUpdateVisibility bool `json:"can-update-visibility"`
}

type teamAttributes struct {
	Name                       string          `json:"name"`
	IsUnified                  bool            `json:"is-unified"`
	UsersCount                 int             `json:"users-count"`
	Visibility                 string          `json:"visibility"`
	SSOTeamID                  *string         `json:"sso-team-id"`
	AllowMemberTokenManagement bool            `json:"allow-member-token-management"`
	Permissions                teamPermissions `json:"permissions"`
	OrganizationAccess         TeamAccess      `json:"organization-access"`
}

// teamResource is the one representation of a team.
func (st *State) teamResource(t *Team, p principal) Resource {
	manage := st.can(p, t.Org, manageTeams)
	owners := st.Orgs[t.Org] != nil && st.Orgs[t.Org].OwnersTeamID == t.ID
	var memberships []string
	for _, m := range st.teamMemberships(t) {
		memberships = append(memberships, m.ID)
	}
	var sso *string
	if t.SSOTeamID != "" {
		sso = &t.SSOTeamID
	}
	return Resource{
		ID:   t.ID,
		Type: "teams",
		Attributes: teamAttributes{
			Name: t.Name, UsersCount: len(t.Members), Visibility: t.Visibility, SSOTeamID: sso,
			AllowMemberTokenManagement: t.AllowMemberTokenManagement,
			Permissions: teamPermissions{CanUpdateMembership: manage, CanDestroy: manage && !owners,
				CanUpdateOrgAccess: manage && !owners, CanUpdateAPIToken: manage, CanUpdateVisibility: manage},
			OrganizationAccess: t.Access,
		},
		Relationships: map[string]Relationship{
			"organization":             toOne("organizations", t.Org),
			"users":                    toMany("users", t.Members),
			"organization-memberships": toMany("organization-memberships", memberships),
			"authentication-token":     {Links: map[string]string{"related": "/api/v2/teams/" + t.ID + "/authentication-token"}},
		},
		Links: map[string]string{"self": "/api/v2/teams/" + t.ID},
	}
}

// teamInput is the attributes a team create or update may send.
type teamInput struct {
	Name                       *string         `json:"name"`
	Visibility                 *string         `json:"visibility"`
	SSOTeamID                  *string         `json:"sso-team-id"`
	AllowMemberTokenManagement *bool           `json:"allow-member-token-management"`
	OrganizationAccess         json.RawMessage `json:"organization-access"`
}

// access applies the organization-access keys the request sent onto a.
func (in *teamInput) access(a TeamAccess) (TeamAccess, error) {
	if len(in.OrganizationAccess) == 0 || string(in.OrganizationAccess) == "null" {
		return a, nil
	}
	if err := json.Unmarshal(in.OrganizationAccess, &a); err != nil {
		return a, typeError("/data/attributes/organization-access", err)
	}
	return a, nil
}

func (in *teamInput) validate(create bool) error {
	var errs Errors
	if create || in.Name != nil {
		if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
			errs = append(errs, invalidAttribute("/data/attributes/name", "Name can't be blank"))
		} else if strings.ContainsAny(*in.Name, "/") {
			errs = append(errs, invalidAttribute("/data/attributes/name", "Name must not contain /"))
		}
	}
	if v := in.Visibility; v != nil && *v != "secret" && *v != "organization" {
		errs = append(errs, invalidAttribute("/data/attributes/visibility", fmt.Sprintf("Visibility %q is not one of secret, organization", *v)))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (st *State) teamNameTaken(org, name, except string) bool {
	for _, t := range st.idx.teamsByName[foldKey(name)] {
		if t.Org == org && t.ID != except && strings.EqualFold(t.Name, name) && st.Teams[t.ID] == t {
			return true
		}
	}
	return false
}

// visibleTeam returns a team p may see: secret teams only to their members
// and team managers.
func (st *State) visibleTeam(p principal, id string) (*Team, error) {
	t, ok := st.Teams[id]
	if !ok || !st.memberOf(p, t.Org) {
		return nil, errNotFound
	}
	if t.Visibility == "secret" && !st.can(p, t.Org, manageTeams) &&
		!(p.kind == "user" && t.hasMember(p.userID)) && !(p.kind == "team" && p.teamID == t.ID) {
		return nil, errNotFound
	}
	return t, nil
}

func (s *Service) listTeams(c *call) (int, any, error) {
	inc, err := includes(c.r, "users", "organization-memberships")
	if err != nil {
		return 0, nil, err
	}
	q, names := searchParams(c.r)
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		var all []Resource
		var teams []*Team
		for _, t := range sortedBySeq(st.Teams, func(t *Team) bool { return t.Org == o.Name }) {
			if _, err := st.visibleTeam(c.p, t.ID); err != nil {
				continue
			}
			if (q != "" && !strings.Contains(strings.ToLower(t.Name), q)) || (names != nil && !names[t.Name]) {
				continue
			}
			all = append(all, st.teamResource(t, c.p))
			teams = append(teams, t)
		}
		doc, err := paginate(c.r, all)
		if err != nil {
			return nil, err
		}
		doc.Included = st.teamIncluded(c.p, inc, teams)
		return doc, nil
	})
}

// teamIncluded is the included member of a team document: the teams'
// users and organization memberships as inc asks, each once.
func (st *State) teamIncluded(p principal, inc map[string]bool, teams []*Team) []Resource {
	var out []Resource
	seen := map[string]bool{}
	for _, t := range teams {
		if inc["users"] {
			for _, id := range t.Members {
				if u, ok := st.Users[id]; ok && !seen["users/"+id] {
					seen["users/"+id] = true
					out = append(out, userResource(u, p.kind == "user" && p.userID == id))
				}
			}
		}
		if inc["organization-memberships"] {
			for _, m := range st.teamMemberships(t) {
				if !seen[m.ID] {
					seen[m.ID] = true
					out = append(out, st.membershipResource(m, p))
				}
			}
		}
	}
	return out
}

func (s *Service) createTeam(c *call) (int, any, error) {
	var in teamInput
	if _, err := decodeResource(c.r, "teams", &in); err != nil {
		return 0, nil, err
	}
	if err := in.validate(true); err != nil {
		return 0, nil, err
	}
	access, err := in.access(TeamAccess{})
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.requireOrg(c.p, c.path("org"), manageTeams)
		if err != nil {
			return nil, err
		}
		if st.teamNameTaken(o.Name, *in.Name, "") {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		t := newTeam(st, o.Name, *in.Name, c.now)
		return st.setTeam(c.p, t, in, access)
	})
}

// setTeam sets t's settings from in and its organization access, and
// answers t as p sees it.
func (st *State) setTeam(p principal, t *Team, in teamInput, access TeamAccess) (any, error) {
	setIf(&t.Visibility, in.Visibility)
	setIf(&t.SSOTeamID, in.SSOTeamID)
	setIf(&t.AllowMemberTokenManagement, in.AllowMemberTokenManagement)
	t.Access = access
	st.touch("Teams", t.ID)
	return Document{Data: st.teamResource(t, p)}, nil
}

func (s *Service) readTeam(c *call) (int, any, error) {
	inc, err := includes(c.r, "users", "organization-memberships")
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		t, err := st.visibleTeam(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		return Document{Data: st.teamResource(t, c.p), Included: st.teamIncluded(c.p, inc, []*Team{t})}, nil
	})
}

func (s *Service) updateTeam(c *call) (int, any, error) {
	var in teamInput
	if _, err := decodeResource(c.r, "teams", &in); err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		t, err := st.visibleTeam(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		if !st.can(c.p, t.Org, manageTeams) {
			return nil, errNotFound
		}
		// An unknown team is a 404 before its body is judged.
		if err := in.validate(false); err != nil {
			return nil, err
		}
		access, err := in.access(t.Access)
		if err != nil {
			return nil, err
		}
		owners := st.Orgs[t.Org].OwnersTeamID == t.ID
		if owners && (access != t.Access || (in.Name != nil && *in.Name != t.Name)) {
			return nil, invalidAttribute("/data/attributes/organization-access", "The owners team's name and organization access cannot be changed")
		}
		if in.Name != nil && st.teamNameTaken(t.Org, *in.Name, t.ID) {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		setIf(&t.Name, in.Name)
		st.indexTeam(t) // renamed, perhaps
		return st.setTeam(c.p, t, in, access)
	})
}

func (s *Service) deleteTeam(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		t, err := st.visibleTeam(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		if !st.can(c.p, t.Org, manageTeams) {
			return nil, errNotFound
		}
		if st.Orgs[t.Org].OwnersTeamID == t.ID {
			return nil, invalidAttribute("", "The owners team cannot be deleted")
		}
		st.remove("Teams", t.ID)
		st.touch("Teams", t.ID)
		return nil, nil
	})
}
