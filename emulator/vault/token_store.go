package vault

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// tokenPaths is the token store's path table (auth/token/), each path
// with its fields: unknown fields are warned about only on the create
// paths, as the emulator always has.
func (s *Server) tokenPaths() []*logical.Path {
	update, read, lst, del := logical.UpdateOperation, logical.ReadOperation, logical.ListOperation, logical.DeleteOperation
	tokenField := map[string]*logical.FieldSchema{"token": str, "increment": {Type: logical.TypeDurationSecond}}
	accessorField := map[string]*logical.FieldSchema{"accessor": str, "increment": {Type: logical.TypeDurationSecond}}
	// commonFieldsForCreate (vault/token_store.go): the TTLs are strings
	// the handler parses itself.
	createFields := map[string]*logical.FieldSchema{
		"display_name": str, "explicit_max_ttl": str, "entity_alias": str, "num_uses": {Type: logical.TypeInt},
		"period": str, "renewable": {Type: logical.TypeBool, Default: true}, "ttl": str, "lease": str, "type": str,
		"no_default_policy": boo, "id": str, "meta": {Type: logical.TypeKVPairs}, "no_parent": boo,
		"policies": {Type: logical.TypeStringSlice},
	}
	paths := []*logical.Path{
		{Pattern: `^create/?$`, Fields: createFields, Operations: s.ops(s.createOp(false), update),
			HelpSynopsis: "The token create path is used to create new tokens."},
		{Pattern: `^create-orphan/?$`, Fields: createFields, Operations: s.ops(s.createOp(true), update),
			HelpSynopsis: "The token create path is used to create new orphan tokens."},
		{Pattern: `^lookup/?$`, Fields: tokenField, Operations: s.ops(s.lookupToken, read, update),
			HelpSynopsis: "This endpoint will lookup a token and its properties."},
		{Pattern: `^lookup-self/?$`, Fields: tokenField, Operations: s.ops(s.lookupSelf, read, update),
			HelpSynopsis: "This endpoint will lookup a token and its properties."},
		{Pattern: `^lookup-accessor/?$`, Fields: accessorField, Operations: s.ops(s.lookupAccessor, update),
			HelpSynopsis: "This endpoint will lookup a token associated with the given accessor and its properties. Response will not contain the token ID."},
		{Pattern: `^renew/?$`, Fields: tokenField, Operations: s.ops(s.renewToken, update),
			HelpSynopsis: "This endpoint will renew the given token and prevent expiration."},
		{Pattern: `^renew-self/?$`, Fields: tokenField, Operations: s.ops(s.renewSelf, update),
			HelpSynopsis: "This endpoint will renew the token used to call it and prevent expiration."},
		{Pattern: `^renew-accessor/?$`, Fields: accessorField, Operations: s.ops(s.renewAccessor, update),
			HelpSynopsis: "This endpoint will renew a token associated with the given accessor and its properties. Response will not contain the token ID."},
		{Pattern: `^revoke/?$`, Fields: tokenField, Operations: s.ops(s.revokeTokenOp, update),
			HelpSynopsis: "This endpoint will delete the given token and all of its child tokens."},
		{Pattern: `^revoke-self/?$`, Operations: s.ops(s.revokeSelf, update),
			HelpSynopsis: "This endpoint will delete the token used to call it and all of its child tokens."},
		{Pattern: `^revoke-orphan/?$`, Fields: tokenField, Operations: s.ops(s.revokeOrphanOp, update),
			HelpSynopsis: "This endpoint will delete the token and orphan its child tokens."},
		{Pattern: `^revoke-accessor/?$`, Fields: accessorField, Operations: s.ops(s.revokeAccessor, update),
			HelpSynopsis: "This endpoint will delete the token associated with the accessor and all of its child tokens."},
		{Pattern: `^accessors/?$`, Operations: s.ops(s.listAccessors, lst),
			HelpSynopsis: "List token accessors, which can then be be used to iterate and discover their properties or revoke them."},
		// A token store with no roles: the list and every role read are
		// empty 404s, a delete succeeds; writing a role is not emulated
		// (features/deviations.yaml).
		{Pattern: `^roles/?$`, Operations: s.ops(noEntry, lst), HelpSynopsis: "This endpoint lists configured roles."},
		{Pattern: `^roles/(?P<role_name>.+?)/?$`, Operations: map[logical.Operation]logical.OperationFunc{
			read: s.op(noEntry), del: s.op(noEntry), update: s.op(func(*call) (*logical.Response, error) { return nil, logical.ErrUnsupportedPath })},
			HelpSynopsis: "This endpoint allows creating, reading, and deleting roles."},
	}
	for _, p := range paths {
		p.TakesArbitraryInput = p.Pattern != `^create/?$` && p.Pattern != `^create-orphan/?$`
	}
	return paths
}

// noEntry answers an empty entry: a 404 on a read or list, a 204 else.
func noEntry(*call) (*logical.Response, error) { return nil, nil }

// newTokenBackend is the token store, compiled once.
func (s *Server) newTokenBackend() logical.Backend {
	return builtin{Router: logical.NewRouter("", nil, s.tokenPaths()...).WithoutHelp()}
}

// tokenParam reads the "token" field (body or query).
func tokenParam(c *call) string {
	return c.d.String("token")
}

func accessorParam(c *call) string {
	return c.d.String("accessor")
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

func (s *Server) lookupSelf(c *call) (*logical.Response, error) {
	return &logical.Response{Data: s.lookupData(c.tok, c.now)}, nil
}

func (s *Server) lookupToken(c *call) (*logical.Response, error) {
	id := tokenParam(c)
	if id == "" {
		id = c.tok.ID
	}
	t := s.liveToken(id, c.now)
	if t == nil {
		return nil, logical.NewCodedError(http.StatusForbidden, "bad token")
	}
	return &logical.Response{Data: s.lookupData(t, c.now)}, nil
}

func (s *Server) lookupAccessor(c *call) (*logical.Response, error) {
	a := accessorParam(c)
	if a == "" {
		return logical.ErrorResponse("missing accessor"), nil
	}
	t := s.tokenByAccessor(a, c.now)
	if t == nil {
		return logical.ErrorResponse("invalid accessor"), nil
	}
	d := s.lookupData(t, c.now)
	d["id"] = ""
	return &logical.Response{Data: d}, nil
}

// renew is ExpirationManager.RenewToken on a live token.
func (s *Server) renew(c *call, t *token) (*logical.Response, error) {
	inc := time.Duration(c.d.Int("increment")) * time.Second
	s.mu.RLock()
	noLease, renewable, m, internal := t.IssueTime.IsZero(), t.Renewable, t.mount, t.internal
	s.mu.RUnlock()
	if noLease {
		return logical.ErrorResponse("invalid lease ID"), nil
	}
	if !renewable {
		return logical.ErrorResponse("lease is not renewable"), nil
	}
	// A login token renews through its auth method, which answers the
	// TTLs of its role as it is now.
	var fromMethod *logical.Auth
	if m == nil {
		m = s.tokenMount
	} else if r, ok := m.backend.(logical.AuthRenewer); ok {
		a, err := r.RenewAuth(c.ctx, internal)
		if err != nil {
			return nil, fmt.Errorf("failed to renew entry: %w", err)
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
	ttl, warnings, err := calculateTTL(system{m}, inc, base, period, maxTTL, t.ExplicitMaxTTL, t.IssueTime, c.now)
	if err != nil {
		return nil, err
	}
	t.ExpireTime, t.LastRenewal = c.now.Add(ttl), c.now
	s.mark(tokensMember, t.ID)
	if _, live := s.tokens[t.ID]; live {
		s.expiry.set(tokenKey(t.ID), t.ExpireTime)
	}
	return &logical.Response{Auth: t.auth(ttl, true), Warnings: warnings}, nil
}

func (s *Server) renewSelf(c *call) (*logical.Response, error) { return s.renew(c, c.tok) }

func (s *Server) renewToken(c *call) (*logical.Response, error) {
	id := tokenParam(c)
	if id == "" {
		return logical.ErrorResponse("missing token ID"), nil
	}
	t := s.liveToken(id, c.now)
	if t == nil {
		return logical.ErrorResponse("token not found"), nil
	}
	return s.renew(c, t)
}

func (s *Server) renewAccessor(c *call) (*logical.Response, error) {
	a := accessorParam(c)
	if a == "" {
		return logical.ErrorResponse("missing accessor"), nil
	}
	t := s.tokenByAccessor(a, c.now)
	if t == nil {
		return logical.ErrorResponse("invalid accessor"), nil
	}
	resp, err := s.renew(c, t)
	if resp != nil && resp.Auth != nil {
		resp.Auth.ClientToken = ""
	}
	return resp, err
}

func (s *Server) revokeSelf(c *call) (*logical.Response, error) {
	s.revokeToken(context.WithoutCancel(c.ctx), c.tok.ID)
	return nil, nil
}

func (s *Server) revokeTokenOp(c *call) (*logical.Response, error) {
	id := tokenParam(c)
	if id == "" {
		return logical.ErrorResponse("missing token ID"), nil
	}
	s.revokeToken(context.WithoutCancel(c.ctx), id)
	return nil, nil
}

func (s *Server) revokeOrphanOp(c *call) (*logical.Response, error) {
	id := tokenParam(c)
	if id == "" {
		return logical.ErrorResponse("missing token ID"), nil
	}
	if s.liveToken(id, c.now) == nil {
		return logical.ErrorResponse("token to revoke not found"), nil
	}
	s.revokeOrphan(context.WithoutCancel(c.ctx), id)
	return nil, nil
}

func (s *Server) revokeAccessor(c *call) (*logical.Response, error) {
	a := accessorParam(c)
	if a == "" {
		return logical.ErrorResponse("missing accessor"), nil
	}
	t := s.tokenByAccessor(a, c.now)
	if t == nil {
		return &logical.Response{Warnings: []string{"No token found with this accessor"}}, nil
	}
	s.revokeToken(context.WithoutCancel(c.ctx), t.ID)
	return nil, nil
}

func (s *Server) listAccessors(c *call) (*logical.Response, error) {
	s.mu.RLock()
	var ks []string
	for _, t := range s.tokens {
		if !t.expired(c.now) {
			ks = append(ks, t.Accessor)
		}
	}
	s.mu.RUnlock()
	return logical.Keys(ks), nil
}
