package tfc

import (
	"net/http"
	"strings"
	"time"
)

// principal is who a request's bearer token speaks for.
type principal struct {
	kind    string // "user", "team" or "organization"
	tokenID string
	userID  string
	teamID  string
	org     string
}

// rateKey is what TFC counts requests against: the user, not the token.
func (p principal) rateKey() string {
	switch p.kind {
	case "user":
		return "user:" + p.userID
	case "team":
		return "team:" + p.teamID
	}
	return "organization:" + p.org
}

// authenticate resolves the bearer token. Unknown, revoked, replaced and
// expired tokens are all a 401. A good token's last-used-at is updated:
// authentication reads under the store's read lock, so it stamps the use
// in a side buffer (st.used) that the next write, or the next read that
// finds the store free, folds into the token.
func (s *Service) authenticate(r *http.Request, now time.Time) (principal, error) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" {
		return principal{}, errUnauthorized
	}
	var p principal
	err := s.store.View(func(st *State) error {
		t, ok := st.tokenBySecret(secret)
		if !ok || t.expired(now) {
			return errUnauthorized
		}
		st.used.stamp(t.ID, now.Truncate(time.Millisecond))
		p = principal{tokenID: t.ID}
		switch t.Kind {
		case TokenUser:
			p.kind, p.userID = "user", t.UserID
		case TokenTeam, TokenTeamLegacy:
			team, ok := st.Teams[t.TeamID]
			if !ok {
				return errUnauthorized
			}
			p.kind, p.teamID, p.org = "team", team.ID, team.Org
		default:
			p.kind, p.org = "organization", t.Org
		}
		return nil
	})
	return p, err
}

// memberOf reports whether p may see organization org at all.
func (st *State) memberOf(p principal, org string) bool {
	if _, ok := st.Orgs[org]; !ok {
		return false
	}
	switch p.kind {
	case "user":
		for _, t := range st.Teams {
			if t.Org == org && t.hasMember(p.userID) {
				return true
			}
		}
		return false
	default:
		return p.org == org
	}
}

// isOwner reports whether p has the owners team's powers in org: a member
// of the owners team, the owners team's token, or the organization token.
func (st *State) isOwner(p principal, org string) bool {
	o, ok := st.Orgs[org]
	if !ok {
		return false
	}
	switch p.kind {
	case "user":
		t, ok := st.Teams[o.OwnersTeamID]
		return ok && t.hasMember(p.userID)
	case "team":
		return p.teamID == o.OwnersTeamID
	default:
		return p.org == org
	}
}

// can reports whether p holds an organization permission in org, through
// ownership or through the organization access of one of its teams.
func (st *State) can(p principal, org string, perm func(TeamAccess) bool) bool {
	if st.isOwner(p, org) {
		return true
	}
	switch p.kind {
	case "user":
		for _, t := range st.Teams {
			if t.Org == org && t.hasMember(p.userID) && perm(t.Access) {
				return true
			}
		}
	case "team":
		if t, ok := st.Teams[p.teamID]; ok && t.Org == org {
			return perm(t.Access)
		}
	}
	return false
}

// Permission selectors for can.
var (
	manageWorkspaces = func(a TeamAccess) bool { return a.ManageWorkspaces }
	readWorkspaces   = func(a TeamAccess) bool { return a.ReadWorkspaces || a.ManageWorkspaces }
	manageProjects   = func(a TeamAccess) bool { return a.ManageProjects }
	manageTeams      = func(a TeamAccess) bool { return a.ManageTeams }
	manageModules    = func(a TeamAccess) bool { return a.ManageModules }
)

// orgFor returns org if p may see it, else the 404 TFC answers for both
// "does not exist" and "not yours".
func (st *State) orgFor(p principal, org string) (*Organization, error) {
	o, ok := st.Orgs[org]
	if !ok || !st.memberOf(p, org) {
		return nil, errNotFound
	}
	if p.kind == "user" && !o.UserTokensEnabled {
		// An organization that turned user tokens off refuses them.
		return nil, errUnauthorized
	}
	return o, nil
}

// requireOrg is orgFor plus a permission; lacking it is a 404 too.
func (st *State) requireOrg(p principal, org string, perm func(TeamAccess) bool) (*Organization, error) {
	o, err := st.orgFor(p, org)
	if err != nil {
		return nil, err
	}
	if perm != nil && !st.can(p, org, perm) {
		return nil, errNotFound
	}
	return o, nil
}

// requireOwner is orgFor plus ownership.
func (st *State) requireOwner(p principal, org string) (*Organization, error) {
	o, err := st.orgFor(p, org)
	if err != nil {
		return nil, err
	}
	if !st.isOwner(p, org) {
		return nil, errNotFound
	}
	return o, nil
}
