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

func (b *backend) readConfig(context.Context, *logical.Request, *logical.FieldData) (*logical.Response, error) {
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
func (b *backend) writeConfig(_ context.Context, _ *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	next := tfConfig{}
	if b.config != nil {
		next = *b.config
	}
	next.Address, next.BasePath = d.String("address"), d.String("base_path")
	if v, ok := d.GetOk("token"); ok {
		next.Token = v.(string)
	}
	b.config, b.client = &next, nil
	return nil, nil
}

func (b *backend) deleteConfig(context.Context, *logical.Request, *logical.FieldData) (*logical.Response, error) {
	b.mu.Lock()
	b.config, b.client = nil, nil
	b.mu.Unlock()
	return nil, nil
}
