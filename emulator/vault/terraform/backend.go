// Package terraform emulates Vault's Terraform Cloud secrets engine
// (hashicorp/vault-plugin-secrets-terraform): config, roles, creds and
// rotate-role, with the engine's own validation, error strings and quirks
// (shared/spec/vault.md §1).
package terraform

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
