package vault

import (
	"crypto/rand"
	"math/big"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// token is a Vault service token.
type token struct {
	ID           string
	Accessor     string
	Policies     []string
	Metadata     map[string]string
	DisplayName  string
	Path         string // the login path that created it
	CreationTime time.Time
	IssueTime    time.Time
	TTL          time.Duration // 0: never expires (root)
	ExplicitMax  time.Time     // zero: none
	Renewable    bool
	Orphan       bool
	EntityID     string
	NumUses      int
}

func (t *token) root() bool { return t != nil && contains(t.Policies, "root") }

func (t *token) expired(now time.Time) bool {
	return t.TTL > 0 && !now.Before(t.IssueTime.Add(t.TTL))
}

func randomBase62(n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		v, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// checkToken finds the request's token: missing is a plain permission
// denied, unknown or expired adds "invalid token" (Vault ≥ 1.17).
func (s *Server) checkToken(req *request) (*token, int, string) {
	if req.token == "" {
		return nil, http.StatusForbidden, "permission denied"
	}
	s.mu.RLock()
	t, ok := s.tokens[req.token]
	expired := ok && t.expired(req.now)
	s.mu.RUnlock()
	if !ok || expired {
		return nil, http.StatusForbidden, errInvalidToken
	}
	// Without an ACL policy store, non-root tokens reach only their own
	// token paths; everything else is denied as an ACL would.
	if !t.root() && !strings.HasPrefix(req.path, "auth/token/") {
		return nil, http.StatusForbidden, multierror("permission denied")
	}
	return t, 0, ""
}

// issueToken mints the token a login returns.
func (s *Server) issueToken(m *mount, a *logical.Auth, now time.Time) (*authBlock, []string, error) {
	policies := append([]string(nil), a.Policies...)
	if !a.NoDefault && !contains(policies, "default") {
		policies = append(policies, "default")
	}
	sort.Strings(policies)
	policies = dedupe(policies)
	if contains(policies, "root") {
		return nil, nil, errString("auth methods cannot create root tokens")
	}
	ttl, warnings, err := calculateTTL(system{m}, 0, a.TTL, a.MaxTTL, now, now)
	if err != nil {
		return nil, nil, err
	}
	t := &token{
		ID: "hvs." + randomBase62(24), Accessor: randomBase62(24), Policies: policies, Metadata: a.Metadata,
		DisplayName: strings.TrimSuffix(strings.ReplaceAll(m.path, "auth/", ""), "/") + "-" + a.DisplayName,
		Path:        m.path + "login", CreationTime: now, IssueTime: now, TTL: ttl, Renewable: true, Orphan: true,
		EntityID: uuid.NewString(), NumUses: a.NumUses,
	}
	s.mu.Lock()
	s.tokens[t.ID] = t
	s.mu.Unlock()
	md := a.Metadata
	if md == nil {
		md = map[string]string{}
	}
	return &authBlock{
		ClientToken: t.ID, Accessor: t.Accessor, Policies: policies, TokenPolicies: policies, Metadata: md,
		LeaseDuration: int(ttl.Seconds()), Renewable: true, EntityID: t.EntityID, TokenType: "service", Orphan: true,
		NumUses: t.NumUses,
	}, warnings, nil
}

type errString string

func (e errString) Error() string { return string(e) }

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// expireTokens forgets tokens past their TTL on the virtual clock.
func (s *Server) expireTokens(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.expired(now) {
			delete(s.tokens, id)
		}
	}
}

// tokenStore serves the token's own paths: lookup-self, renew-self,
// revoke-self.
func (s *Server) tokenStore(w http.ResponseWriter, req *request, t *token) {
	switch strings.TrimSuffix(strings.TrimPrefix(req.path, "auth/token/"), "/") {
	case "lookup-self":
		env := newEnvelope()
		s.mu.RLock()
		env.Data = s.lookup(t, req.now)
		s.mu.RUnlock()
		writeVault(w, http.StatusOK, env)
	case "revoke-self":
		if req.op != logical.UpdateOperation {
			writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
			return
		}
		s.mu.Lock()
		delete(s.tokens, t.ID)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case "renew-self":
		if req.op != logical.UpdateOperation || t.root() {
			writeErrors(w, http.StatusBadRequest, "lease is not renewable")
			return
		}
		lreq := &logical.Request{Data: req.data}
		inc, _, err := lreq.DurationSecond("increment")
		if err != nil {
			writeErrors(w, http.StatusBadRequest, err.Error())
			return
		}
		s.mu.Lock()
		if inc == 0 {
			inc = t.TTL
		}
		t.IssueTime, t.TTL = req.now, inc
		env := newEnvelope()
		env.Auth = &authBlock{ClientToken: t.ID, Accessor: t.Accessor, Policies: t.Policies, TokenPolicies: t.Policies,
			Metadata: t.Metadata, LeaseDuration: int(inc.Seconds()), Renewable: true, EntityID: t.EntityID, TokenType: "service", Orphan: true}
		s.mu.Unlock()
		writeVault(w, http.StatusOK, env)
	default:
		writeErrors(w, http.StatusNotFound, multierror("unsupported path"))
	}
}

func (s *Server) lookup(t *token, now time.Time) map[string]any {
	var expire any
	ttl := 0
	if t.TTL > 0 {
		e := t.IssueTime.Add(t.TTL)
		expire = e.Format(time.RFC3339Nano)
		ttl = int(e.Sub(now).Seconds())
	}
	meta := any(nil)
	if len(t.Metadata) > 0 {
		meta = t.Metadata
	}
	return map[string]any{
		"accessor": t.Accessor, "creation_time": t.CreationTime.Unix(), "creation_ttl": int(t.TTL.Seconds()),
		"display_name": t.DisplayName, "entity_id": t.EntityID, "expire_time": expire, "explicit_max_ttl": 0,
		"id": t.ID, "issue_time": t.IssueTime.Format(time.RFC3339Nano), "meta": meta, "num_uses": t.NumUses,
		"orphan": t.Orphan, "path": t.Path, "policies": t.Policies, "renewable": t.Renewable && !t.root(),
		"ttl": ttl, "type": "service",
	}
}
