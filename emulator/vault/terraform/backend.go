// Package terraform emulates Vault's Terraform Cloud secrets engine
// (hashicorp/vault-plugin-secrets-terraform): config, roles, creds and
// rotate-role, with the engine's own validation, error strings and quirks
// (https://github.com/hashicorp/vault-plugin-secrets-terraform, v0.14.1;
// https://developer.hashicorp.com/vault/docs/secrets/terraform). Like the
// real plugin it reaches TFC with
// go-tfe over HTTP at the configured address.
package terraform

import (
	"context"
	"regexp"
	"strings"
	"sync"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// secretType is the engine's one secret type.
const secretType = "terraform_token"

// Factory mounts the engine.
func Factory(cfg logical.Config) logical.Backend {
	return &backend{cfg: cfg, roles: map[string]*role{}}
}

type backend struct {
	cfg logical.Config

	mu     sync.RWMutex
	config *tfConfig
	roles  map[string]*role
	client *tfe.Client // cached until the config changes

	// writeMu serializes role writes and rotations, which call TFC.
	writeMu sync.Mutex
}

// path is one row of the engine's path table; the first pattern that
// matches wins, as in Vault's framework.
type path struct {
	pattern *regexp.Regexp
	ops     map[logical.Operation]func(context.Context, *logical.Request, string) (*logical.Response, error)
}

// nameRegex is Vault's GenericNameRegex.
const nameRegex = `\w(([\w-.]+)?\w)?`

func (b *backend) paths() []path {
	return []path{
		{regexp.MustCompile(`^role/(` + nameRegex + `)$`), map[logical.Operation]func(context.Context, *logical.Request, string) (*logical.Response, error){
			logical.ReadOperation: b.readRole, logical.UpdateOperation: b.writeRole, logical.CreateOperation: b.writeRole, logical.DeleteOperation: b.deleteRole}},
		{regexp.MustCompile(`^role/?$`), map[logical.Operation]func(context.Context, *logical.Request, string) (*logical.Response, error){
			logical.ListOperation: b.listRoles}},
		{regexp.MustCompile(`^config$`), map[logical.Operation]func(context.Context, *logical.Request, string) (*logical.Response, error){
			logical.ReadOperation: b.readConfig, logical.UpdateOperation: b.writeConfig, logical.CreateOperation: b.writeConfig, logical.DeleteOperation: b.deleteConfig}},
		{regexp.MustCompile(`^creds/(` + nameRegex + `)$`), map[logical.Operation]func(context.Context, *logical.Request, string) (*logical.Response, error){
			logical.ReadOperation: b.readCreds, logical.UpdateOperation: b.readCreds}},
		{regexp.MustCompile(`^rotate-role/(` + nameRegex + `)$`), map[logical.Operation]func(context.Context, *logical.Request, string) (*logical.Response, error){
			logical.UpdateOperation: b.rotateRole}},
	}
}

// HandleRequest routes to the first matching path.
func (b *backend) HandleRequest(ctx context.Context, req *logical.Request) (*logical.Response, error) {
	if _, ok := req.Data["help"]; ok && req.Operation == logical.ReadOperation {
		return b.help(req.Path)
	}
	for _, p := range b.paths() {
		m := p.pattern.FindStringSubmatch(req.Path)
		if m == nil {
			continue
		}
		h, ok := p.ops[req.Operation]
		if !ok {
			return nil, logical.ErrUnsupportedOperation
		}
		name := ""
		if len(m) > 1 {
			name = m[1]
		}
		return h(ctx, req, name)
	}
	return nil, logical.ErrUnsupportedPath
}

// Unauthenticated: every path of the engine needs a token.
func (b *backend) Unauthenticated() []string { return nil }

func (b *backend) getRole(name string) *role {
	b.mu.RLock()
	defer b.mu.RUnlock()
	r, ok := b.roles[name]
	if !ok {
		return nil
	}
	cp := *r
	return &cp
}

// unknownParams lists request fields the path does not define, sorted.
func unknownParams(req *logical.Request, known ...string) []string {
	var out []string
	for k := range req.Data {
		if !contains(known, k) {
			out = append(out, k)
		}
	}
	sortStrings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func lower(s string) string { return strings.ToLower(s) }

// ExistenceCheck is the engine's one existence check, on config: a write
// there is "create" until a config is stored, "update" after.
func (b *backend) ExistenceCheck(_ context.Context, path string) (hasCheck, exists bool) {
	if path != "config" {
		return false, false
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return true, b.config != nil
}
