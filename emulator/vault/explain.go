package vault

import (
	"context"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/vault/jwtauth"
)

// JWTVerdict is what a login at one role of one jwt (or oidc) auth mount
// would answer for a token.
type JWTVerdict struct {
	// Mount is the auth mount's path, e.g. "auth/jwt/".
	Mount string
	jwtauth.RoleVerdict
}

// loginExplainer is what a jwt auth backend offers ExplainJWT.
type loginExplainer interface {
	ExplainLogin(ctx context.Context, token string) []jwtauth.RoleVerdict
}

// ExplainJWT judges token against every role of every jwt auth mount as a
// login would, mounts in path order, without minting a token, creating a
// lease or recording anything.
func (s *Server) ExplainJWT(ctx context.Context, token string) []JWTVerdict {
	s.mu.RLock()
	var mounts []struct {
		path string
		x    loginExplainer
	}
	for _, m := range s.mountsLocked() {
		if x, ok := m.backend.(loginExplainer); ok && m.auth && !m.tainted && strings.HasPrefix(m.path, "auth/") {
			mounts = append(mounts, struct {
				path string
				x    loginExplainer
			}{m.path, x})
		}
	}
	s.mu.RUnlock()
	var out []JWTVerdict
	for _, m := range mounts {
		for _, v := range m.x.ExplainLogin(ctx, token) {
			out = append(out, JWTVerdict{Mount: m.path, RoleVerdict: v})
		}
	}
	return out
}
