package tfc

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/ids"
)

// DefaultTokenLifetimeYears is how long a token lives when created without
// expired-at: HCP Terraform sets created-at + 2 calendar years.
const DefaultTokenLifetimeYears = 2

type tokenAttributes struct {
	CreatedAt   string  `json:"created-at"`
	LastUsedAt  *string `json:"last-used-at"`
	Description *string `json:"description"`
	Token       *string `json:"token"`
	ExpiredAt   *string `json:"expired-at"`
}

// tokenResource is the one representation of a token of any kind; the
// secret appears only in the response that created it.
func tokenResource(t *Token, withSecret bool) Resource {
	attrs := tokenAttributes{
		CreatedAt: Timestamp(t.CreatedAt), LastUsedAt: timestampPtr(t.LastUsedAt),
		Description: t.Description, ExpiredAt: timestampPtr(t.ExpiredAt),
	}
	if withSecret {
		secret := t.Secret
		attrs.Token = &secret
	}
	created := t.CreatedBy
	rel := map[string]Relationship{"created-by": {Data: &created}}
	if t.TeamID != "" {
		rel["team"] = toOne("teams", t.TeamID)
	}
	return Resource{ID: t.ID, Type: "authentication-tokens", Attributes: attrs, Relationships: rel,
		Links: map[string]string{"self": "/api/v2/authentication-tokens/" + t.ID}}
}

// creatorRef is the created-by of a token made by p.
func creatorRef(p principal) Ref {
	switch p.kind {
	case "user":
		return Ref{ID: p.userID, Type: "users"}
	case "team":
		return Ref{ID: p.teamID, Type: "teams"}
	}
	return Ref{ID: p.org, Type: "organizations"}
}

// tokenInput is what token create bodies may carry. go-tfe sends
// "type": "" here, so the type is not checked.
type tokenInput struct {
	Description *string `json:"description"`
	ExpiredAt   *string `json:"expired-at"`
}

// readTokenInput decodes a token create body; an empty body is allowed.
func readTokenInput(c *call) (tokenInput, *time.Time, error) {
	var in tokenInput
	if c.r.ContentLength != 0 {
		body, err := peekEmpty(c.r)
		if err != nil {
			return in, nil, err
		}
		if !body {
			if _, err := decodeResource(c.r, "", &in); err != nil {
				return in, nil, err
			}
		}
	}
	var exp *time.Time
	if in.ExpiredAt != nil {
		t, err := time.Parse(time.RFC3339Nano, *in.ExpiredAt)
		if err != nil {
			return in, nil, invalidAttribute("/data/attributes/expired-at", fmt.Sprintf("Expired at %q is not an ISO 8601 time", *in.ExpiredAt))
		}
		t = t.UTC().Truncate(time.Millisecond)
		if !t.After(c.now) {
			return in, nil, invalidAttribute("/data/attributes/expired-at", "Expired at must be in the future")
		}
		exp = &t
	}
	return in, exp, nil
}

// newToken makes a token of kind for p, expiring at exp or in two years.
func newToken(kind string, p principal, now time.Time, exp *time.Time) *Token {
	if exp == nil {
		d := now.AddDate(DefaultTokenLifetimeYears, 0, 0)
		exp = &d
	}
	return &Token{ID: newID("at"), Kind: kind, Secret: ids.TokenSecret(), CreatedAt: now, ExpiredAt: exp, CreatedBy: creatorRef(p)}
}

// orgTokenKind reads ?token=: absent is the organization token,
// audit-trails the audit trails token.
func orgTokenKind(r *http.Request) (string, error) {
	switch v := r.URL.Query().Get("token"); v {
	case "":
		return TokenOrg, nil
	case "audit-trails":
		return TokenOrgAudit, nil
	default:
		e := badRequest(fmt.Sprintf("token %q is not a token type; the only one is audit-trails", v))
		e.Source = &Source{Parameter: "token"}
		return "", e
	}
}

func (st *State) orgToken(org, kind string) (*Token, bool) {
	for _, t := range st.Tokens {
		if t.Org == org && t.Kind == kind {
			return t, true
		}
	}
	return nil, false
}

// createOrgToken issues the organization's token, revoking the one it had:
// an organization has one active token of each kind.
func (s *Service) createOrgToken(c *call) (int, any, error) {
	kind, err := orgTokenKind(c.r)
	if err != nil {
		return 0, nil, err
	}
	_, exp, err := readTokenInput(c)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.requireOwner(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		if old, ok := st.orgToken(o.Name, kind); ok {
			st.remove("Tokens", old.ID)
			st.touch("Tokens", old.ID)
		}
		t := newToken(kind, c.p, c.now, exp)
		t.Org = o.Name
		st.addToken(t)
		st.touch("Tokens", t.ID)
		return Document{Data: tokenResource(t, true)}, nil
	})
}

// orgTokenOf finds the organization token of the request's kind for an
// owner: the one lookup of the read and delete handlers.
func orgTokenOf(st *State, c *call, kind string) (*Token, error) {
	o, err := st.requireOwner(c.p, c.path("org"))
	if err != nil {
		return nil, err
	}
	t, ok := st.orgToken(o.Name, kind)
	if !ok {
		return nil, errNotFound
	}
	return t, nil
}

func (s *Service) readOrgToken(c *call) (int, any, error) {
	kind, err := orgTokenKind(c.r)
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		t, err := orgTokenOf(st, c, kind)
		if err != nil {
			return nil, err
		}
		return Document{Data: tokenResource(t, false)}, nil
	})
}

func (s *Service) deleteOrgToken(c *call) (int, any, error) {
	kind, err := orgTokenKind(c.r)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		t, err := orgTokenOf(st, c, kind)
		if err != nil {
			return nil, err
		}
		st.remove("Tokens", t.ID)
		st.touch("Tokens", t.ID)
		return nil, nil
	})
}

// manageableTeam returns the team if p may manage its tokens: owners, team
// managers, and members when the team allows member token management.
func (st *State) manageableTeam(p principal, teamID string) (*Team, error) {
	t, ok := st.Teams[teamID]
	if !ok || !st.memberOf(p, t.Org) {
		return nil, errNotFound
	}
	if st.can(p, t.Org, manageTeams) {
		return t, nil
	}
	if p.kind == "user" && t.AllowMemberTokenManagement && t.hasMember(p.userID) {
		return t, nil
	}
	return nil, errNotFound
}

func (st *State) legacyTeamToken(teamID string) (*Token, bool) {
	for _, t := range st.Tokens {
		if t.TeamID == teamID && t.Kind == TokenTeamLegacy {
			return t, true
		}
	}
	return nil, false
}

// createLegacyTeamToken regenerates the team's one description-less token.
func (s *Service) createLegacyTeamToken(c *call) (int, any, error) {
	_, exp, err := readTokenInput(c)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		team, err := st.manageableTeam(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		if old, ok := st.legacyTeamToken(team.ID); ok {
			st.remove("Tokens", old.ID)
			st.touch("Tokens", old.ID)
		}
		t := newToken(TokenTeamLegacy, c.p, c.now, exp)
		t.TeamID = team.ID
		st.addToken(t)
		st.touch("Tokens", t.ID)
		return Document{Data: tokenResource(t, true)}, nil
	})
}

// legacyTeamTokenOf finds the legacy token of the request's team for
// someone who may manage it.
func legacyTeamTokenOf(st *State, c *call) (*Token, error) {
	team, err := st.manageableTeam(c.p, c.path("id"))
	if err != nil {
		return nil, err
	}
	t, ok := st.legacyTeamToken(team.ID)
	if !ok {
		return nil, errNotFound
	}
	return t, nil
}

func (s *Service) readLegacyTeamToken(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		t, err := legacyTeamTokenOf(st, c)
		if err != nil {
			return nil, err
		}
		return Document{Data: tokenResource(t, false)}, nil
	})
}

func (s *Service) deleteLegacyTeamToken(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		t, err := legacyTeamTokenOf(st, c)
		if err != nil {
			return nil, err
		}
		st.remove("Tokens", t.ID)
		st.touch("Tokens", t.ID)
		return nil, nil
	})
}

// createTeamToken adds one of a team's many described tokens; descriptions
// are unique per team.
func (s *Service) createTeamToken(c *call) (int, any, error) {
	in, exp, err := readTokenInput(c)
	if err != nil {
		return 0, nil, err
	}
	desc := ""
	if in.Description != nil {
		desc = *in.Description
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		team, err := st.manageableTeam(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		for _, t := range st.Tokens {
			if t.TeamID == team.ID && t.Kind == TokenTeam && t.Description != nil && *t.Description == desc {
				return nil, errDescriptionTaken()
			}
		}
		t := newToken(TokenTeam, c.p, c.now, exp)
		t.TeamID, t.Description = team.ID, &desc
		st.addToken(t)
		st.touch("Tokens", t.ID)
		return Document{Data: tokenResource(t, true)}, nil
	})
}

// listTeamTokensOfTeam lists a team's tokens, legacy and described.
func (s *Service) listTeamTokensOfTeam(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		team, err := st.manageableTeam(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		var all []Resource
		for _, t := range sortedBySeq(st.Tokens, func(t *Token) bool { return t.TeamID == team.ID }) {
			all = append(all, tokenResource(t, false))
		}
		return paginate(c.r, all)
	})
}

// listOrgTeamTokens lists every team token of the organization: q searches
// team names, sort orders by created-by, expired-at or last-used-at.
func (s *Service) listOrgTeamTokens(c *call) (int, any, error) {
	q := strings.ToLower(c.r.URL.Query().Get("q"))
	sortBy := c.r.URL.Query().Get("sort")
	field, desc := strings.TrimPrefix(sortBy, "-"), strings.HasPrefix(sortBy, "-")
	switch field {
	case "", "created-by", "expired-at", "last-used-at", "team-name":
	default:
		e := badRequest(fmt.Sprintf("sort %q is not one of created-by, expired-at, last-used-at, team-name", sortBy))
		e.Source = &Source{Parameter: "sort"}
		return 0, nil, e
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.requireOrg(c.p, c.path("org"), manageTeams)
		if err != nil {
			return nil, err
		}
		toks := sortedBySeq(st.Tokens, func(t *Token) bool {
			team, ok := st.Teams[t.TeamID]
			return ok && team.Org == o.Name && (q == "" || strings.Contains(strings.ToLower(team.Name), q))
		})
		key := func(t *Token) string {
			switch field {
			case "created-by":
				return t.CreatedBy.ID
			case "expired-at":
				if t.ExpiredAt == nil {
					return "~" // never-expiring tokens sort last
				}
				return Timestamp(*t.ExpiredAt)
			case "last-used-at":
				if t.LastUsedAt == nil {
					return ""
				}
				return Timestamp(*t.LastUsedAt)
			case "team-name":
				return st.Teams[t.TeamID].Name
			}
			return ""
		}
		if field != "" {
			sort.SliceStable(toks, func(i, j int) bool {
				if desc {
					return key(toks[i]) > key(toks[j])
				}
				return key(toks[i]) < key(toks[j])
			})
		}
		var all []Resource
		for _, t := range toks {
			all = append(all, tokenResource(t, false))
		}
		return paginate(c.r, all)
	})
}

// listUserTokens shows a user's tokens to that user only; anyone else gets
// an empty list, as TFC does. Without page parameters it is not paginated.
func (s *Service) listUserTokens(c *call) (int, any, error) {
	userID := c.path("id")
	return s.view(http.StatusOK, func(st *State) (any, error) {
		if _, ok := st.Users[userID]; !ok {
			return nil, errNotFound
		}
		all := []Resource{}
		if c.p.kind == "user" && c.p.userID == userID {
			for _, t := range sortedBySeq(st.Tokens, func(t *Token) bool { return t.Kind == TokenUser && t.UserID == userID }) {
				all = append(all, tokenResource(t, false))
			}
		}
		q := c.r.URL.Query()
		if q.Get("page[number]") == "" && q.Get("page[size]") == "" {
			return ListDocument{Data: all}, nil
		}
		return paginate(c.r, all)
	})
}

// createUserToken lets users create tokens for themselves only.
func (s *Service) createUserToken(c *call) (int, any, error) {
	in, exp, err := readTokenInput(c)
	if err != nil {
		return 0, nil, err
	}
	userID := c.path("id")
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		if _, ok := st.Users[userID]; !ok || c.p.kind != "user" || c.p.userID != userID {
			return nil, errNotFound
		}
		t := newToken(TokenUser, c.p, c.now, exp)
		t.UserID, t.Description = userID, in.Description
		if t.Description == nil {
			empty := ""
			t.Description = &empty
		}
		st.addToken(t)
		st.touch("Tokens", t.ID)
		return Document{Data: tokenResource(t, true)}, nil
	})
}

// tokenFor returns a token of any kind if p may manage it.
func (st *State) tokenFor(p principal, id string) (*Token, error) {
	t, ok := st.Tokens[id]
	if !ok {
		return nil, errNotFound
	}
	switch t.Kind {
	case TokenUser:
		if p.kind == "user" && p.userID == t.UserID {
			return t, nil
		}
	case TokenTeam, TokenTeamLegacy:
		if _, err := st.manageableTeam(p, t.TeamID); err == nil {
			return t, nil
		}
	case TokenAgent:
		if _, err := st.agentPoolFor(p, t.PoolID, true); err == nil {
			return t, nil
		}
	default:
		if st.isOwner(p, t.Org) {
			return t, nil
		}
	}
	return nil, errNotFound
}

func (s *Service) readToken(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		t, err := st.tokenFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		return Document{Data: tokenResource(t, false)}, nil
	})
}

func (s *Service) deleteToken(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		t, err := st.tokenFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		st.remove("Tokens", t.ID)
		st.touch("Tokens", t.ID)
		return nil, nil
	})
}
