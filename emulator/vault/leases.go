package vault

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tfcemu/tfcemu/emulator/ids"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// lease is a registered secret.
type lease struct {
	ID          string
	Mount       *mount
	Secret      *logical.Secret
	IssueTime   time.Time
	ExpireTime  time.Time
	LastRenewal time.Time
	// Token is the ID of the token whose request created the lease; the
	// lease is revoked with it.
	Token string
	// failures counts revocation attempts that failed; the lease stays
	// until one succeeds, as Vault's expiration manager retries.
	failures int
	// revoking serializes revocations of the lease: the sweep and an
	// explicit revoke revoke it once.
	revoking *sync.Mutex
}

func (l *lease) ttl(now time.Time) time.Duration {
	d := l.ExpireTime.Sub(now).Round(time.Second)
	if d < 0 {
		return 0
	}
	return d
}

// calculateTTL is Vault's framework.CalculateTTL: a period, else the
// increment, else the backend TTL, else the mount default; capped by the
// mount max lowered to the backend and explicit maxes, measured from start.
func calculateTTL(sv logical.SystemView, increment, backendTTL, period, backendMax, explicitMax time.Duration, start, now time.Time) (time.Duration, []string, error) {
	maxTTL := sv.MaxLeaseTTL()
	if backendMax > 0 && backendMax < maxTTL {
		maxTTL = backendMax
	}
	if explicitMax > 0 && explicitMax < maxTTL {
		maxTTL = explicitMax
	}
	var warnings []string
	var ttl time.Duration
	var maxValid time.Time
	switch {
	case period > 0:
		if period > maxTTL {
			warnings = append(warnings, fmt.Sprintf("period of %q exceeded the effective max_ttl of %q; period value is capped accordingly",
				humanDuration(period), humanDuration(maxTTL)))
			period = maxTTL
		}
		ttl = period
		if explicitMax > 0 {
			maxValid = start.Add(explicitMax)
		}
	default:
		switch {
		case increment > 0:
			ttl = increment
		case backendTTL > 0:
			ttl = backendTTL
		default:
			ttl = sv.DefaultLeaseTTL()
		}
		maxValid = start.Add(maxTTL)
	}
	if maxValid.IsZero() {
		return ttl, warnings, nil
	}
	remaining := maxValid.Sub(now)
	if remaining <= 0 {
		return 0, nil, errString("past the max TTL, cannot renew")
	}
	if ttl > remaining {
		warnings = append(warnings, fmt.Sprintf("TTL of %q exceeded the effective max_ttl of %q; TTL value is capped accordingly",
			humanDuration(ttl), humanDuration(remaining.Truncate(time.Second))))
		ttl = remaining
	}
	return ttl, warnings, nil
}

// registerLease gives a secret its lease: id <request path>/<24 base62>.
func (s *Server) registerLease(m *mount, reqPath, tokenID string, sec *logical.Secret, now time.Time) (*lease, []string, error) {
	ttl, warnings, err := calculateTTL(system{m}, 0, sec.TTL, 0, sec.MaxTTL, 0, now, now)
	if err != nil {
		return nil, nil, err
	}
	sec.IssueTime = now
	sec.LeaseID = strings.TrimSuffix(reqPath, "/") + "/" + ids.Random(24)
	l := &lease{ID: sec.LeaseID, Mount: m, Secret: sec, IssueTime: now, ExpireTime: now.Add(ttl), Token: tokenID, revoking: new(sync.Mutex)}
	s.mu.Lock()
	s.leases[l.ID] = l
	s.expiry.set(leaseKey(l.ID), l.ExpireTime)
	s.mark(leasesMember, l.ID)
	s.mu.Unlock()
	return l, warnings, nil
}

// expiredLeases are the leases past their expiry whose revocation has
// not failed too often, earliest first, from the expiry queue.
func (s *Server) expiredLeases(now time.Time) []*lease {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*lease
	for _, key := range s.expiry.dueKeys(now) {
		if id, ok := strings.CutPrefix(key, leaseKeyPrefix); ok {
			if l := s.leases[id]; l != nil && l.failures < maxRevokeAttempts {
				out = append(out, l)
			}
		}
	}
	return out
}

// maxRevokeAttempts is how often an expired lease's revocation is tried
// before Vault marks it irrevocable.
const maxRevokeAttempts = 6

// revokeLease asks the backend to revoke and forgets the lease on success.
// It revokes a lease once: a concurrent revocation waits for the first,
// and a lease already gone is a success.
func (s *Server) revokeLease(ctx context.Context, l *lease) error {
	l.revoking.Lock()
	defer l.revoking.Unlock()
	s.mu.RLock()
	live := s.leases[l.ID] == l
	s.mu.RUnlock()
	if !live {
		return nil
	}
	if err := l.Mount.backend.RevokeSecret(ctx, l.Secret); err != nil {
		s.mu.Lock()
		l.failures++
		s.mark(leasesMember, l.ID)
		if l.failures >= maxRevokeAttempts {
			s.expiry.remove(leaseKey(l.ID)) // irrevocable: the sweep stops trying
		}
		s.mu.Unlock()
		return err
	}
	s.mu.Lock()
	s.forgetLeaseLocked(l.ID)
	s.mu.Unlock()
	return nil
}

// forgetLeaseLocked drops a lease; the caller holds the lock.
func (s *Server) forgetLeaseLocked(id string) {
	delete(s.leases, id)
	s.expiry.remove(leaseKey(id))
	s.mark(leasesMember, id)
}

// revokePrefix is the expiration manager's RevokePrefix with sync set:
// every lease under prefix (taken as a directory), in storage (sorted)
// order, stopping at the first failure, whose error names the lease and its
// place in the list.
func (s *Server) revokePrefix(ctx context.Context, prefix string) error {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	s.mu.RLock()
	var ls []*lease
	for id, l := range s.leases {
		if strings.HasPrefix(id, prefix) {
			ls = append(ls, l)
		}
	}
	s.mu.RUnlock()
	sort.Slice(ls, func(i, j int) bool { return ls[i].ID < ls[j].ID })
	for i, l := range ls {
		if err := s.revokeLease(ctx, l); err != nil {
			return fmt.Errorf("failed to revoke %q (%d / %d): failed to revoke entry: resp: (*logical.Response)(nil) err: %w", l.ID, i+1, len(ls), err)
		}
	}
	return nil
}

// findLease returns the lease and a copy of its timing, read under the
// lock (renewals change it).
func (s *Server) findLease(id string) (*lease, lease, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, ok := s.leases[id]
	if !ok {
		return nil, lease{}, false
	}
	return l, *l, true
}

// leaseID is the lease a sys/leases call names: the lease_id field, else
// the one in the URL.
func leaseID(c *call) string {
	id := c.d.String("lease_id")
	if id == "" {
		id = capture(c, "url_lease_id")
	}
	if id == "" {
		id = capture(c, "prefix")
	}
	return id
}

// lookupLease is sys/leases/lookup.
func (s *Server) lookupLease(c *call) (*logical.Response, error) {
	id := leaseID(c)
	if id == "" {
		return logical.ErrorResponse("lease_id must be specified"), nil
	}
	_, l, ok := s.findLease(id)
	if !ok {
		return logical.ErrorResponse("invalid lease"), nil
	}
	var lastRenewal any
	if !l.LastRenewal.IsZero() {
		lastRenewal = l.LastRenewal.Format(time.RFC3339Nano)
	}
	return &logical.Response{Data: map[string]any{
		"id": l.ID, "issue_time": l.IssueTime.Format(time.RFC3339Nano), "expire_time": l.ExpireTime.Format(time.RFC3339Nano),
		"last_renewal": lastRenewal, "renewable": l.Secret.Renewable, "ttl": int(l.ttl(c.now).Seconds()),
	}}, nil
}

// revokeLeaseOp is sys/leases/revoke: revoking a lease that is gone (or
// that another request or the expiry sweep revokes meanwhile) succeeds.
func (s *Server) revokeLeaseOp(c *call) (*logical.Response, error) {
	id := leaseID(c)
	if id == "" {
		return logical.ErrorResponse("lease_id must be specified"), nil
	}
	if l, _, ok := s.findLease(id); ok {
		if err := s.revokeLease(context.WithoutCancel(c.ctx), l); err != nil {
			return logical.ErrorResponse("failed to revoke entry: resp: (*logical.Response)(nil) err: %s", err), nil
		}
	}
	if !c.d.Bool("sync") {
		return logical.RawResponse(http.StatusAccepted, nil), nil
	}
	return nil, nil
}

// revokePrefixOp is sys/leases/revoke-prefix.
func (s *Server) revokePrefixOp(c *call) (*logical.Response, error) {
	prefix := capture(c, "prefix")
	if prefix == "" {
		prefix = c.d.String("prefix")
	}
	if err := s.revokePrefix(context.WithoutCancel(c.ctx), prefix); err != nil {
		return logical.ErrorResponse("%s", err), nil
	}
	return nil, nil
}

// renewLeaseOp is sys/leases/renew.
func (s *Server) renewLeaseOp(c *call) (*logical.Response, error) {
	id := leaseID(c)
	if id == "" {
		return logical.ErrorResponse("lease_id must be specified"), nil
	}
	l, snap, ok := s.findLease(id)
	switch {
	case !ok:
		return logical.ErrorResponse("lease not found"), nil
	case !c.now.Before(snap.ExpireTime):
		return logical.ErrorResponse("lease expired"), nil
	case !l.Secret.Renewable:
		return logical.ErrorResponse("lease is not renewable"), nil
	}
	inc := time.Duration(c.d.Int("increment")) * time.Second
	resp, err := l.Mount.backend.RenewSecret(c.ctx, l.Secret)
	if err != nil {
		return logical.ErrorResponse("failed to renew entry: resp: (*logical.Response)(nil) err: %s", err), nil
	}
	backendTTL, backendMax := l.Secret.TTL, l.Secret.MaxTTL
	if resp != nil && resp.Secret != nil {
		backendTTL, backendMax = resp.Secret.TTL, resp.Secret.MaxTTL
	}
	ttl, warnings, err := calculateTTL(system{l.Mount}, inc, backendTTL, 0, backendMax, 0, snap.IssueTime, c.now)
	if err != nil {
		return logical.ErrorResponse("failed to renew entry: resp: (*logical.Response)(nil) err: %s", err), nil
	}
	s.mu.Lock()
	l.ExpireTime, l.LastRenewal = c.now.Add(ttl), c.now
	s.mark(leasesMember, l.ID)
	s.expiry.set(leaseKey(l.ID), l.ExpireTime)
	s.mu.Unlock()
	return &logical.Response{Secret: &logical.Secret{LeaseID: l.ID, Renewable: true, TTL: ttl}, Warnings: warnings}, nil
}

// revokeForceOp is sys/leases/revoke-force/:prefix: the leases under
// prefix (or the one lease it names) are forgotten without asking their
// backend, which is how an operator clears leases whose revocation keeps
// failing.
func (s *Server) revokeForceOp(c *call) (*logical.Response, error) {
	prefix := capture(c, "prefix")
	s.mu.Lock()
	if _, exact := s.leases[prefix]; exact {
		s.forgetLeaseLocked(prefix)
	} else {
		dir := strings.TrimSuffix(prefix, "/") + "/"
		for id := range s.leases {
			if strings.HasPrefix(id, dir) {
				s.forgetLeaseLocked(id)
			}
		}
	}
	s.mu.Unlock()
	return nil, nil
}

// listLeases is LIST sys/leases/lookup/:prefix: one level of the lease IDs
// under prefix, folders with a trailing slash. Tokens are leases too,
// under the path that made them, named by a salted hash of their ID (SHA-1
// for a custom ID such as the dev root token's, HMAC-SHA256 with an "h"
// for the others), as the expiration manager stores them.
func (s *Server) listLeases(c *call) (*logical.Response, error) {
	prefix := capture(c, "prefix")
	if prefix != "" {
		prefix = strings.TrimSuffix(prefix, "/") + "/"
	}
	s.mu.RLock()
	ids := make([]string, 0, len(s.leases)+len(s.tokens))
	for id := range s.leases {
		ids = append(ids, id)
	}
	for id, t := range s.tokens {
		if t.Path != "" && !t.IssueTime.IsZero() {
			ids = append(ids, t.Path+"/"+s.saltedTokenID(id))
		}
	}
	s.mu.RUnlock()
	return logical.ChildKeys(prefix, ids), nil
}

// saltedTokenID is the token store's SaltID: a salted SHA-1 for a custom
// ID, an "h" and a salted HMAC-SHA256 for a service token.
func (s *Server) saltedTokenID(id string) string {
	if !strings.HasPrefix(id, "hvs.") {
		sum := sha1.Sum(append(append([]byte{}, s.hmacKey...), id...))
		return hex.EncodeToString(sum[:])
	}
	mac := hmac.New(sha256.New, s.hmacKey)
	mac.Write([]byte(id))
	return "h" + hex.EncodeToString(mac.Sum(nil))
}
