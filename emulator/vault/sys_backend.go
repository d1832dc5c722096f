package vault

import (
	"context"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// call is one request as a system or token store handler sees it: the
// logical request, its fields, the caller's token and the time.
type call struct {
	ctx  context.Context
	req  *logical.Request
	d    *logical.FieldData
	tok  *token // nil on an unauthenticated path
	now  time.Time
	path string // the full path, mount included
}

// handler is a system or token store operation.
type handler func(c *call) (*logical.Response, error)

// callerKey carries the caller's token to the built-in backends.
type callerKey struct{}

// op adapts a handler to the framework.
func (s *Server) op(h handler) logical.OperationFunc {
	return func(ctx context.Context, req *logical.Request, d *logical.FieldData) (*logical.Response, error) {
		tok, _ := ctx.Value(callerKey{}).(*token)
		return h(&call{ctx: ctx, req: req, d: d, tok: tok, now: s.cfg.Now(), path: req.MountPoint + req.Path})
	}
}

// builtin is a backend the core serves itself (sys/, auth/token/): a
// router and its unauthenticated paths. It issues no leases.
type builtin struct {
	*logical.Router
	unauth []string
}

func (b builtin) Unauthenticated() []string { return b.unauth }
func (builtin) RenewSecret(context.Context, *logical.Secret) (*logical.Response, error) {
	return nil, logical.ErrUnsupportedOperation
}
func (builtin) RevokeSecret(context.Context, *logical.Secret) error { return nil }

// str, dur and list are field schemas the built-in paths share.
var (
	str  = &logical.FieldSchema{Type: logical.TypeString}
	boo  = &logical.FieldSchema{Type: logical.TypeBool}
	list = &logical.FieldSchema{Type: logical.TypeCommaStringSlice}
)

// ops is a path's operations, all served by one handler.
func (s *Server) ops(h handler, ops ...logical.Operation) map[logical.Operation]logical.OperationFunc {
	out := make(map[logical.Operation]logical.OperationFunc, len(ops))
	for _, o := range ops {
		out[o] = s.op(h)
	}
	return out
}

// sysPaths is the system backend's path table (the subset the emulator
// serves), patterns inside "sys/". Like Vault's own backends, its fields
// take arbitrary input (no warning about unknown fields).
func (s *Server) sysPaths() []*logical.Path {
	read, update, del, lst := logical.ReadOperation, logical.UpdateOperation, logical.DeleteOperation, logical.ListOperation
	policyFields := map[string]*logical.FieldSchema{"name": str, "policy": str, "rules": str}
	leaseFields := map[string]*logical.FieldSchema{"lease_id": str, "url_lease_id": str, "increment": {Type: logical.TypeDurationSecond},
		"sync": {Type: logical.TypeBool, Default: true}, "prefix": str}
	mountFields := map[string]*logical.FieldSchema{"path": str, "type": str, "description": str, "config": {Type: logical.TypeMap},
		"local": boo, "seal_wrap": boo, "external_entropy_access": boo, "options": {Type: logical.TypeKVPairs},
		"plugin_name": str, "plugin_version": str}
	tuneFields := map[string]*logical.FieldSchema{"path": str, "default_lease_ttl": str, "max_lease_ttl": str, "description": str,
		"options": {Type: logical.TypeKVPairs}, "token_type": str}
	paths := []*logical.Path{
		{Pattern: `^policy/?$`, Operations: s.ops(s.listPoliciesOp(true), read, lst),
			HelpSynopsis: "List the configured access control policies."},
		{Pattern: `^policy/(?P<name>.+?)/?$`, Fields: policyFields, Operations: map[logical.Operation]logical.OperationFunc{
			read: s.op(s.readPolicy(true)), update: s.op(s.setPolicy(true)), del: s.op(s.deletePolicy)},
			HelpSynopsis: "Read, Modify, or Delete an access control policy."},
		{Pattern: `^policies/acl/?$`, Operations: s.ops(s.listPoliciesOp(false), lst),
			HelpSynopsis: "List the configured access control policies."},
		{Pattern: `^policies/acl/(?P<name>.+?)/?$`, Fields: policyFields, Operations: map[logical.Operation]logical.OperationFunc{
			read: s.op(s.readPolicy(false)), update: s.op(s.setPolicy(false)), del: s.op(s.deletePolicy)},
			HelpSynopsis: "Read, Modify, or Delete an access control policy."},
		{Pattern: `^capabilities$`, Fields: map[string]*logical.FieldSchema{"token": str, "path": list, "paths": list},
			Operations: s.ops(s.capabilitiesOp("token"), update), HelpSynopsis: "Fetches the capabilities of the given token on the given path."},
		{Pattern: `^capabilities-self$`, Fields: map[string]*logical.FieldSchema{"path": list, "paths": list},
			Operations: s.ops(s.capabilitiesOp("self"), update), HelpSynopsis: "Fetches the capabilities of the given token on the given path."},
		{Pattern: `^capabilities-accessor$`, Fields: map[string]*logical.FieldSchema{"accessor": str, "path": list, "paths": list},
			Operations: s.ops(s.capabilitiesOp("accessor"), update), HelpSynopsis: "Fetches the capabilities of the token associated with the given token, on the given path."},
		{Pattern: `^mounts/?$`, Operations: s.ops(s.listMountsOp(false), read), HelpSynopsis: "List the currently mounted backends."},
		{Pattern: `^auth/?$`, Operations: s.ops(s.listMountsOp(true), read), HelpSynopsis: "List the currently enabled credential backends."},
		{Pattern: `^mounts/(?P<path>.+)/tune/?$`, Fields: tuneFields, Operations: s.ops(s.tuneOp(""), read, update),
			HelpSynopsis: "Tune backend configuration parameters for this mount."},
		{Pattern: `^auth/(?P<path>.+)/tune/?$`, Fields: tuneFields, Operations: s.ops(s.tuneOp("auth/"), read, update),
			HelpSynopsis: "Tune configuration parameters for a credential backend."},
		{Pattern: `^mounts/(?P<path>.+)$`, Fields: mountFields, Operations: s.ops(s.mountOp(""), read, update, del),
			HelpSynopsis: "Mount a new backend at a new path."},
		{Pattern: `^auth/(?P<path>.+)$`, Fields: mountFields, Operations: s.ops(s.mountOp("auth/"), read, update, del),
			HelpSynopsis: "Enables a new auth method."},
		{Pattern: `^leases/lookup/?$`, Fields: leaseFields, Operations: map[logical.Operation]logical.OperationFunc{
			update: s.op(s.lookupLease), lst: s.op(s.listLeases)}, HelpSynopsis: "View or list lease metadata."},
		{Pattern: `^leases/lookup/(?P<prefix>.+?)/?$`, Fields: leaseFields, Operations: map[logical.Operation]logical.OperationFunc{
			update: s.op(s.lookupLease), lst: s.op(s.listLeases)}, HelpSynopsis: "View or list lease metadata."},
		{Pattern: `^leases/renew(/(?P<url_lease_id>.+?))?/?$`, Fields: leaseFields,
			Operations: s.ops(s.renewLeaseOp, update), HelpSynopsis: "Renews a lease, requesting to extend the lease."},
		{Pattern: `^leases/revoke(/(?P<url_lease_id>.+?))?/?$`, Fields: leaseFields,
			Operations: s.ops(s.revokeLeaseOp, update), HelpSynopsis: "Revoke a leased secret immediately"},
		{Pattern: `^leases/revoke-prefix(/(?P<prefix>.+?))?/?$`, Fields: leaseFields,
			Operations: s.ops(s.revokePrefixOp, update), HelpSynopsis: "Revoke all secrets generated in a given prefix"},
		{Pattern: `^leases/revoke-force/(?P<prefix>.+?)/?$`, Fields: leaseFields,
			Operations: s.ops(s.revokeForceOp, update), HelpSynopsis: "Revoke all secrets generated in a given prefix, ignoring errors."},
		{Pattern: `^internal/ui/mounts$`, Operations: s.ops(s.uiMounts, read),
			HelpSynopsis: "Information about mounts returned according to their tuned visibility. Internal API; its location, inputs, and outputs may change."},
		{Pattern: `^internal/ui/mounts/(?P<path>.+)$`, Operations: s.ops(s.uiMounts, read),
			HelpSynopsis: "Information about mounts returned according to their tuned visibility. Internal API; its location, inputs, and outputs may change."},
	}
	for _, p := range paths {
		p.TakesArbitraryInput = true
	}
	return paths
}

// newSysBackend is the system backend, compiled once.
func (s *Server) newSysBackend() logical.Backend {
	return builtin{Router: logical.NewRouter("", nil, s.sysPaths()...).WithoutHelp(), unauth: []string{"internal/ui/mounts", "internal/ui/mounts/*"}}
}
