package logical

import (
	"bufio"
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/template"
)

// HelpField is one parameter of a path as path-help lists it: its name,
// its framework type's name ("string", "lowercase string", "duration
// (sec)", "slice"...) and its description.
type HelpField struct {
	Name, Type, Description string
	Deprecated              bool
}

// PathHelp is one path of a backend as Vault's framework knows it: the
// anchored pattern, its fields and help texts.
type PathHelp struct {
	Route, Synopsis, Description string
	Fields                       []HelpField
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

// helpTemplates are parsed on the first help request, not at start-up.
var helpTemplates = sync.OnceValue(func() map[string]*template.Template {
	funcs := template.FuncMap{"indent": indent}
	return map[string]*template.Template{
		"path": template.Must(template.New("root").Funcs(funcs).Parse(pathHelpTemplate)),
		"root": template.Must(template.New("root").Funcs(funcs).Parse(rootHelpTemplate)),
	}
})

// Help answers a help request as the framework does: the backend's help
// for the mount itself (path ""), else the help of the first path whose
// pattern (compiled in res, one per path) matches, each with its OpenAPI
// document from docs (keyed by route, "" for the backend). No match is an
// unsupported path.
func Help(backendHelp string, paths []PathHelp, res []*regexp.Regexp, docs map[string]json.RawMessage, path string) (*Response, error) {
	if path == "" {
		return helpResponse(RenderRootHelp(backendHelp, paths), docs[""]), nil
	}
	for i, h := range paths {
		if res[i].MatchString(path) {
			return helpResponse(h.Render(path), docs[h.Route]), nil
		}
	}
	return nil, ErrUnsupportedPath
}

// helpResponse is path-help's answer: the help document itself, with no
// envelope, encoded as Vault encodes responses.
func helpResponse(text string, doc json.RawMessage) *Response {
	var openapi any
	if doc != nil {
		openapi = doc
	}
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(map[string]any{"help": text, "see_also": nil, "openapi": openapi})
	return RawResponse(200, buf.Bytes())
}

// Render is the path's help for a request path: fields sorted by name,
// texts trimmed, "<no synopsis>" and "<no description>" for empty ones.
func (h PathHelp) Render(request string) string {
	type field struct {
		Key, Type, Description string
		Deprecated             bool
	}
	fields := make([]field, 0, len(h.Fields))
	for _, f := range h.Fields {
		desc := strings.TrimSpace(f.Description)
		if desc == "" {
			desc = "<no description>"
		}
		fields = append(fields, field{f.Name, f.Type, desc, f.Deprecated})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Key < fields[j].Key })
	synopsis, description := strings.TrimSpace(h.Synopsis), strings.TrimSpace(h.Description)
	if synopsis == "" {
		synopsis = "<no synopsis>"
	}
	if description == "" {
		description = "<no description>"
	}
	return render("path", map[string]any{"Request": request, "RoutePattern": h.Route, "Synopsis": synopsis,
		"Description": description, "Fields": fields})
}

// RenderRootHelp is a backend's help: its description and its paths
// sorted by pattern, each with its synopsis.
func RenderRootHelp(backendHelp string, paths []PathHelp) string {
	type entry struct{ Path, Help string }
	list := make([]entry, 0, len(paths))
	for _, h := range paths {
		list = append(list, entry{h.Route, strings.TrimSpace(h.Synopsis)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	return render("root", map[string]any{"Help": strings.TrimSpace(backendHelp), "Paths": list})
}

// render is the framework's executeTemplate: the template, trimmed.
func render(name string, data any) string {
	var buf bytes.Buffer
	if err := helpTemplates()[name].Execute(&buf, data); err != nil {
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

// MustDocs decodes a backend's embedded OpenAPI documents (route → the
// document Vault generates for its help) on the first call of the function
// it returns, not at start-up; a bad embed is a bug and panics.
func MustDocs(b []byte) func() map[string]json.RawMessage {
	return sync.OnceValue(func() map[string]json.RawMessage {
		docs := map[string]json.RawMessage{}
		if err := json.Unmarshal(b, &docs); err != nil {
			panic(err)
		}
		return docs
	})
}
