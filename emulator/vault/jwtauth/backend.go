// Package jwtauth emulates Vault's jwt auth method (vault-plugin-auth-jwt):
// config, roles and login, validating JWTs in the real method's order, with
// its error strings, on the emulator's virtual clock
// (https://github.com/hashicorp/vault-plugin-auth-jwt/blob/main/path_login.go).
package jwtauth

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Factory mounts the auth method.
func Factory(cfg logical.Config) logical.Backend {
	return &backend{cfg: cfg, roles: map[string]*role{}}
}

type backend struct {
	cfg logical.Config

	mu     sync.RWMutex
	config *config
	roles  map[string]*role
	keys   *keyCache
}

var (
	roleNamePath = regexp.MustCompile(`^role/(\w(([\w-.@]+)?\w)?)$`)
	roleListPath = regexp.MustCompile(`^role/?$`)
)

// openAPIDocs are the OpenAPI documents Vault 1.21.0 generates for the
// method's help: "" for the whole backend, else by route.
//
//go:embed openapi.json
var openAPIDocs []byte

var openAPI = func() map[string]json.RawMessage {
	docs := map[string]json.RawMessage{}
	if err := json.Unmarshal(openAPIDocs, &docs); err != nil {
		panic(err)
	}
	return docs
}()

// HandleRequest routes a request inside the mount.
func (b *backend) HandleRequest(ctx context.Context, req *logical.Request) (*logical.Response, error) {
	if _, ok := req.Data["help"]; ok && req.Operation == logical.ReadOperation {
		return logical.Help(backendHelp, helps, openAPI, req.Path)
	}
	switch p := strings.TrimSuffix(req.Path, "/"); {
	case p == "login":
		if req.Operation != logical.UpdateOperation && req.Operation != logical.CreateOperation {
			return nil, logical.ErrUnsupportedOperation
		}
		return b.login(ctx, req)
	case p == "config":
		switch req.Operation {
		case logical.ReadOperation:
			return b.readConfig()
		case logical.UpdateOperation, logical.CreateOperation:
			return b.writeConfig(ctx, req)
		}
		return nil, logical.ErrUnsupportedOperation
	case roleListPath.MatchString(req.Path) && req.Operation == logical.ListOperation:
		return b.listRoles(), nil
	case roleNamePath.MatchString(req.Path):
		name := strings.ToLower(roleNamePath.FindStringSubmatch(req.Path)[1])
		switch req.Operation {
		case logical.ReadOperation:
			return b.readRole(name), nil
		case logical.UpdateOperation, logical.CreateOperation:
			return b.writeRole(req, name)
		case logical.DeleteOperation:
			b.mu.Lock()
			delete(b.roles, name)
			b.mu.Unlock()
			return nil, nil
		}
		return nil, logical.ErrUnsupportedOperation
	case roleListPath.MatchString(req.Path):
		return nil, logical.ErrUnsupportedOperation
	}
	return nil, logical.ErrUnsupportedPath
}

// Unauthenticated: login needs no token.
func (b *backend) Unauthenticated() []string { return []string{"login"} }

// Auth methods issue tokens, not leased secrets.
func (b *backend) RenewSecret(context.Context, *logical.Secret) (*logical.Response, error) {
	return nil, logical.ErrUnsupportedOperation
}

func (b *backend) RevokeSecret(context.Context, *logical.Secret) error { return nil }

// ExistenceCheck is the method's existence check on role/:name: a write
// is "create" for a new role and "update" for a stored one.
func (b *backend) ExistenceCheck(_ context.Context, path string) (hasCheck, exists bool) {
	m := roleNamePath.FindStringSubmatch(path)
	if m == nil {
		return false, false
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, ok := b.roles[strings.ToLower(m[1])]
	return true, ok
}

// RenewAuth is pathLoginRenew: the role must still exist, and its current
// token TTLs apply to the renewal.
func (b *backend) RenewAuth(_ context.Context, internal map[string]any) (*logical.Auth, error) {
	name, _ := internal["role"].(string)
	if name == "" {
		return nil, errors.New("failed to fetch role_name during renewal")
	}
	b.mu.RLock()
	r, ok := b.roles[name]
	b.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("role %s does not exist during renewal", name)
	}
	return &logical.Auth{TTL: r.TokenTTL, MaxTTL: r.TokenMaxTTL, Period: r.TokenPeriod}, nil
}
