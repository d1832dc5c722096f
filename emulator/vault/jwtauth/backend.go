// Package jwtauth emulates Vault's jwt auth method (vault-plugin-auth-jwt).
package jwtauth

import (
	"context"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Factory mounts the engine.
func Factory(cfg logical.Config) logical.Backend { return &backend{cfg: cfg} }

type backend struct{ cfg logical.Config }

func (b *backend) HandleRequest(ctx context.Context, req *logical.Request) (*logical.Response, error) {
	return nil, logical.ErrUnsupportedPath
}
func (b *backend) Unauthenticated() []string { return nil }
func (b *backend) RenewSecret(ctx context.Context, s *logical.Secret) (*logical.Response, error) {
	return nil, nil
}
func (b *backend) RevokeSecret(ctx context.Context, s *logical.Secret) error { return nil }
