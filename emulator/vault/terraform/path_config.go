package terraform

import (
	"context"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Defaults of the config fields.
const (
	DefaultAddress  = "https://app.terraform.io"
	DefaultBasePath = "/api/v2/"
)

type tfConfig struct {
	Token    string
	Address  string
	BasePath string
}

func (b *backend) readConfig(_ context.Context, _ *logical.Request, _ string) (*logical.Response, error) {
	b.mu.RLock()
	cfg := b.config
	b.mu.RUnlock()
	if cfg == nil {
		// The real engine dereferences a nil config here and the request
		// dies with its connection; the client sees the same.
		return nil, logical.ErrAbortConnection
	}
	return &logical.Response{Data: map[string]any{"address": cfg.Address, "base_path": cfg.BasePath}}, nil
}

// writeConfig always resets address and base_path to what was sent or to
// their defaults; the token changes only when sent.
func (b *backend) writeConfig(_ context.Context, req *logical.Request, _ string) (*logical.Response, error) {
	token, hasToken, err := req.String("token")
	if err != nil {
		return logical.ExistenceFieldError("token", err), nil
	}
	address, hasAddress, err := req.String("address")
	if err != nil {
		return logical.ExistenceFieldError("address", err), nil
	}
	basePath, hasBase, err := req.String("base_path")
	if err != nil {
		return logical.ExistenceFieldError("base_path", err), nil
	}
	if !hasAddress {
		address = DefaultAddress
	}
	if !hasBase {
		basePath = DefaultBasePath
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cfg := b.config
	if cfg == nil {
		cfg = &tfConfig{}
	}
	next := *cfg
	next.Address, next.BasePath = address, basePath
	if hasToken {
		next.Token = token
	}
	b.config, b.client = &next, nil
	return nil, nil
}

func (b *backend) deleteConfig(_ context.Context, _ *logical.Request, _ string) (*logical.Response, error) {
	b.mu.Lock()
	b.config, b.client = nil, nil
	b.mu.Unlock()
	return nil, nil
}
