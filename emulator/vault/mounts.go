package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

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

// mountFor returns the mount with the longest path that prefixes path, and
// the rest of the path.
func (s *Server) mountFor(path string) (*mount, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var best *mount
	for p, m := range s.mounts {
		if (strings.HasPrefix(path, p) || path+"/" == p) && (best == nil || len(p) > len(best.path)) {
			best = m
		}
	}
	if best == nil {
		return nil, ""
	}
	if path+"/" == best.path {
		return best, ""
	}
	return best, path[len(best.path):]
}

// sys serves the system backend's paths.
func (s *Server) sys(w http.ResponseWriter, req *request, tok *token) {
	rest := strings.TrimPrefix(req.path, "sys/")
	switch {
	case rest == "policy" || strings.HasPrefix(rest, "policy/") || rest == "policies/acl" || strings.HasPrefix(rest, "policies/acl/"):
		s.sysPolicies(w, req, rest)
	case rest == "capabilities" || rest == "capabilities-self" || rest == "capabilities-accessor":
		s.sysCapabilities(w, req, tok, rest)
	case rest == "mounts" || rest == "mounts/":
		s.listMounts(w, req, false)
	case rest == "auth" || rest == "auth/":
		s.listMounts(w, req, true)
	case strings.HasPrefix(rest, "mounts/") && strings.HasSuffix(strings.TrimSuffix(rest, "/"), "/tune"):
		s.tune(w, req, "", strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(rest, "mounts/"), "/"), "/tune"))
	case strings.HasPrefix(rest, "auth/") && strings.HasSuffix(strings.TrimSuffix(rest, "/"), "/tune"):
		s.tune(w, req, "auth/", strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(rest, "auth/"), "/"), "/tune"))
	case strings.HasPrefix(rest, "mounts/"):
		s.mountOp(w, req, "", strings.TrimPrefix(rest, "mounts/"))
	case strings.HasPrefix(rest, "auth/"):
		s.mountOp(w, req, "auth/", strings.TrimPrefix(rest, "auth/"))
	case strings.HasPrefix(rest, "leases/"):
		s.leaseOp(w, req, strings.TrimPrefix(rest, "leases/"))
	default:
		writeErrors(w, http.StatusNotFound, multierror("unsupported path"))
	}
}

// mountOp enables (POST/PUT) or disables (DELETE) a mount.
func (s *Server) mountOp(w http.ResponseWriter, req *request, prefix, path string) {
	path = strings.Trim(path, "/")
	if path == "" {
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
		return
	}
	full := prefix + path + "/"
	switch req.op {
	case logical.UpdateOperation:
		s.enable(w, req, prefix, full)
	case logical.DeleteOperation:
		if err := s.disable(req, full); err != nil {
			writeErrors(w, http.StatusBadRequest, err.Error())
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	case logical.ReadOperation:
		s.readMount(w, full)
	default:
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
	}
}

func (s *Server) enable(w http.ResponseWriter, req *request, prefix, full string) {
	lreq := &logical.Request{Data: req.data}
	typ, _, err := lreq.String("type")
	if err != nil || typ == "" {
		writeErrors(w, http.StatusBadRequest, "backend type must be specified as a string")
		return
	}
	factories := secretEngines
	if prefix == "auth/" {
		factories = authMethods
	}
	factory, ok := factories[typ]
	if !ok {
		writeErrors(w, http.StatusBadRequest, "plugin not found in the catalog: "+typ)
		return
	}
	desc, _, _ := lreq.String("description")
	flags := map[string]bool{}
	for _, field := range []string{"local", "seal_wrap", "external_entropy_access"} {
		v, _, err := lreq.Bool(field)
		if err != nil {
			writeErrors(w, http.StatusBadRequest, logical.FieldError(field, err).Error())
			return
		}
		flags[field] = v
	}
	m := &mount{path: full, typ: typ, description: desc, auth: prefix == "auth/", uuid: uuid.NewString(),
		accessor: newAccessor(typ, prefix == "auth/"), options: map[string]any{},
		local: flags["local"], sealWrap: flags["seal_wrap"], externalEntropy: flags["external_entropy_access"]}
	// options is a key-value field: absent is {}, null stays null (what
	// the vault CLI sends), values are strings.
	if raw, sent := req.data["options"]; sent && raw == nil {
		m.options = nil
	} else if opts, _, err := lreq.Map("options"); err == nil {
		for k, v := range opts {
			m.options[k] = fmt.Sprint(v)
		}
	}
	if cfg, ok := req.data["config"].(map[string]any); ok {
		for field, dst := range map[string]*time.Duration{"default_lease_ttl": &m.defaultTTL, "max_lease_ttl": &m.maxTTL} {
			if v, ok := cfg[field]; ok {
				d, err := logical.ParseDurationSecond(v)
				if err != nil {
					writeErrors(w, http.StatusBadRequest, "error parsing "+field+": "+err.Error())
					return
				}
				*dst = d
			}
		}
	}
	m.backend = factory(logical.Config{Now: s.cfg.Now, HTTPClient: s.cfg.HTTPClient, System: system{m}})
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range s.mounts {
		if strings.HasPrefix(full, p) || strings.HasPrefix(p, full) {
			writeErrors(w, http.StatusBadRequest, "path is already in use at "+p)
			return
		}
	}
	if full == "sys/" || full == "auth/token/" || strings.HasPrefix(full, "sys/") {
		writeErrors(w, http.StatusBadRequest, "cannot mount at reserved path "+quote(full))
		return
	}
	s.mounts[full] = m
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// disable taints the mount, revokes its leases and then unmounts, as
// Vault does: if a revocation fails, the mount stays, tainted, and the
// error is the answer.
func (s *Server) disable(req *request, full string) error {
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
	if err := s.revokePrefix(req.http.Context(), full); err != nil {
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
		s.revokeToken(req.http.Context(), id)
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
		m.backend = unserved{}
	}
	ms["cubbyhole/"].backend = cubbyhole.Factory(logical.Config{Now: cfg.Now})
	return ms
}

// unserved is the backend of a mount whose paths the emulator does not
// serve: every request is an unsupported path.
type unserved struct{}

func (unserved) HandleRequest(context.Context, *logical.Request) (*logical.Response, error) {
	return nil, logical.ErrUnsupportedPath
}
func (unserved) Unauthenticated() []string { return nil }
func (unserved) RenewSecret(context.Context, *logical.Secret) (*logical.Response, error) {
	return nil, logical.ErrUnsupportedOperation
}
func (unserved) RevokeSecret(context.Context, *logical.Secret) error { return nil }

func (s *Server) listMounts(w http.ResponseWriter, req *request, auth bool) {
	if req.op != logical.ReadOperation {
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
		return
	}
	data := map[string]any{}
	s.mu.RLock()
	for p, m := range s.mounts {
		if m.auth == auth {
			data[strings.TrimPrefix(p, "auth/")] = m.info()
		}
	}
	s.mu.RUnlock()
	if auth {
		data["token/"] = s.tokenMount.info()
	} else {
		data["sys/"] = s.sysMount.info()
	}
	writeLegacy(w, data)
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
func (s *Server) readMount(w http.ResponseWriter, full string) {
	s.mu.RLock()
	m, ok := s.mounts[full]
	s.mu.RUnlock()
	switch full {
	case "sys/":
		m, ok = s.sysMount, true
	case "auth/token/":
		m, ok = s.tokenMount, true
	}
	if !ok {
		if rest, isAuth := strings.CutPrefix(full, "auth/"); isAuth {
			writeErrors(w, http.StatusBadRequest, "No auth engine at "+rest)
			return
		}
		writeErrors(w, http.StatusBadRequest, "No secret engine mount at "+full)
		return
	}
	writeLegacy(w, m.info())
}

// writeLegacy answers as Vault does on the routes it injects data into the
// top level for old clients (http/handler.go injectDataIntoTopRoutes:
// sys/mounts*, sys/auth*, sys/policy*, sys/capabilities*): the data both
// in the envelope and repeated before it.
func writeLegacy(w http.ResponseWriter, data map[string]any) {
	env := sysEnvelope()
	env.Data = data
	top, err := json.Marshal(data)
	body, err2 := json.Marshal(env)
	if err != nil || err2 != nil || len(data) == 0 {
		writeVault(w, http.StatusOK, env)
		return
	}
	out := append(top[:len(top)-1:len(top)-1], ',')
	writeVault(w, http.StatusOK, json.RawMessage(append(out, body[1:]...)))
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// isTainted reports whether m is a mount left tainted by a failed disable.
func (s *Server) isTainted(m *mount) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return m.tainted
}
