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
	"sync"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// secretType is the engine's one secret type.
const secretType = "terraform_token"

// Factory mounts the engine.
func Factory(cfg logical.Config) logical.Backend {
	b := &backend{cfg: cfg, roles: map[string]*role{}}
	b.Router = logical.NewRouter(backendHelp, openAPI, b.paths()...)
	return b
}

type backend struct {
	*logical.Router
	cfg logical.Config

	mu     sync.RWMutex
	config *tfConfig
	roles  map[string]*role
	client *tfe.Client // cached until the config changes

	// writeMu serializes role writes and rotations, which call TFC.
	writeMu sync.Mutex
}

// nameRoute is framework.GenericNameRegex("name").
const nameRoute = `(?P<name>\w(([\w-.]+)?\w)?)`

// paths is the plugin's path table in its order (pathRole, pathConfig,
// pathCredentials, pathRotateRole), with each field's schema and the help
// texts path-help renders.
func (b *backend) paths() []*logical.Path {
	return []*logical.Path{
		{
			Pattern: "^role/" + nameRoute + "$",
			Fields: map[string]*logical.FieldSchema{
				"name":            {Type: logical.TypeLowerCaseString, Description: "Name of the role"},
				"description":     {Type: logical.TypeString, Description: "Description of the token created by the role"},
				"organization":    {Type: logical.TypeString, Description: "Name of the Terraform Cloud or Enterprise organization"},
				"team_id":         {Type: logical.TypeString, Description: "ID of the Terraform Cloud or Enterprise team under organization (e.g., settings/teams/team-xxxxxxxxxxxxx)"},
				"user_id":         {Type: logical.TypeString, Description: "ID of the Terraform Cloud or Enterprise user (e.g., user-xxxxxxxxxxxxxxxx)"},
				"ttl":             {Type: logical.TypeDurationSecond, Description: "Default lease for generated credentials. If not set or set to 0, will use system default."},
				"max_ttl":         {Type: logical.TypeDurationSecond, Description: "Maximum time for role. If not set or set to 0, will use system default."},
				"credential_type": {Type: logical.TypeString, Description: "Credential type to be used for the token. Can be either 'user', 'org', 'team', or 'team_legacy'(deprecated)."},
			},
			Operations: map[logical.Operation]logical.OperationFunc{
				logical.ReadOperation: b.readRole, logical.UpdateOperation: b.writeRole, logical.DeleteOperation: b.deleteRole,
			},
			HelpSynopsis: pathRoleHelpSynopsis, HelpDescription: pathRoleHelpDescription,
		},
		{
			Pattern:      "^role/?$",
			Operations:   map[logical.Operation]logical.OperationFunc{logical.ListOperation: b.listRoles},
			HelpSynopsis: pathRoleListHelpSynopsis, HelpDescription: pathRoleListHelpDescription,
		},
		{
			Pattern: "^config$",
			Fields: map[string]*logical.FieldSchema{
				"token":     {Type: logical.TypeString, Description: "The token to access Terraform Cloud"},
				"address":   {Type: logical.TypeString, Default: DefaultAddress, Description: "The address to access Terraform Cloud or Enterprise.\n\t\t\t\tDefault is \"https://app.terraform.io\"."},
				"base_path": {Type: logical.TypeString, Default: DefaultBasePath, Description: "The base path for the Terraform Cloud or Enterprise API.\n\t\t\t\tDefault is \"/api/v2/\"."},
			},
			Operations: map[logical.Operation]logical.OperationFunc{
				logical.ReadOperation: b.readConfig, logical.CreateOperation: b.writeConfig,
				logical.UpdateOperation: b.writeConfig, logical.DeleteOperation: b.deleteConfig,
			},
			ExistenceCheck: b.configExists,
			HelpSynopsis:   pathConfigHelpSynopsis, HelpDescription: pathConfigHelpDescription,
		},
		{
			Pattern: "^creds/" + nameRoute + "$",
			Fields: map[string]*logical.FieldSchema{
				"name": {Type: logical.TypeLowerCaseString, Description: "Name of the role"},
			},
			Operations:   map[logical.Operation]logical.OperationFunc{logical.ReadOperation: b.readCreds, logical.UpdateOperation: b.readCreds},
			HelpSynopsis: pathCredentialsHelpSyn, HelpDescription: pathCredentialsHelpDesc,
		},
		{
			Pattern: "^rotate-role/" + nameRoute + "$",
			Fields: map[string]*logical.FieldSchema{
				"name": {Type: logical.TypeString, Description: "Name of the team or organization role"},
			},
			Operations:   map[logical.Operation]logical.OperationFunc{logical.UpdateOperation: b.rotateRole},
			HelpSynopsis: pathRotateRoleHelpSyn, HelpDescription: pathRotateRoleHelpDesc,
		},
	}
}

// Unauthenticated: every path of the engine needs a token.
func (b *backend) Unauthenticated() []string { return nil }

func (b *backend) getRole(name string) *role {
	r, ok := b.roleNamed(name)
	if !ok {
		return nil
	}
	return &r
}

// roleNamed is a copy of the role, as a value (the creds read keeps it
// on the stack).
func (b *backend) roleNamed(name string) (role, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	r, ok := b.roles[name]
	if !ok {
		return role{}, false
	}
	return *r, true
}

// configExists is the engine's one existence check, on config: a write
// there is "create" until a config is stored, "update" after.
func (b *backend) configExists(context.Context, *logical.Request, *logical.FieldData) (bool, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.config != nil, nil
}
