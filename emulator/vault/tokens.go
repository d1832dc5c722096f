package vault

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tfcemu/tfcemu/emulator/ids"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// token is a Vault service token. Its lease (IssueTime, ExpireTime) is
// the token's own: a zero ExpireTime never expires (root).
type token struct {
	ID          string
	Accessor    string
	Parent      string // the parent token's ID; "" for an orphan
	Policies    []string
	Metadata    map[string]string
	DisplayName string
	Path        string // the path that created it: auth/token/create, auth/jwt/login
	Role        string // the auth method role, for renewals through it

	CreationTime time.Time
	IssueTime    time.Time
	ExpireTime   time.Time // zero: never expires
	LastRenewal  time.Time
	// TTL is the creation TTL; a renewal without an increment asks for it
	// again.
	TTL            time.Duration
	Period         time.Duration
	ExplicitMaxTTL time.Duration
	MaxTTL         time.Duration // the auth method's max (its role's token_max_ttl)
	// mount and internal are the issuing auth method and its login's
	// internal data, for renewals through the method.
	mount     *mount
	internal  map[string]any
	Renewable bool
	EntityID  string
	// NumUses is the uses left; 0 is unlimited, and usesExhausted marks
	// a token whose last use is taken (it is being revoked).
	NumUses int
}

func (t *token) root() bool { return t != nil && slices.Contains(t.Policies, "root") }

func (t *token) orphan() bool { return t.Parent == "" }

func (t *token) expired(now time.Time) bool {
	return !t.ExpireTime.IsZero() && !now.Before(t.ExpireTime)
}

func (t *token) ttl(now time.Time) time.Duration {
	if t.ExpireTime.IsZero() {
		return 0
	}
	if d := t.ExpireTime.Sub(now); d > 0 {
		return d
	}
	return 0
}

// Vault's token IDs, accessors and lease suffixes are base62
// (base62.Random: [0-9A-Za-z]), the alphabet of ids.Random.

// newAccessorID is a token accessor: 24 base62 characters.
func newAccessorID() string { return ids.Random(24) }

// newServiceTokenID mints a token as Vault ≥1.10 does ("server side
// consistent" tokens): "hvs." and the base64url of the protobuf
// SignedToken{token_version: 1, hmac: HMAC-SHA256(token), token:
// Token{random: "hvs." + 24 base62}}, 95 characters in all.
func (s *Server) newServiceTokenID() string {
	inner := protoBytes(1, []byte("hvs."+ids.Random(24)))
	mac := hmac.New(sha256.New, s.hmacKey)
	mac.Write(inner)
	signed := []byte{0x08, 0x01} // field 1, varint 1
	signed = append(signed, protoBytes(2, mac.Sum(nil))...)
	signed = append(signed, protoBytes(3, inner)...)
	return "hvs." + base64.RawURLEncoding.EncodeToString(signed)
}

// protoBytes encodes one length-delimited protobuf field (len < 128).
func protoBytes(field byte, b []byte) []byte {
	return append([]byte{field<<3 | 2, byte(len(b))}, b...)
}

// checkToken finds the request's token: missing is a plain permission
// denied, unknown or expired adds "invalid token" (Vault ≥ 1.17). A write
// to a path with an existence check becomes a create when the entry is
// missing. Then the token's policies must allow the operation (acl.go);
// a use is counted whether they do or not, as in Vault, and a refusal on
// the last use revokes the token before it is answered.
func (s *Server) checkToken(req *request, m *mount, rel string) (*token, error) {
	if req.token == "" {
		return nil, logical.NewCodedError(http.StatusForbidden, "permission denied")
	}
	s.mu.RLock()
	t, ok := s.tokens[req.token]
	var expires time.Time
	if ok {
		expires = t.ExpireTime
	}
	limited := ok && t.NumUses != 0 // 0 is unlimited, and a use changes nothing
	exhausted := ok && t.NumUses == usesExhausted
	s.mu.RUnlock()
	// t.expired, with the clock read outside the lock and only for a
	// token that expires.
	expired := ok && !expires.IsZero() && !req.time(s).Before(expires)
	if !ok || expired || exhausted {
		return nil, logical.NewCodedError(http.StatusForbidden, errInvalidToken)
	}
	err := s.existenceCheck(req, m, rel)
	_, help := req.data["help"]
	if err == nil && !t.root() && !(help && req.op == logical.ReadOperation) { // help is always allowed
		if !s.allowed(t, req.path, req.op) {
			err = logical.NewCodedError(http.StatusForbidden, multierror("permission denied"))
		}
	}
	// A refused request takes a use too, as in Vault (request_handling.go:
	// "we want to decrement the use count even in the case of an error").
	if limited && !s.useToken(t) {
		// Its last use went to a request served at the same time.
		return nil, logical.NewCodedError(http.StatusForbidden, errInvalidToken)
	}
	if err != nil {
		s.endUse(req, t)
		return nil, err
	}
	return t, nil
}

// usesExhausted is NumUses of a token whose last use is taken, until its
// revocation (Vault's tokenRevocationPending): it is refused as invalid,
// and the last use's own lookup shows it (-1), as Vault's does.
const usesExhausted = -1

// useToken counts a use of a limited-use token; the request that takes
// the last one is served and endUse revokes the token after it, as Vault
// does. It reports false when no use is left (the token's uses went to
// other requests): the check and the count are one step under the lock,
// so a token is never used more often than its uses allow.
func (s *Server) useToken(t *token) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.NumUses <= 0 || s.tokens[t.ID] != t {
		return false
	}
	if t.NumUses == 1 {
		// Not 0 (unlimited) until endUse revokes it: Vault's
		// tokenRevocationPending.
		t.NumUses = usesExhausted
	} else {
		t.NumUses--
	}
	s.mark(tokensMember, t.ID)
	return true
}

// endUse revokes the request's token, its leases and children with it,
// when the request took its last use (Vault's deferred revocation in
// handleRequest); it reports whether it did. Every request a token
// authenticated ends here before its answer is written.
func (s *Server) endUse(req *request, t *token) bool {
	if t == nil {
		return false
	}
	s.mu.RLock()
	last := t.NumUses == usesExhausted
	s.mu.RUnlock()
	if last {
		s.revokeToken(context.WithoutCancel(req.http.Context()), t.ID)
	}
	return last
}

// issueToken mints the token a login returns.
func (s *Server) issueToken(m *mount, a *logical.Auth, now time.Time) (*logical.Auth, []string, error) {
	policies := sanitizePolicies(a.Policies, !a.NoDefault)
	if slices.Contains(policies, "root") {
		return nil, nil, errString("auth methods cannot create root tokens")
	}
	ttl, warnings, err := calculateTTL(system{m}, 0, a.TTL, a.Period, a.MaxTTL, a.ExplicitMaxTTL, now, now)
	if err != nil {
		return nil, nil, err
	}
	t := &token{
		ID: s.newServiceTokenID(), Accessor: newAccessorID(), Policies: policies, Metadata: a.Metadata,
		DisplayName: strings.TrimSuffix(strings.ReplaceAll(m.path, "auth/", ""), "/") + "-" + a.DisplayName,
		Path:        m.path + "login", CreationTime: now, IssueTime: now, ExpireTime: now.Add(ttl), TTL: ttl, MaxTTL: a.MaxTTL,
		Renewable: true, EntityID: uuid.NewString(), NumUses: a.NumUses, mount: m, internal: a.InternalData,
		Period: a.Period, ExplicitMaxTTL: a.ExplicitMaxTTL,
	}
	s.mu.Lock()
	s.addTokenLocked(t)
	s.mu.Unlock()
	return t.auth(ttl, true), warnings, nil
}

// addTokenLocked stores a token and queues its expiry; the caller holds
// the lock.
func (s *Server) addTokenLocked(t *token) {
	s.tokens[t.ID] = t
	s.expiry.set(tokenKey(t.ID), t.ExpireTime)
	s.mark(tokensMember, t.ID)
}

// auth is the token as the token store answers it.
func (t *token) auth(ttl time.Duration, renewable bool) *logical.Auth {
	return &logical.Auth{
		ClientToken: t.ID, Accessor: t.Accessor, Policies: t.Policies, Metadata: t.Metadata,
		TTL: ttl, Renewable: renewable, EntityID: t.EntityID, Orphan: t.orphan(), NumUses: t.NumUses,
	}
}

// authBlockOf is an issued token as an "auth" response member.
func authBlockOf(a *logical.Auth) *authBlock {
	return &authBlock{
		ClientToken: a.ClientToken, Accessor: a.Accessor, Policies: a.Policies, TokenPolicies: a.Policies, Metadata: a.Metadata,
		LeaseDuration: int(a.TTL.Seconds()), Renewable: a.Renewable, EntityID: a.EntityID, TokenType: "service",
		Orphan: a.Orphan, NumUses: a.NumUses,
	}
}

// sanitizePolicies is Vault's policyutil.SanitizePolicies: trimmed,
// lower-cased, "default" added when asked (never beside "root"), sorted
// and deduplicated.
func sanitizePolicies(in []string, addDefault bool) []string {
	out := []string{}
	for _, p := range in {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	if slices.Contains(out, "root") {
		addDefault = false
	}
	if addDefault {
		out = append(out, "default")
	}
	sort.Strings(out)
	return dedupe(out)
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

// expireTokens revokes the tokens past their TTL on the virtual clock,
// with their children and leases, from the expiry queue.
func (s *Server) expireTokens(ctx context.Context, now time.Time) {
	s.mu.RLock()
	var ids []string
	for _, key := range s.expiry.dueKeys(now) {
		if id, ok := strings.CutPrefix(key, tokenKeyPrefix); ok {
			ids = append(ids, id)
		}
	}
	s.mu.RUnlock()
	for _, id := range ids {
		s.revokeToken(ctx, id)
	}
}

// revokeToken revokes a token, every token descended from it, and the
// leases each of them created, as Vault's revoke-tree does.
func (s *Server) revokeToken(ctx context.Context, id string) {
	s.mu.Lock()
	if _, ok := s.tokens[id]; !ok {
		s.mu.Unlock()
		return
	}
	gone := map[string]bool{id: true}
	for changed := true; changed; {
		changed = false
		for tid, t := range s.tokens {
			if !gone[tid] && t.Parent != "" && gone[t.Parent] {
				gone[tid], changed = true, true
			}
		}
	}
	var ls []*lease
	var forgetters []logical.TokenForgetter
	for _, m := range s.mounts {
		if f, ok := m.backend.(logical.TokenForgetter); ok {
			forgetters = append(forgetters, f)
		}
	}
	for tid := range gone {
		delete(s.tokens, tid)
		s.mark(tokensMember, tid)
		s.expiry.remove(tokenKey(tid))
		for _, f := range forgetters {
			f.ForgetToken(tid)
		}
	}
	for _, l := range s.leases {
		if gone[l.Token] {
			ls = append(ls, l)
		}
	}
	s.mu.Unlock()
	for _, l := range ls {
		if err := s.revokeLease(ctx, l); err != nil {
			s.cfg.Logger.Warn("vault: revoking a revoked token's lease failed; will retry at expiry", "lease_id", l.ID, "err", err)
		}
	}
}

// revokeOrphan revokes one token and makes its children orphans.
func (s *Server) revokeOrphan(ctx context.Context, id string) {
	s.mu.Lock()
	for _, t := range s.tokens {
		if t.Parent == id {
			t.Parent = ""
			s.mark(tokensMember, t.ID)
		}
	}
	s.mu.Unlock()
	s.revokeToken(ctx, id)
}

// tokenByAccessor finds a live token by its accessor.
func (s *Server) tokenByAccessor(accessor string, now time.Time) *token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.tokens {
		if t.Accessor == accessor && !t.expired(now) {
			return t
		}
	}
	return nil
}

// liveToken finds a live token by its ID.
func (s *Server) liveToken(id string, now time.Time) *token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t, ok := s.tokens[id]; ok && !t.expired(now) {
		return t
	}
	return nil
}
