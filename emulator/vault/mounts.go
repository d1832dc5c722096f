package vault

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-secure-stdlib/parseutil"

	"github.com/tfcemu/tfcemu/emulator/vault/cubbyhole"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// mount is a secrets engine or an auth method at a path.
type mount struct {
	path        string // "terraform/" or "auth/jwt/"
	typ         string
	description string
	accessor    string
	uuid        string
	auth        bool
	defaultTTL  time.Duration // 0: the system default
	maxTTL      time.Duration // 0: the system default
	backend     logical.Backend
	// options is the mount's options; nil reads as null, as Vault's own
	// (builtin.vault) mounts show them.
	options map[string]any
	local   bool
	// externalEntropy is what enable was told; nothing uses it.
	externalEntropy bool
	// sealWrap and passthrough are the system mounts' fixed settings.
	sealWrap    bool
	passthrough []string
	// permanent mounts (cubbyhole/, identity/) cannot be disabled.
	permanent bool
	// tainted marks a mount being disabled; it stays so when a lease of
	// it could not be revoked, and serves nothing until disabled again.
	tainted bool
}

// system is the mount's view for its backend.
type system struct{ m *mount }

func (s system) DefaultLeaseTTL() time.Duration {
	if s.m.defaultTTL > 0 {
		return s.m.defaultTTL
	}
	return DefaultLeaseTTL
}

func (s system) MaxLeaseTTL() time.Duration {
	if s.m.maxTTL > 0 {
		return s.m.maxTTL
	}
	return DefaultLeaseTTL
}

// mountFor returns the mount with the longest path that prefixes path
// (the path itself, or the path and a slash), and the rest of the path.
// sys/ and auth/token/ are mounts like the others.
func (s *Server) mountFor(path string) (*mount, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	best := longestMount(path, s.sysMount, s.tokenMount, s.mounts)
	if best == nil {
		return nil, ""
	}
	if path+"/" == best.path {
		return best, ""
	}
	return best, path[len(best.path):]
}

// longestMount is the mount with the longest path that path is under, or
// that is path with a trailing slash: sys and token, or one of mounts
// (keyed by their paths, each ending in a slash). It looks the candidates
// up, longest first, rather than walking the mounts.
func longestMount(path string, sys, token *mount, mounts map[string]*mount) *mount {
	var best *mount
	consider := func(m *mount) {
		p := m.path
		if (strings.HasPrefix(path, p) || len(p) == len(path)+1 && p[len(path)] == '/' && strings.HasPrefix(p, path)) &&
			(best == nil || len(p) > len(best.path)) {
			best = m
		}
	}
	consider(sys)
	consider(token)
	if !strings.HasSuffix(path, "/") {
		// path itself names a mount ("terraform" for "terraform/").
		var buf [64]byte
		if m, ok := mounts[string(append(append(buf[:0], path...), '/'))]; ok {
			consider(m)
			return best
		}
	}
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] != '/' {
			continue
		}
		if m, ok := mounts[path[:i+1]]; ok {
			consider(m)
			return best
		}
	}
	return best
}

// mountsLocked is every mount, sys/ and auth/token/ first; the caller
// holds the lock.
func (s *Server) mountsLocked() []*mount {
	out := make([]*mount, 0, len(s.mounts)+2)
	for _, m := range s.mounts {
		out = append(out, m)
	}
	// Sorted by path, so a snapshot reads the same every time.
	slices.SortFunc(out, func(a, b *mount) int { return strings.Compare(a.path, b.path) })
	return append([]*mount{s.sysMount, s.tokenMount}, out...)
}

// capture is a path capture of the request (a URL part, not the body).
func capture(c *call, name string) string {
	v, _ := c.d.Value(name)
	s, _ := v.(string)
	return s
}

// mountOp is sys/mounts/:path and sys/auth/:path: enable (write),
// disable (delete) and read a mount.
func (s *Server) mountOp(prefix string) handler {
	return func(c *call) (*logical.Response, error) {
		path := strings.Trim(capture(c, "path"), "/")
		if path == "" {
			return nil, logical.ErrUnsupportedOperation
		}
		full := prefix + path + "/"
		switch c.req.Operation {
		case logical.ReadOperation:
			return s.readMount(full)
		case logical.DeleteOperation:
			if err := s.disable(c.ctx, full); err != nil {
				return logical.ErrorResponse("%s", err), nil
			}
			return nil, nil
		}
		return s.enable(c, prefix, full)
	}
}

func (s *Server) enable(c *call, prefix, full string) (*logical.Response, error) {
	typ := c.d.String("type")
	if typ == "" {
		return logical.ErrorResponse("backend type must be specified as a string"), nil
	}
	factories := secretEngines
	if prefix == "auth/" {
		factories = authMethods
	}
	factory, ok := factories[typ]
	if !ok {
		return logical.ErrorResponse("plugin not found in the catalog: %s", typ), nil
	}
	m := &mount{path: full, typ: typ, description: c.d.String("description"), auth: prefix == "auth/", uuid: uuid.NewString(),
		accessor: newAccessor(typ, prefix == "auth/"), options: map[string]any{},
		local: c.d.Bool("local"), sealWrap: c.d.Bool("seal_wrap"), externalEntropy: c.d.Bool("external_entropy_access")}
	// options is a key-value field: absent is {}, null stays null (what
	// the vault CLI sends), values are strings.
	if raw, sent := c.req.Data["options"]; sent && raw == nil {
		m.options = nil
	} else if opts, ok := c.d.GetOk("options"); ok {
		for k, v := range opts.(map[string]string) {
			m.options[k] = v
		}
	}
	if cfg, ok := c.d.GetOk("config"); ok {
		// The mount config's TTLs are strings to Vault (handleMount):
		// "" and "system" are the system default, the rest goes through
		// parseutil, which takes a negative value.
		for _, f := range []struct {
			field, name string
			dst         *time.Duration
		}{{"default_lease_ttl", "default", &m.defaultTTL}, {"max_lease_ttl", "max", &m.maxTTL}} {
			v, ok := cfg.(map[string]any)[f.field]
			if !ok || v == nil {
				continue
			}
			raw := fmt.Sprint(v)
			if raw == "" || raw == "system" {
				continue
			}
			d, err := parseutil.ParseDurationSecond(raw)
			if err != nil {
				return logical.ErrorResponse("unable to parse %s TTL of %s: %s", f.name, raw, err), nil
			}
			*f.dst = d
		}
		if m.maxTTL != 0 && m.defaultTTL > m.maxTTL {
			return logical.ErrorResponse("given default lease TTL greater than given max lease TTL"), nil
		}
	}
	m.backend = factory(logical.Config{Now: s.cfg.Now, HTTPClient: s.cfg.HTTPClient, System: system{m}})
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range s.mounts {
		if strings.HasPrefix(full, p) || strings.HasPrefix(p, full) {
			return logical.ErrorResponse("path is already in use at %s", p), nil
		}
	}
	if full == "sys/" || full == "auth/token/" || strings.HasPrefix(full, "sys/") {
		return logical.ErrorResponse("cannot mount at reserved path %s", quote(full)), nil
	}
	s.mounts[full] = m
	return nil, nil
}

// disable taints the mount, revokes its leases and then unmounts, as
// Vault does: if a revocation fails, the mount stays, tainted, and the
// error is the answer.
func (s *Server) disable(ctx context.Context, full string) error {
	s.mu.RLock()
	m, ok := s.mounts[full]
	s.mu.RUnlock()
	if !ok {
		return nil
	}
	if m.permanent {
		return fmt.Errorf("cannot unmount %q", full)
	}
	s.mu.Lock()
	m.tainted = true
	s.mu.Unlock()
	if err := s.revokePrefix(ctx, full); err != nil {
		return err
	}
	// The tokens an auth method issued are leases under its path too:
	// they go with it.
	s.mu.Lock()
	var issued []string
	for id, t := range s.tokens {
		if t.mount == m {
			issued = append(issued, id)
		}
	}
	s.mu.Unlock()
	for _, id := range issued {
		s.revokeToken(ctx, id)
	}
	s.mu.Lock()
	delete(s.mounts, full)
	s.mu.Unlock()
	return nil
}

// pluginVersions are the versions of the external plugins Vault 1.21.0
// builds in; every other type is part of Vault itself.
var pluginVersions = map[string]string{
	"terraform": "v0.13.0+builtin", "jwt": "v0.25.0+builtin", "oidc": "v0.25.0+builtin", "kv": "v0.25.0+builtin",
}

// info is one entry of sys/mounts and sys/auth, as Vault's mountInfo
// builds it (unset TTLs in the legacy 0 form): plugin mounts carry a
// deprecation_status and {} options, Vault's own a null one; auth mounts
// show their token_type.
func (m *mount) info() map[string]any {
	config := map[string]any{
		"default_lease_ttl": int(m.defaultTTL.Seconds()),
		"max_lease_ttl":     int(m.maxTTL.Seconds()),
		"force_no_cache":    false,
	}
	if m.auth {
		config["token_type"] = "default-service"
	}
	if m.passthrough != nil {
		config["passthrough_request_headers"] = m.passthrough
	}
	info := map[string]any{
		"accessor":                m.accessor,
		"config":                  config,
		"description":             m.description,
		"external_entropy_access": m.externalEntropy,
		"local":                   m.local,
		"options":                 m.options,
		"plugin_version":          "",
		"running_plugin_version":  "v" + Version + "+builtin.vault",
		"running_sha256":          "",
		"seal_wrap":               m.sealWrap,
		"type":                    m.typ,
		"uuid":                    m.uuid,
	}
	if v, ok := pluginVersions[m.typ]; ok {
		info["running_plugin_version"] = v
		info["deprecation_status"] = "supported"
	}
	return info
}

// newAccessor is Vault's mount accessor: "<type>_<8 hex>", "auth_" first
// for auth methods.
func newAccessor(typ string, auth bool) string {
	a := strings.ReplaceAll(typ, "-", "_") + "_" + uuid.NewString()[:8]
	if auth {
		a = "auth_" + a
	}
	return a
}

// devMounts are the mounts a dev server starts with besides sys/ and
// auth/token/: cubbyhole/, identity/ and secret/ (kv v2). The emulator
// serves the cubbyhole; identity/ and secret/ are listed but serve none of
// their paths (features/deviations.yaml).
func devMounts(cfg Config) map[string]*mount {
	ms := map[string]*mount{
		"cubbyhole/": {path: "cubbyhole/", typ: "cubbyhole", description: "per-token private secret storage", local: true, permanent: true},
		"identity/":  {path: "identity/", typ: "identity", description: "identity store", passthrough: []string{"Authorization"}, permanent: true},
		"secret/":    {path: "secret/", typ: "kv", description: "key/value secret storage", options: map[string]any{"version": "2"}},
	}
	for _, m := range ms {
		m.uuid, m.accessor = uuid.NewString(), newAccessor(m.typ, false)
		m.backend = unserved()
	}
	ms["cubbyhole/"].backend = cubbyhole.Factory(logical.Config{Now: cfg.Now})
	return ms
}

// unserved is the backend of a mount whose paths the emulator does not
// serve: a router with no path, so every request is an unsupported path.
func unserved() logical.Backend { return builtin{Router: logical.NewRouter("", nil).WithoutHelp()} }

// listMountsOp is sys/mounts and sys/auth.
func (s *Server) listMountsOp(auth bool) handler {
	return func(*call) (*logical.Response, error) {
		data := map[string]any{}
		s.mu.RLock()
		for _, m := range s.mountsLocked() {
			if m.auth == auth {
				data[strings.TrimPrefix(m.path, "auth/")] = m.info()
			}
		}
		s.mu.RUnlock()
		return &logical.Response{Data: data}, nil
	}
}

// builtinMounts are the sys/ and auth/token/ mounts as the mount tables
// show them; the emulator serves both itself.
func builtinMounts() (sys, tok *mount) {
	sys = &mount{path: "sys/", typ: "system", description: "system endpoints used for control, policy and debugging",
		accessor: newAccessor("system", false), uuid: uuid.NewString(), sealWrap: true, passthrough: []string{"Accept"}, permanent: true}
	tok = &mount{path: "auth/token/", typ: "token", description: "token based credentials", auth: true,
		accessor: newAccessor("token", true), uuid: uuid.NewString(), permanent: true}
	return sys, tok
}

// readMount is sys/mounts/:path and sys/auth/:path.
func (s *Server) readMount(full string) (*logical.Response, error) {
	s.mu.RLock()
	m, ok := s.mounts[full]
	switch full {
	case "sys/":
		m, ok = s.sysMount, true
	case "auth/token/":
		m, ok = s.tokenMount, true
	}
	s.mu.RUnlock()
	if !ok {
		if rest, isAuth := strings.CutPrefix(full, "auth/"); isAuth {
			return logical.ErrorResponse("No auth engine at %s", rest), nil
		}
		return logical.ErrorResponse("No secret engine mount at %s", full), nil
	}
	return &logical.Response{Data: m.info()}, nil
}

// isTainted reports whether m is a mount left tainted by a failed disable.
func (s *Server) isTainted(m *mount) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return m.tainted
}
