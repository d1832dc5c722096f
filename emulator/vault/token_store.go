package vault

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// tokenResult is what a token store path answers: an envelope body (data,
// auth, warnings), 204, or an error with its status.
type tokenResult struct {
	status   int
	data     map[string]any
	auth     *authBlock
	warnings []string
	err      string
}

func tokenErr(status int, msg string) tokenResult { return tokenResult{status: status, err: msg} }

// tokenStore serves auth/token/*, Vault's token store.
func (s *Server) tokenStore(w http.ResponseWriter, req *request, t *token) {
	path := strings.TrimSuffix(strings.TrimPrefix(req.path, "auth/token/"), "/")
	handlers := map[string]map[logical.Operation]func(*request, *token) tokenResult{
		"create":          {logical.UpdateOperation: func(r *request, t *token) tokenResult { return s.createToken(r, t, false) }},
		"create-orphan":   {logical.UpdateOperation: func(r *request, t *token) tokenResult { return s.createToken(r, t, true) }},
		"lookup":          {logical.ReadOperation: s.lookupToken, logical.UpdateOperation: s.lookupToken},
		"lookup-self":     {logical.ReadOperation: s.lookupSelf, logical.UpdateOperation: s.lookupSelf},
		"lookup-accessor": {logical.UpdateOperation: s.lookupAccessor},
		"renew":           {logical.UpdateOperation: s.renewToken},
		"renew-self":      {logical.UpdateOperation: s.renewSelf},
		"renew-accessor":  {logical.UpdateOperation: s.renewAccessor},
		"revoke":          {logical.UpdateOperation: s.revokeTokenPath},
		"revoke-self":     {logical.UpdateOperation: s.revokeSelf},
		"revoke-orphan":   {logical.UpdateOperation: s.revokeOrphanPath},
		"revoke-accessor": {logical.UpdateOperation: s.revokeAccessor},
		"accessors":       {logical.ListOperation: s.listAccessors},
	}
	ops, ok := handlers[path]
	if !ok && (path == "roles" || strings.HasPrefix(path, "roles/")) {
		s.tokenRoles(w, req, path)
		return
	}
	if !ok {
		writeErrors(w, http.StatusNotFound, multierror("unsupported path"))
		return
	}
	h, ok := ops[req.op]
	if !ok {
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
		return
	}
	res := h(req, t)
	switch {
	case res.err != "":
		writeErrors(w, res.status, res.err)
	case res.data == nil && res.auth == nil && res.warnings == nil:
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	default:
		env := newEnvelope()
		env.Data, env.Auth, env.Warnings, env.MountType = res.data, res.auth, res.warnings, "token"
		writeVault(w, http.StatusOK, env)
	}
}

// tokenParam reads the "token" field (body or query).
func tokenParam(req *request) string {
	v, _, _ := (&logical.Request{Data: req.data}).String("token")
	return v
}

func accessorParam(req *request) string {
	v, _, _ := (&logical.Request{Data: req.data}).String("accessor")
	return v
}

// lookupData is handleLookup's answer for a token.
func (s *Server) lookupData(t *token, now time.Time) map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var meta any
	if t.Metadata != nil {
		meta = t.Metadata
	}
	d := map[string]any{
		"id": t.ID, "accessor": t.Accessor, "policies": t.Policies, "path": t.Path, "meta": meta,
		"display_name": t.DisplayName, "num_uses": t.NumUses, "orphan": t.orphan(),
		"creation_time": t.CreationTime.Unix(), "creation_ttl": int64(t.TTL.Seconds()), "expire_time": nil, "ttl": 0,
		"explicit_max_ttl": int64(t.ExplicitMaxTTL.Seconds()), "entity_id": t.EntityID, "type": "service",
	}
	if t.Role != "" {
		d["role"] = t.Role
	}
	if t.Period != 0 {
		d["period"] = int64(t.Period.Seconds())
	}
	// Every token but one made by "operator init" has a lease entry (the
	// dev root token too: dev mode creates it through auth/token/create);
	// its times show when there is one (FetchLeaseTimesByToken).
	if !t.IssueTime.IsZero() {
		if !t.LastRenewal.IsZero() {
			d["last_renewal_time"] = t.LastRenewal.Unix()
			d["last_renewal"] = t.LastRenewal.Format(time.RFC3339Nano)
		}
		if !t.ExpireTime.IsZero() {
			d["expire_time"] = t.ExpireTime.Format(time.RFC3339Nano)
			d["ttl"] = int64(t.ttl(now).Round(time.Second).Seconds())
		}
		d["renewable"] = t.Renewable
		d["issue_time"] = t.IssueTime.Format(time.RFC3339Nano)
	}
	return d
}

func (s *Server) lookupSelf(req *request, t *token) tokenResult {
	return tokenResult{data: s.lookupData(t, req.now)}
}

func (s *Server) lookupToken(req *request, self *token) tokenResult {
	id := tokenParam(req)
	if id == "" {
		id = self.ID
	}
	t := s.liveToken(id, req.now)
	if t == nil {
		return tokenErr(http.StatusForbidden, "bad token")
	}
	return tokenResult{data: s.lookupData(t, req.now)}
}

func (s *Server) lookupAccessor(req *request, _ *token) tokenResult {
	a := accessorParam(req)
	if a == "" {
		return tokenErr(http.StatusBadRequest, "missing accessor")
	}
	t := s.tokenByAccessor(a, req.now)
	if t == nil {
		return tokenErr(http.StatusBadRequest, "invalid accessor")
	}
	d := s.lookupData(t, req.now)
	d["id"] = ""
	return tokenResult{data: d}
}

// renew is ExpirationManager.RenewToken on a live token.
func (s *Server) renew(req *request, t *token) tokenResult {
	inc, _, err := (&logical.Request{Data: req.data}).DurationSecond("increment")
	if err != nil {
		return tokenErr(http.StatusBadRequest, logical.FieldError("increment", err).Error())
	}
	s.mu.RLock()
	noLease, renewable, m, internal := t.IssueTime.IsZero(), t.Renewable, t.mount, t.internal
	s.mu.RUnlock()
	if noLease {
		return tokenErr(http.StatusBadRequest, "invalid lease ID")
	}
	if !renewable {
		return tokenErr(http.StatusBadRequest, "lease is not renewable")
	}
	// A login token renews through its auth method, which answers the
	// TTLs of its role as it is now.
	var fromMethod *logical.Auth
	if m == nil {
		m = s.tokenMount
	} else if r, ok := m.backend.(logical.AuthRenewer); ok {
		a, err := r.RenewAuth(req.http.Context(), internal)
		if err != nil {
			return tokenErr(http.StatusInternalServerError, multierror("failed to renew entry: "+err.Error()))
		}
		fromMethod = a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	base, maxTTL := t.TTL, t.MaxTTL
	if t.LastRenewal.After(t.IssueTime) {
		base = t.ExpireTime.Sub(t.LastRenewal)
	}
	period := t.Period
	if fromMethod != nil {
		base, maxTTL, period = fromMethod.TTL, fromMethod.MaxTTL, fromMethod.Period
	}
	ttl, warnings, err := calculateTTL(system{m}, inc, base, period, maxTTL, t.ExplicitMaxTTL, t.IssueTime, req.now)
	if err != nil {
		return tokenErr(http.StatusInternalServerError, multierror(err.Error()))
	}
	t.ExpireTime, t.LastRenewal = req.now.Add(ttl), req.now
	return tokenResult{auth: t.authBlock(ttl, true), warnings: warnings}
}

func (s *Server) renewSelf(req *request, t *token) tokenResult { return s.renew(req, t) }

func (s *Server) renewToken(req *request, _ *token) tokenResult {
	id := tokenParam(req)
	if id == "" {
		return tokenErr(http.StatusBadRequest, "missing token ID")
	}
	t := s.liveToken(id, req.now)
	if t == nil {
		return tokenErr(http.StatusBadRequest, "token not found")
	}
	return s.renew(req, t)
}

func (s *Server) renewAccessor(req *request, _ *token) tokenResult {
	a := accessorParam(req)
	if a == "" {
		return tokenErr(http.StatusBadRequest, "missing accessor")
	}
	t := s.tokenByAccessor(a, req.now)
	if t == nil {
		return tokenErr(http.StatusBadRequest, "invalid accessor")
	}
	res := s.renew(req, t)
	if res.auth != nil {
		res.auth.ClientToken = ""
	}
	return res
}

func (s *Server) revokeSelf(req *request, t *token) tokenResult {
	s.revokeToken(req.http.Context(), t.ID)
	return tokenResult{}
}

func (s *Server) revokeTokenPath(req *request, _ *token) tokenResult {
	id := tokenParam(req)
	if id == "" {
		return tokenErr(http.StatusBadRequest, "missing token ID")
	}
	s.revokeToken(req.http.Context(), id)
	return tokenResult{}
}

func (s *Server) revokeOrphanPath(req *request, _ *token) tokenResult {
	id := tokenParam(req)
	if id == "" {
		return tokenErr(http.StatusBadRequest, "missing token ID")
	}
	if s.liveToken(id, req.now) == nil {
		return tokenErr(http.StatusBadRequest, "token to revoke not found")
	}
	s.revokeOrphan(req.http.Context(), id)
	return tokenResult{}
}

func (s *Server) revokeAccessor(req *request, _ *token) tokenResult {
	a := accessorParam(req)
	if a == "" {
		return tokenErr(http.StatusBadRequest, "missing accessor")
	}
	t := s.tokenByAccessor(a, req.now)
	if t == nil {
		return tokenResult{warnings: []string{"No token found with this accessor"}}
	}
	s.revokeToken(req.http.Context(), t.ID)
	return tokenResult{}
}

func (s *Server) listAccessors(req *request, _ *token) tokenResult {
	s.mu.RLock()
	var keys []any
	var ks []string
	for _, t := range s.tokens {
		if !t.expired(req.now) {
			ks = append(ks, t.Accessor)
		}
	}
	s.mu.RUnlock()
	sort.Strings(ks)
	for _, k := range ks {
		keys = append(keys, k)
	}
	return tokenResult{data: map[string]any{"keys": keys}}
}

// tokenRoles answers auth/token/roles as a token store with no roles does:
// the list and every role read are empty 404s; the list path takes only
// LIST. Writing a role is not emulated (features/deviations.yaml).
func (s *Server) tokenRoles(w http.ResponseWriter, req *request, path string) {
	switch {
	case path == "roles" && req.op == logical.ListOperation,
		path != "roles" && req.op == logical.ReadOperation:
		writeErrors(w, http.StatusNotFound)
	case path == "roles", req.op != logical.UpdateOperation && req.op != logical.DeleteOperation:
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
	case req.op == logical.DeleteOperation:
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	default:
		writeErrors(w, http.StatusNotFound, multierror("unsupported path"))
	}
}
