// Package jwtauth emulates Vault's jwt auth method (vault-plugin-auth-jwt):
// config, roles and login, validating JWTs in the real method's order, with
// its error strings, on the emulator's virtual clock
// (https://github.com/hashicorp/vault-plugin-auth-jwt/blob/main/path_login.go).
package jwtauth

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"sync"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Factory mounts the auth method.
func Factory(cfg logical.Config) logical.Backend {
	b := &backend{cfg: cfg, roles: map[string]*role{}}
	config, login, role, roleList := pathConfig(), pathLogin(), pathRole(), pathRoleList()
	config.Operations = map[logical.Operation]logical.OperationFunc{
		logical.ReadOperation: b.readConfig, logical.UpdateOperation: b.writeConfig,
	}
	login.Operations = map[logical.Operation]logical.OperationFunc{logical.UpdateOperation: b.login}
	role.Operations = map[logical.Operation]logical.OperationFunc{
		logical.ReadOperation: b.readRole, logical.UpdateOperation: b.writeRole, logical.DeleteOperation: b.deleteRole,
	}
	role.ExistenceCheck = b.roleExists
	roleList.Operations = map[logical.Operation]logical.OperationFunc{logical.ListOperation: b.listRoles}
	b.Router = logical.NewRouter(backendHelp, openAPI, config, login, role, roleList).WithHelpOnly(helpOIDCAuthURL, helpOIDCCallback)
	return b
}

type backend struct {
	*logical.Router
	cfg logical.Config

	mu     sync.RWMutex
	config *config
	roles  map[string]*role
	keys   *keyCache
}

// openAPIDocs are the OpenAPI documents Vault 1.21.0 generates for the
// method's help: "" for the whole backend, else by route.
//
//go:embed openapi.json
var openAPIDocs []byte

var openAPI = logical.MustDocs(openAPIDocs)

// Unauthenticated: login needs no token.
func (b *backend) Unauthenticated() []string { return []string{"login"} }

// Auth methods issue tokens, not leased secrets.
func (b *backend) RenewSecret(context.Context, *logical.Secret) (*logical.Response, error) {
	return nil, logical.ErrUnsupportedOperation
}

func (b *backend) RevokeSecret(context.Context, *logical.Secret) error { return nil }

// roleExists is the method's existence check on role/:name: a write is
// "create" for a new role and "update" for a stored one.
func (b *backend) roleExists(_ context.Context, _ *logical.Request, d *logical.FieldData) (bool, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, ok := b.roles[d.String("name")]
	return ok, nil
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
