// Package cubbyhole emulates Vault's cubbyhole secrets engine: a private
// key-value store per token, gone with the token. Like Vault's it stores
// whatever JSON object is written at a path, lists one level at a time and
// reports its own errors as plain (500) errors.
package cubbyhole

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Factory mounts the engine.
func Factory(logical.Config) logical.Backend {
	return &backend{store: map[string]map[string]map[string]any{}}
}

type backend struct {
	mu    sync.RWMutex
	store map[string]map[string]map[string]any // token -> path -> data
}

// HandleRequest serves read, write, delete and list inside the caller's
// own cubbyhole.
func (b *backend) HandleRequest(_ context.Context, req *logical.Request) (*logical.Response, error) {
	if req.Operation == logical.ListOperation {
		return b.list(req.ClientToken, req.Path), nil
	}
	if req.Path == "" {
		return nil, errors.New("missing path")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	mine := b.store[req.ClientToken]
	switch req.Operation {
	case logical.ReadOperation:
		data, ok := mine[req.Path]
		if !ok {
			return nil, nil
		}
		return &logical.Response{Data: copyMap(data)}, nil
	case logical.UpdateOperation, logical.CreateOperation:
		if len(req.Data) == 0 {
			return nil, errors.New("missing data fields")
		}
		if mine == nil {
			mine = map[string]map[string]any{}
			b.store[req.ClientToken] = mine
		}
		mine[req.Path] = copyMap(req.Data)
		return nil, nil
	case logical.DeleteOperation:
		delete(mine, req.Path)
		return nil, nil
	}
	return nil, logical.ErrUnsupportedOperation
}

// list answers the keys one level under prefix, folders with a trailing
// slash, sorted; none is an empty list (a 404).
func (b *backend) list(token, prefix string) *logical.Response {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	seen := map[string]bool{}
	for p := range b.store[token] {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		if dir, _, nested := strings.Cut(rest, "/"); nested {
			rest = dir + "/"
		}
		seen[rest] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return logical.Keys(keys)
}

// ForgetToken destroys a revoked token's cubbyhole.
func (b *backend) ForgetToken(token string) {
	b.mu.Lock()
	delete(b.store, token)
	b.mu.Unlock()
}

// Unauthenticated: every path needs a token.
func (b *backend) Unauthenticated() []string { return nil }

// The engine issues no leases.
func (b *backend) RenewSecret(context.Context, *logical.Secret) (*logical.Response, error) {
	return nil, logical.ErrUnsupportedOperation
}

func (b *backend) RevokeSecret(context.Context, *logical.Secret) error { return nil }

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
