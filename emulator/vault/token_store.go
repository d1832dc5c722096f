package vault

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// tokenMount is the token auth method as a mount: its default and max lease
// TTL are the system's, as the emulator cannot tune auth/token.
var tokenMount = &mount{path: "auth/token/", typ: "token", auth: true}

// displayNameSanitize is Vault's: anything but letters, digits and '-'
// becomes '-'.
var displayNameSanitize = regexp.MustCompile("[^a-zA-Z0-9-]")

// nonAssignablePolicies are Vault's internal policies no token may carry.
var nonAssignablePolicies = []string{"response-wrapping", "control-group"}

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

// createToken is handleCreateCommon without token roles.
func (s *Server) createToken(req *request, parent *token, orphan bool) tokenResult {
	in, bad := parseCreateRequest(req.data)
	if bad != "" {
		return tokenErr(http.StatusBadRequest, bad)
	}
	s.mu.RLock()
	parentUses, parentPolicies, parentEntity, parentTTL := parent.NumUses, parent.Policies, parent.EntityID, parent.TTL
	s.mu.RUnlock()
	if parentUses > 0 {
		return tokenErr(http.StatusBadRequest, "restricted use token cannot generate child tokens")
	}
	isSudo := parent.root() || contains(s.capabilities(parent, "auth/token/"+strings.TrimPrefix(req.path, "auth/token/")), "sudo")
	switch in.typ {
	case "", "service":
	case "batch":
		return tokenErr(http.StatusBadRequest, "batch tokens are not supported by tfcemu")
	default:
		return tokenErr(http.StatusBadRequest, "invalid 'token_type' value")
	}
	if in.numUses < 0 {
		return tokenErr(http.StatusBadRequest, "number of uses cannot be negative")
	}
	if in.entityAlias != "" {
		return tokenErr(http.StatusBadRequest, "'entity_alias' is only allowed in combination with token role")
	}
	now := req.now
	t := &token{
		Parent: parent.ID, Path: strings.TrimSuffix(req.path, "/"), Metadata: in.meta, DisplayName: "token",
		NumUses: in.numUses, CreationTime: now, IssueTime: now,
	}
	if in.displayName != "" {
		t.DisplayName = strings.TrimSuffix(displayNameSanitize.ReplaceAllString("token-"+in.displayName, "-"), "-")
	}
	var warnings []string
	if in.id != "" {
		switch {
		case !isSudo:
			return tokenErr(http.StatusBadRequest, "root or sudo privileges required to specify token id")
		case strings.HasPrefix(in.id, "hvs."):
			return tokenErr(http.StatusBadRequest, "custom token ID cannot have the 'hvs.' prefix")
		case strings.HasPrefix(in.id, "s."):
			return tokenErr(http.StatusBadRequest, "custom token ID cannot have the 's.' prefix")
		case strings.Contains(in.id, "."):
			return tokenErr(http.StatusBadRequest, "custom token ID cannot have a '.' in the value")
		}
		t.ID = in.id
	}

	addDefault := false
	policies := in.policies
	switch {
	case len(policies) == 0:
		policies = sanitizePolicies(parentPolicies, false)
	case !isSudo:
		if !subset(sanitizePolicies(parentPolicies, false), sanitizePolicies(policies, false)) {
			return tokenErr(http.StatusBadRequest, "child policies must be subset of parent")
		}
		addDefault = !in.noDefaultPolicy && contains(parentPolicies, "default")
	default:
		addDefault = !in.noDefaultPolicy
	}
	t.Policies = sanitizePolicies(policies, addDefault)
	if in.noDefaultPolicy {
		t.Policies = remove(t.Policies, "default")
	}
	for _, p := range t.Policies {
		if contains(nonAssignablePolicies, p) {
			return tokenErr(http.StatusBadRequest, fmt.Sprintf("cannot assign policy %q", p))
		}
	}
	if t.root() && !contains(parentPolicies, "root") {
		return tokenErr(http.StatusBadRequest, "root tokens may not be created without parent token being root")
	}
	if in.noParent {
		if !isSudo {
			return tokenErr(http.StatusBadRequest, "root or sudo privileges required to create orphan token")
		}
		t.Parent = ""
	} else if orphan {
		t.Parent = ""
	}
	if t.Parent != "" {
		t.EntityID = parentEntity
	}

	var explicitMax, period time.Duration
	if in.explicitMaxTTL != "" {
		d, msg := parseSignedDuration(in.explicitMaxTTL)
		switch {
		case msg != "":
			return tokenErr(http.StatusBadRequest, msg)
		case d < 0:
			return tokenErr(http.StatusBadRequest, "explicit_max_ttl must be positive")
		}
		explicitMax = d
	}
	if in.period != "" {
		d, msg := parseSignedDuration(in.period)
		switch {
		case msg != "":
			return tokenErr(http.StatusBadRequest, msg)
		case d < 0:
			return tokenErr(http.StatusBadRequest, "period must be positive")
		case d > 0 && !isSudo:
			return tokenErr(http.StatusBadRequest, "root or sudo privileges required to create periodic token")
		}
		period = d
	}
	for _, f := range []struct{ name, v string }{{"ttl", in.ttl}, {"lease", in.lease}} {
		if f.v == "" {
			continue
		}
		d, msg := parseSignedDuration(f.v)
		switch {
		case msg != "":
			return tokenErr(http.StatusBadRequest, msg)
		case d < 0:
			return tokenErr(http.StatusBadRequest, f.name+" must be positive")
		}
		t.TTL = d
		break
	}
	t.Period, t.ExplicitMaxTTL = period, explicitMax
	if period > 0 || t.TTL > 0 || !t.root() {
		ttl, warn, err := calculateTTL(system{tokenMount}, 0, t.TTL, period, 0, explicitMax, now, now)
		if err != nil {
			return tokenErr(http.StatusInternalServerError, multierror(err.Error()))
		}
		warnings = append(warnings, warn...)
		t.TTL = ttl
	}
	if t.TTL == 0 && explicitMax > 0 {
		t.TTL = explicitMax
	}
	renewable := in.renewable
	if t.TTL == 0 {
		if parentTTL != 0 {
			return tokenErr(http.StatusBadRequest, "expiring root tokens cannot create non-expiring root tokens")
		}
		renewable = false
	} else {
		t.ExpireTime = now.Add(t.TTL)
	}
	t.Renewable = renewable
	t.Accessor = randomBase62(24)
	if t.ID != "" {
		warnings = append(warnings, "Supplying a custom ID for the token uses the weaker SHA1 hashing instead of the more secure SHA2-256 HMAC for token obfuscation. SHA1 hashed tokens on the wire leads to less secure lookups.")
	} else {
		t.ID = s.newServiceTokenID()
	}
	s.mu.Lock()
	if _, dup := s.tokens[t.ID]; dup {
		s.mu.Unlock()
		return tokenErr(http.StatusBadRequest, "cannot create a token with a duplicate ID")
	}
	s.tokens[t.ID] = t
	known := make(map[string]bool, len(s.policies))
	for name := range s.policies {
		known[name] = true
	}
	s.mu.Unlock()
	for _, p := range t.Policies {
		if p != "root" && !known[p] {
			warnings = append(warnings, fmt.Sprintf("Policy %q does not exist", p))
		}
	}
	return tokenResult{auth: t.authBlock(t.TTL, renewable), warnings: warnings}
}

// createRequest is auth/token/create's fields.
type createRequest struct {
	id, typ, ttl, lease, explicitMaxTTL, period, displayName, entityAlias string
	policies                                                              []string
	meta                                                                  map[string]string
	noParent, noDefaultPolicy, renewable                                  bool
	numUses                                                               int
}

// parseCreateRequest decodes the fields as Vault's framework does, with
// its "Field validation failed" message for a value of the wrong type.
func parseCreateRequest(data map[string]any) (createRequest, string) {
	r := &logical.Request{Data: data}
	in := createRequest{renewable: true}
	for field, dst := range map[string]*string{
		"id": &in.id, "type": &in.typ, "ttl": &in.ttl, "lease": &in.lease, "explicit_max_ttl": &in.explicitMaxTTL,
		"period": &in.period, "display_name": &in.displayName, "entity_alias": &in.entityAlias,
	} {
		v, _, err := r.String(field)
		if err != nil {
			return in, logical.FieldError(field, err).Error()
		}
		*dst = v
	}
	for field, dst := range map[string]*bool{"no_parent": &in.noParent, "no_default_policy": &in.noDefaultPolicy, "renewable": &in.renewable} {
		v, sent, err := r.Bool(field)
		if err != nil {
			return in, logical.FieldError(field, err).Error()
		}
		if sent {
			*dst = v
		}
	}
	policies, _, err := r.CommaStrings("policies")
	if err != nil {
		return in, logical.FieldError("policies", err).Error()
	}
	in.policies = policies
	if v, ok := data["num_uses"]; ok && v != nil {
		n, err := intField(v)
		if err != nil {
			return in, logical.FieldError("num_uses", err).Error()
		}
		in.numUses = n
	}
	meta, sent, err := r.Map("meta")
	if err != nil {
		return in, logical.FieldError("meta", err).Error()
	}
	if sent {
		in.meta = map[string]string{}
		for k, v := range meta {
			s, ok := v.(string)
			if !ok {
				return in, logical.FieldError("meta", fmt.Errorf("'%s' expected type 'string', got unconvertible type '%T'", k, v)).Error()
			}
			in.meta[k] = s
		}
	}
	return in, ""
}

func intField(v any) (int, error) {
	switch t := v.(type) {
	case json.Number:
		n, err := t.Int64()
		return int(n), err
	case string:
		if t == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(t)
		if err != nil {
			return 0, fmt.Errorf("cannot parse '' as int: %s", err)
		}
		return n, nil
	case float64:
		return int(t), nil
	case bool:
		if t {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("'%v' expected type 'int', got unconvertible type '%T'", v, v)
}

// parseSignedDuration is parseutil.ParseDurationSecond on a string field,
// which keeps the sign so the caller can say "must be positive".
func parseSignedDuration(s string) (time.Duration, string) {
	neg := strings.HasPrefix(strings.TrimSpace(s), "-")
	d, err := logical.ParseDurationSecond(strings.TrimPrefix(strings.TrimSpace(s), "-"))
	if err != nil {
		return 0, err.Error()
	}
	if neg {
		d = -d
	}
	return d, ""
}

func subset(super, sub []string) bool {
	for _, s := range sub {
		if !contains(super, s) {
			return false
		}
	}
	return true
}

func remove(list []string, s string) []string {
	out := []string{}
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
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
	if !t.ExpireTime.IsZero() {
		if !t.LastRenewal.IsZero() {
			d["last_renewal_time"] = t.LastRenewal.Unix()
			d["last_renewal"] = t.LastRenewal.Format(time.RFC3339Nano)
		}
		d["expire_time"] = t.ExpireTime.Format(time.RFC3339Nano)
		d["ttl"] = int64(t.ttl(now).Round(time.Second).Seconds())
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
	noLease, renewable, m, internal := t.ExpireTime.IsZero(), t.Renewable, t.mount, t.internal
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
		m = tokenMount
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
	if fromMethod != nil {
		base, maxTTL = fromMethod.TTL, fromMethod.MaxTTL
	}
	ttl, warnings, err := calculateTTL(system{m}, inc, base, t.Period, maxTTL, t.ExplicitMaxTTL, t.IssueTime, req.now)
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
