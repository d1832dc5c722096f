package terraform

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// field is one parameter of a path, as path-help lists it: its name, its
// framework type's name ("string", "lowercase string", "duration (sec)")
// and its description.
type field struct{ name, typ, desc string }

// pathHelp is one path of the engine as Vault's framework knows it: the
// anchored pattern, its fields and help texts.
type pathHelp struct {
	route, synopsis, description string
	fields                       []field
}

// nameRoute is framework.GenericNameRegex("name").
const nameRoute = `(?P<name>\w(([\w-.]+)?\w)?)`

// helps is the plugin's path table in its order (pathRole, pathConfig,
// pathCredentials, pathRotateRole), with each field's schema.
var helps = []pathHelp{
	{"^role/" + nameRoute + "$", pathRoleHelpSynopsis, pathRoleHelpDescription, []field{
		{"name", "lowercase string", "Name of the role"},
		{"description", "string", "Description of the token created by the role"},
		{"organization", "string", "Name of the Terraform Cloud or Enterprise organization"},
		{"team_id", "string", "ID of the Terraform Cloud or Enterprise team under organization (e.g., settings/teams/team-xxxxxxxxxxxxx)"},
		{"user_id", "string", "ID of the Terraform Cloud or Enterprise user (e.g., user-xxxxxxxxxxxxxxxx)"},
		{"ttl", "duration (sec)", "Default lease for generated credentials. If not set or set to 0, will use system default."},
		{"max_ttl", "duration (sec)", "Maximum time for role. If not set or set to 0, will use system default."},
		{"credential_type", "string", "Credential type to be used for the token. Can be either 'user', 'org', 'team', or 'team_legacy'(deprecated)."},
	}},
	{"^role/?$", pathRoleListHelpSynopsis, pathRoleListHelpDescription, nil},
	{"^config$", pathConfigHelpSynopsis, pathConfigHelpDescription, []field{
		{"token", "string", "The token to access Terraform Cloud"},
		{"address", "string", "The address to access Terraform Cloud or Enterprise.\n\t\t\t\tDefault is \"https://app.terraform.io\"."},
		{"base_path", "string", "The base path for the Terraform Cloud or Enterprise API.\n\t\t\t\tDefault is \"/api/v2/\"."},
	}},
	{"^creds/" + nameRoute + "$", pathCredentialsHelpSyn, pathCredentialsHelpDesc, []field{
		{"name", "lowercase string", "Name of the role"},
	}},
	{"^rotate-role/" + nameRoute + "$", pathRotateRoleHelpSyn, pathRotateRoleHelpDesc, []field{
		{"name", "string", "Name of the team or organization role"},
	}},
}

// pathHelpTemplate and rootHelpTemplate are Vault's sdk/framework
// templates (path.go, backend.go), byte for byte.
const pathHelpTemplate = `
Request:        {{.Request}}
Matching Route: {{.RoutePattern}}

{{.Synopsis}}

{{ if .Fields -}}
## PARAMETERS
{{range .Fields}}
{{indent 4 .Key}} ({{.Type}})
{{if .Deprecated}}
{{printf "(DEPRECATED) %s" .Description | indent 8}}
{{else}}
{{indent 8 .Description}}
{{end}}{{end}}{{end}}
## DESCRIPTION

{{.Description}}
`

const rootHelpTemplate = `
## DESCRIPTION

{{.Help}}

## PATHS

The following paths are supported by this backend. To view help for
any of the paths below, use the help command with any route matching
the path pattern. Note that depending on the policy of your auth token,
you may or may not be able to access certain paths.

{{range .Paths}}{{indent 4 .Path}}
{{indent 8 .Help}}

{{end}}

`

// openAPIDocs are the OpenAPI documents Vault 1.21.0's framework generates
// for the engine's help: "" for the whole backend, else by route. They do
// not depend on the mount path, so they are kept as Vault answered them.
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

// help answers ?help=1 as the framework does: the root help for the
// mount itself, a path's help for a path one of its patterns matches.
func (b *backend) help(path string) (*logical.Response, error) {
	if path == "" {
		return helpResponse(renderHelp(rootHelpTemplate, rootHelpData()), ""), nil
	}
	for _, h := range helps {
		if regexp.MustCompile(h.route).MatchString(path) {
			return helpResponse(renderHelp(pathHelpTemplate, h.data(path)), h.route), nil
		}
	}
	return nil, logical.ErrUnsupportedPath
}

func helpResponse(text, route string) *logical.Response {
	return &logical.Response{Data: map[string]any{"help": text, "see_also": nil, "openapi": openAPI[route]}}
}

type helpField struct {
	Key, Type, Description string
	Deprecated             bool
}

// data is the path template's data: fields sorted by name, texts trimmed.
func (h pathHelp) data(request string) map[string]any {
	fields := make([]helpField, 0, len(h.fields))
	for _, f := range h.fields {
		fields = append(fields, helpField{Key: f.name, Type: f.typ, Description: strings.TrimSpace(f.desc)})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Key < fields[j].Key })
	return map[string]any{"Request": request, "RoutePattern": h.route, "Synopsis": strings.TrimSpace(h.synopsis),
		"Description": strings.TrimSpace(h.description), "Fields": fields}
}

// rootHelpData lists the paths alphabetically by pattern.
func rootHelpData() map[string]any {
	type entry struct{ Path, Help string }
	paths := make([]entry, 0, len(helps))
	for _, h := range helps {
		paths = append(paths, entry{h.route, strings.TrimSpace(h.synopsis)})
	}
	sort.Slice(paths, func(i, j int) bool { return paths[i].Path < paths[j].Path })
	return map[string]any{"Help": strings.TrimSpace(backendHelp), "Paths": paths}
}

// renderHelp is the framework's executeTemplate: the template with its
// indent function, trimmed.
func renderHelp(tpl string, data any) string {
	t := template.Must(template.New("root").Funcs(template.FuncMap{"indent": indent}).Parse(tpl))
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return ""
	}
	return strings.TrimSpace(buf.String())
}

// indent prefixes every line of text with count spaces.
func indent(count int, text string) string {
	var buf bytes.Buffer
	prefix := strings.Repeat(" ", count)
	scan := bufio.NewScanner(strings.NewReader(text))
	for scan.Scan() {
		buf.WriteString(prefix + scan.Text() + "\n")
	}
	return strings.TrimRight(buf.String(), "\n")
}
