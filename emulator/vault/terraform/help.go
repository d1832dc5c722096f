package terraform

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

const backendHelp = `
The Terraform Cloud secrets backend dynamically generates API tokens for
Terraform Cloud and Terraform Enterprise: organization, team and user tokens.
After mounting this backend, configure it with the "config" path and create
roles with the "role/" path.
`

type field struct{ name, typ, desc string }

type pathHelp struct {
	route, synopsis, description string
	fields                       []field
}

var nameField = field{"name", "string", "Name of the role"}

var helps = []pathHelp{
	{`^role/(?P<name>\w(([\w-.]+)?\w)?)$`, "Manage the roles that can be created with this backend.",
		"This path lets you manage the roles that can be created with this backend.",
		[]field{
			{"credential_type", "string", "Credential type to be used for the token. Can be either 'user', 'org', 'team', or 'team_legacy'(deprecated)."},
			{"description", "string", "Description of the token created by the role"},
			{"max_ttl", "duration (sec)", "Maximum time for role. If not set or set to 0, will use system default."},
			nameField,
			{"organization", "string", "Name of the Terraform Cloud or Enterprise organization"},
			{"team_id", "string", "ID of the Terraform Cloud or Enterprise team under organization (e.g., settings/teams/team-xxxxxxxxxxxxx)"},
			{"ttl", "duration (sec)", "Default lease for generated credentials. If not set or set to 0, will use system default."},
			{"user_id", "string", "ID of the Terraform Cloud or Enterprise user (e.g., user-xxxxxxxxxxxxxxxx)"},
		}},
	{`^role/?$`, "List the existing roles in this backend", "Roles will be listed by the role name.", nil},
	{`^config$`, "Configure the Terraform Cloud / Enterprise backend.",
		"The Terraform Cloud / Enterprise secret backend requires credentials for managing\norganization and team tokens for Terraform Cloud or Enterprise. This endpoint\nis used to configure those credentials and the default values for the backend in general.",
		[]field{
			{"address", "string", "The address to access Terraform Cloud or Enterprise.\n\t\t\t\tDefault is \"https://app.terraform.io\"."},
			{"base_path", "string", "The base path for the Terraform Cloud or Enterprise API.\n\t\t\t\tDefault is \"/api/v2/\"."},
			{"token", "string", "The token to access Terraform Cloud"},
		}},
	{`^creds/(?P<name>\w(([\w-.]+)?\w)?)$`, "Generate a Terraform Cloud or Enterprise API token from a specific Vault role.",
		"This path generates a Terraform Cloud or Enterprise API token based on a particular role.", []field{nameField}},
	{`^rotate-role/(?P<name>\w(([\w-.]+)?\w)?)$`, "Request to rotate the credentials for a team or organization.",
		"This path attempts to rotate the credentials for the given team or organization role.", []field{nameField}},
}

// help answers ?help=1 in Vault's path-help format.
func (b *backend) help(path string) (*logical.Response, error) {
	for _, h := range helps {
		if !matches(h.route, path) {
			continue
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "Request:        %s\nMatching Route: %s\n\n%s\n", path, h.route, h.synopsis)
		if len(h.fields) > 0 {
			sb.WriteString("\n## PARAMETERS\n")
			for _, f := range h.fields {
				fmt.Fprintf(&sb, "\n    %s (%s)\n\n        %s\n", f.name, f.typ, f.desc)
			}
		}
		fmt.Fprintf(&sb, "\n## DESCRIPTION\n\n%s\n", h.description)
		return &logical.Response{Data: map[string]any{"help": sb.String(), "see_also": nil, "openapi": nil}}, nil
	}
	if path == "" {
		return &logical.Response{Data: map[string]any{"help": "## DESCRIPTION\n" + backendHelp + "\n## PATHS\n\n" + pathList(), "see_also": nil, "openapi": nil}}, nil
	}
	return nil, logical.ErrUnsupportedPath
}

func pathList() string {
	var sb strings.Builder
	for _, h := range helps {
		fmt.Fprintf(&sb, "    %s\n        %s\n\n", h.route, h.synopsis)
	}
	return sb.String()
}

func matches(route, path string) bool { return regexp.MustCompile(route).MatchString(path) }
