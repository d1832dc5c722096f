// Package cubbyhole emulates Vault's cubbyhole secrets engine: a private
// key-value store per token, gone with the token. Like Vault's it stores
// whatever JSON object is written at a path, lists one level at a time and
// reports its own errors as plain (500) errors.
package cubbyhole

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Factory mounts the engine.
func Factory(logical.Config) logical.Backend {
	b := &backend{store: map[string]map[string]map[string]any{}}
	b.Router = logical.NewRouter("", nil, &logical.Path{
		Pattern:             `^(?P<path>.*)$`,
		TakesArbitraryInput: true,
		Operations: map[logical.Operation]logical.OperationFunc{
			logical.ReadOperation: b.read, logical.UpdateOperation: b.write,
			logical.DeleteOperation: b.delete, logical.ListOperation: b.list,
		},
		HelpSynopsis: "Pass-through secret storage to a token-specific cubbyhole in the storage backend, allowing you to read/write arbitrary data into secret storage.",
	}).WithoutHelp()
	return b
}

type backend struct {
	*logical.Router
	mu    sync.RWMutex
	store map[string]map[string]map[string]any // token -> path -> data
}

func (b *backend) read(_ context.Context, req *logical.Request, _ *logical.FieldData) (*logical.Response, error) {
	if req.Path == "" {
		return nil, errors.New("missing path")
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	data, ok := b.store[req.ClientToken][req.Path]
	if !ok {
		return nil, nil
	}
	return &logical.Response{Data: maps.Clone(data)}, nil
}

func (b *backend) write(_ context.Context, req *logical.Request, _ *logical.FieldData) (*logical.Response, error) {
	if req.Path == "" {
		return nil, errors.New("missing path")
	}
	if len(req.Data) == 0 {
		return nil, errors.New("missing data fields")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	mine := b.store[req.ClientToken]
	if mine == nil {
		mine = map[string]map[string]any{}
		b.store[req.ClientToken] = mine
	}
	mine[req.Path] = maps.Clone(req.Data)
	return nil, nil
}

func (b *backend) delete(_ context.Context, req *logical.Request, _ *logical.FieldData) (*logical.Response, error) {
	if req.Path == "" {
		return nil, errors.New("missing path")
	}
	b.mu.Lock()
	delete(b.store[req.ClientToken], req.Path)
	b.mu.Unlock()
	return nil, nil
}

// list answers the keys one level under prefix, folders with a trailing
// slash, sorted; none is an empty list (a 404).
func (b *backend) list(_ context.Context, req *logical.Request, _ *logical.FieldData) (*logical.Response, error) {
	token, prefix := req.ClientToken, req.Path
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	paths := make([]string, 0, len(b.store[token]))
	for p := range b.store[token] {
		paths = append(paths, p)
	}
	return logical.ChildKeys(prefix, paths), nil
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

// Snapshot encodes every token's cubbyhole.
func (b *backend) Snapshot() (json.RawMessage, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return json.Marshal(b.store)
}

// Restore replaces the cubbyholes with a snapshot's.
func (b *backend) Restore(raw json.RawMessage) error {
	store := map[string]map[string]map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&store); err != nil {
		return fmt.Errorf("cubbyhole state: %w", err)
	}
	b.mu.Lock()
	b.store = store
	b.mu.Unlock()
	return nil
}

// Tokens lists the tokens that have a cubbyhole.
func (b *backend) Tokens() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return slices.Collect(maps.Keys(b.store))
}
