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
	"time"

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
	sec.LeaseID = strings.TrimSuffix(reqPath, "/") + "/" + randomBase62(24)
	l := &lease{ID: sec.LeaseID, Mount: m, Secret: sec, IssueTime: now, ExpireTime: now.Add(ttl), Token: tokenID}
	s.mu.Lock()
	s.leases[l.ID] = l
	s.mu.Unlock()
	return l, warnings, nil
}

func (s *Server) expiredLeases(now time.Time) []*lease {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*lease
	for _, l := range s.leases {
		if !now.Before(l.ExpireTime) && l.failures < maxRevokeAttempts {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ExpireTime.Before(out[j].ExpireTime) })
	return out
}

// maxRevokeAttempts is how often an expired lease's revocation is tried
// before Vault marks it irrevocable.
const maxRevokeAttempts = 6

// revokeLease asks the backend to revoke and forgets the lease on success.
func (s *Server) revokeLease(ctx context.Context, l *lease) error {
	if err := l.Mount.backend.RevokeSecret(ctx, l.Secret); err != nil {
		s.mu.Lock()
		l.failures++
		s.mu.Unlock()
		return err
	}
	s.mu.Lock()
	delete(s.leases, l.ID)
	s.mu.Unlock()
	return nil
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

// leaseOp serves sys/leases/{lookup,renew,revoke,revoke-prefix,revoke-force}.
func (s *Server) leaseOp(w http.ResponseWriter, req *request, rest string) {
	rest = strings.TrimSuffix(rest, "/")
	action, urlID, _ := strings.Cut(rest, "/")
	lreq := &logical.Request{Data: req.data}
	id, _, _ := lreq.String("lease_id")
	if id == "" {
		id = urlID
	}
	if action == "revoke-force" {
		s.revokeForce(w, req, urlID)
		return
	}
	if action == "lookup" && req.op == logical.ListOperation {
		s.listLeases(w, urlID)
		return
	}
	if req.op != logical.UpdateOperation && !(action == "lookup" && req.op == logical.ListOperation) {
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
		return
	}
	if id == "" && action != "revoke-prefix" {
		writeErrors(w, http.StatusBadRequest, "lease_id must be specified")
		return
	}
	ctx := req.http.Context()
	switch action {
	case "lookup":
		_, l, ok := s.findLease(id)
		if !ok {
			writeErrors(w, http.StatusBadRequest, "invalid lease")
			return
		}
		env := sysEnvelope()
		var lastRenewal any
		if !l.LastRenewal.IsZero() {
			lastRenewal = l.LastRenewal.Format(time.RFC3339Nano)
		}
		env.Data = map[string]any{
			"id": l.ID, "issue_time": l.IssueTime.Format(time.RFC3339Nano), "expire_time": l.ExpireTime.Format(time.RFC3339Nano),
			"last_renewal": lastRenewal, "renewable": l.Secret.Renewable, "ttl": int(l.ttl(req.now).Seconds()),
		}
		writeVault(w, http.StatusOK, env)
	case "renew":
		s.renewLease(w, req, lreq, id)
	case "revoke":
		l, _, ok := s.findLease(id)
		if ok {
			if err := s.revokeLease(ctx, l); err != nil {
				writeErrors(w, http.StatusBadRequest, "failed to revoke entry: resp: (*logical.Response)(nil) err: "+err.Error())
				return
			}
		}
		if sync, sent, _ := lreq.Bool("sync"); sent && !sync {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "revoke-prefix":
		prefix := urlID
		if prefix == "" {
			prefix, _, _ = lreq.String("prefix")
		}
		if err := s.revokePrefix(ctx, prefix); err != nil {
			writeErrors(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeErrors(w, http.StatusNotFound, multierror("unsupported path"))
	}
}

func (s *Server) renewLease(w http.ResponseWriter, req *request, lreq *logical.Request, id string) {
	l, snap, ok := s.findLease(id)
	switch {
	case !ok:
		writeErrors(w, http.StatusBadRequest, "lease not found")
		return
	case !req.now.Before(snap.ExpireTime):
		writeErrors(w, http.StatusBadRequest, "lease expired")
		return
	case !l.Secret.Renewable:
		writeErrors(w, http.StatusBadRequest, "lease is not renewable")
		return
	}
	inc, _, err := lreq.DurationSecond("increment")
	if err != nil {
		writeErrors(w, http.StatusBadRequest, err.Error())
		return
	}
	resp, err := l.Mount.backend.RenewSecret(req.http.Context(), l.Secret)
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "failed to renew entry: resp: (*logical.Response)(nil) err: "+err.Error())
		return
	}
	backendTTL, backendMax := l.Secret.TTL, l.Secret.MaxTTL
	if resp != nil && resp.Secret != nil {
		backendTTL, backendMax = resp.Secret.TTL, resp.Secret.MaxTTL
	}
	ttl, warnings, err := calculateTTL(system{l.Mount}, inc, backendTTL, 0, backendMax, 0, snap.IssueTime, req.now)
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "failed to renew entry: resp: (*logical.Response)(nil) err: "+err.Error())
		return
	}
	s.mu.Lock()
	l.ExpireTime, l.LastRenewal = req.now.Add(ttl), req.now
	s.mu.Unlock()
	env := sysEnvelope()
	env.LeaseID, env.Renewable, env.LeaseDuration = l.ID, true, int(ttl.Seconds())
	env.Warnings = warnings
	writeVault(w, http.StatusOK, env)
}

// revokeForce is sys/leases/revoke-force/:prefix: the leases under prefix
// (or the one lease it names) are forgotten without asking their backend,
// which is how an operator clears leases whose revocation keeps failing.
func (s *Server) revokeForce(w http.ResponseWriter, req *request, prefix string) {
	switch {
	case prefix == "":
		writeErrors(w, http.StatusNotFound, multierror("unsupported path"))
		return
	case req.op != logical.UpdateOperation:
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
		return
	}
	s.mu.Lock()
	if _, exact := s.leases[prefix]; exact {
		delete(s.leases, prefix)
	} else {
		dir := strings.TrimSuffix(prefix, "/") + "/"
		for id := range s.leases {
			if strings.HasPrefix(id, dir) {
				delete(s.leases, id)
			}
		}
	}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// listLeases is LIST sys/leases/lookup/:prefix: one level of the lease IDs
// under prefix, folders with a trailing slash. Tokens are leases too,
// under the path that made them, named by a salted hash of their ID (SHA-1
// for a custom ID such as the dev root token's, HMAC-SHA256 with an "h"
// for the others), as the expiration manager stores them.
func (s *Server) listLeases(w http.ResponseWriter, prefix string) {
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
	seen := map[string]bool{}
	for _, id := range ids {
		rest, ok := strings.CutPrefix(id, prefix)
		if !ok {
			continue
		}
		if dir, _, nested := strings.Cut(rest, "/"); nested {
			rest = dir + "/"
		}
		seen[rest] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		writeErrors(w, http.StatusNotFound)
		return
	}
	sort.Strings(keys)
	writeSys(w, map[string]any{"keys": keys}, nil)
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
