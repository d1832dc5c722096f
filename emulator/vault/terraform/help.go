package terraform

import (
	_ "embed"
	"encoding/json"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// nameRoute is framework.GenericNameRegex("name").
const nameRoute = `(?P<name>\w(([\w-.]+)?\w)?)`

// helps is the plugin's path table in its order (pathRole, pathConfig,
// pathCredentials, pathRotateRole), with each field's schema.
var helps = []logical.PathHelp{
	{Route: "^role/" + nameRoute + "$", Synopsis: pathRoleHelpSynopsis, Description: pathRoleHelpDescription, Fields: []logical.HelpField{
		{Name: "name", Type: "lowercase string", Description: "Name of the role"},
		{Name: "description", Type: "string", Description: "Description of the token created by the role"},
		{Name: "organization", Type: "string", Description: "Name of the Terraform Cloud or Enterprise organization"},
		{Name: "team_id", Type: "string", Description: "ID of the Terraform Cloud or Enterprise team under organization (e.g., settings/teams/team-xxxxxxxxxxxxx)"},
		{Name: "user_id", Type: "string", Description: "ID of the Terraform Cloud or Enterprise user (e.g., user-xxxxxxxxxxxxxxxx)"},
		{Name: "ttl", Type: "duration (sec)", Description: "Default lease for generated credentials. If not set or set to 0, will use system default."},
		{Name: "max_ttl", Type: "duration (sec)", Description: "Maximum time for role. If not set or set to 0, will use system default."},
		{Name: "credential_type", Type: "string", Description: "Credential type to be used for the token. Can be either 'user', 'org', 'team', or 'team_legacy'(deprecated)."},
	}},
	{Route: "^role/?$", Synopsis: pathRoleListHelpSynopsis, Description: pathRoleListHelpDescription},
	{Route: "^config$", Synopsis: pathConfigHelpSynopsis, Description: pathConfigHelpDescription, Fields: []logical.HelpField{
		{Name: "token", Type: "string", Description: "The token to access Terraform Cloud"},
		{Name: "address", Type: "string", Description: "The address to access Terraform Cloud or Enterprise.\n\t\t\t\tDefault is \"https://app.terraform.io\"."},
		{Name: "base_path", Type: "string", Description: "The base path for the Terraform Cloud or Enterprise API.\n\t\t\t\tDefault is \"/api/v2/\"."},
	}},
	{Route: "^creds/" + nameRoute + "$", Synopsis: pathCredentialsHelpSyn, Description: pathCredentialsHelpDesc, Fields: []logical.HelpField{
		{Name: "name", Type: "lowercase string", Description: "Name of the role"},
	}},
	{Route: "^rotate-role/" + nameRoute + "$", Synopsis: pathRotateRoleHelpSyn, Description: pathRotateRoleHelpDesc, Fields: []logical.HelpField{
		{Name: "name", Type: "string", Description: "Name of the team or organization role"},
	}},
}

// openAPIDocs are the OpenAPI documents Vault 1.21.0's framework generates
// for the engine's help: "" for the whole backend, else by route. They do
// not depend on the mount path, so they are kept as Vault answered them.
//
//go:embed openapi.json
var openAPIDocs []byte

var openAPI = mustDocs(openAPIDocs)

func mustDocs(b []byte) map[string]json.RawMessage {
	docs := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &docs); err != nil {
		panic(err)
	}
	return docs
}

// help answers ?help=1 as the framework does.
func (b *backend) help(path string) (*logical.Response, error) {
	return logical.Help(backendHelp, helps, openAPI, path)
}
