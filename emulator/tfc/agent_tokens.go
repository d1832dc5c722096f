package tfc

import (
	"net/http"
	"strings"
)

// TokenAgent is the kind of an agent pool's token. Agents register with
// it; it opens none of the API a user, team or organization token does, so
// its secret is kept out of the bearer lookup (see State.addToken).
const TokenAgent = "agent"

// agentTokenInput is an agent token create body; go-tfe sends type
// "agent-tokens".
type agentTokenInput struct {
	Description *string `json:"description"`
}

// createAgentToken adds a described token to a pool; the secret is in this
// response only. Agent tokens do not expire.
func (s *Service) createAgentToken(c *call) (int, any, error) {
	var in agentTokenInput
	if _, err := decodeResource(c.r, "", &in); err != nil {
		return 0, nil, err
	}
	if in.Description == nil || strings.TrimSpace(*in.Description) == "" {
		return 0, nil, invalidAttribute("/data/attributes/description", "Description can't be blank")
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		pool, err := st.agentPoolFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		t := newToken(TokenAgent, c.p, c.now, nil)
		desc := *in.Description
		t.ExpiredAt, t.Description, t.PoolID, t.Org = nil, &desc, pool.ID, pool.Org
		st.addToken(t)
		st.touch("Tokens", t.ID)
		return Document{Data: tokenResource(t, true)}, nil
	})
}

// listAgentTokens lists a pool's tokens, without their secrets.
func (s *Service) listAgentTokens(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		pool, err := st.agentPoolFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		all := []Resource{}
		for _, t := range sortedBySeq(st.Tokens, func(t *Token) bool { return t.Kind == TokenAgent && t.PoolID == pool.ID }) {
			all = append(all, tokenResource(t, false))
		}
		return paginate(c.r, all)
	})
}
