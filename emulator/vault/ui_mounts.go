package vault

import (
	"net/http"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// uiMounts serves sys/internal/ui/mounts and sys/internal/ui/mounts/:path
// as pathInternalUIMountsRead and pathInternalUIMountRead do: the list
// needs no token (and is empty without one), a mount's entry needs a token
// that may reach the mount; TTLs show their effective values. The vault
// CLI's kv commands and the UI read it to find a mount and its options.
func (s *Server) uiMounts(c *call) (*logical.Response, error) {
	rest := capture(c, "path")
	var tok *token
	if c.req.ClientToken != "" {
		if tok = s.liveToken(c.req.ClientToken, c.now); tok == nil {
			return nil, logical.NewCodedError(http.StatusForbidden, errInvalidToken)
		}
	} else if rest != "" {
		return nil, logical.NewCodedError(http.StatusForbidden, "permission denied")
	}
	if rest == "" {
		secret, auth := map[string]any{}, map[string]any{}
		for _, m := range s.allMounts() {
			if tok == nil || !s.hasMountAccess(tok, m.path) {
				continue
			}
			if m.auth {
				auth[strings.TrimPrefix(m.path, "auth/")] = m.effectiveInfo()
			} else {
				secret[m.path] = m.effectiveInfo()
			}
		}
		return &logical.Response{Data: map[string]any{"secret": secret, "auth": auth}}, nil
	}
	path := strings.TrimSuffix(rest, "/") + "/"
	m := s.matchingMount(path)
	if m == nil || !s.hasMountAccess(tok, m.path) {
		return nil, logical.NewCodedError(http.StatusForbidden, "preflight capability check returned 403, please ensure client's policies grant access to path "+quote(path))
	}
	info := m.effectiveInfo()
	info["path"] = strings.TrimPrefix(m.path, "auth/")
	return &logical.Response{Data: info}, nil
}

// allMounts is every mount table entry, sys/ and auth/token/ included.
func (s *Server) allMounts() []*mount {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.mountsLocked()
}

// matchingMount is the mount a path is under, sys/ and auth/token/
// included.
func (s *Server) matchingMount(path string) *mount {
	var best *mount
	for _, m := range s.allMounts() {
		if strings.HasPrefix(path, m.path) && (best == nil || len(m.path) > len(best.path)) {
			best = m
		}
	}
	return best
}

// effectiveInfo is the mount's entry with unset TTLs as the system
// defaults, as mountInfo shows them outside the legacy listings.
func (m *mount) effectiveInfo() map[string]any {
	info := m.info()
	sv := system{m}
	cfg := info["config"].(map[string]any)
	cfg["default_lease_ttl"] = int(sv.DefaultLeaseTTL().Seconds())
	cfg["max_lease_ttl"] = int(sv.MaxLeaseTTL().Seconds())
	return info
}

// hasMountAccess is Vault's check that a token may see a mount: any
// capability on the mount path, or a granting rule on a path under it.
func (s *Server) hasMountAccess(t *token, path string) bool {
	if t.root() {
		return true
	}
	if caps := s.capabilities(t, path); len(caps) != 1 || caps[0] != "deny" {
		return true
	}
	a := s.aclFor(t)
	for _, rules := range []map[string]uint32{a.exact, a.prefix} {
		for p, c := range rules {
			if strings.HasPrefix(p, path) && c&capDeny == 0 && c != 0 {
				return true
			}
		}
	}
	if _, ok := a.nonExact(path); ok {
		return true
	}
	// A segment-wildcard rule under the mount grants it too (the
	// bare-mount form of CheckAllowedFromNonExactPaths).
	mountSegs := strings.Split(strings.TrimSuffix(path, "/"), "/")
	for p, c := range a.segment {
		if c&capDeny != 0 || c == 0 {
			continue
		}
		ruleSegs := strings.Split(strings.TrimSuffix(p, "*"), "/")
		if len(ruleSegs) < len(mountSegs) {
			continue
		}
		match := true
		for i, seg := range mountSegs {
			if ruleSegs[i] != "+" && ruleSegs[i] != seg {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
