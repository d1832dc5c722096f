package tfc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

type projectAttributes struct {
	Name                        string                   `json:"name"`
	Description                 string                   `json:"description"`
	CreatedAt                   string                   `json:"created-at"`
	IsUnified                   bool                     `json:"is-unified"`
	AutoDestroyActivityDuration *string                  `json:"auto-destroy-activity-duration"`
	DefaultExecutionMode        string                   `json:"default-execution-mode"`
	SettingOverwrites           projectSettingOverwrites `json:"setting-overwrites"`
}

type projectSettingOverwrites struct {
	ExecutionMode bool `json:"default-execution-mode"`
	AgentPool     bool `json:"default-agent-pool"`
}

// projectResource is the one representation of a project.
// A project without its own settings inherits the organization's.
func (st *State) projectResource(p *Project) Resource {
	mode, pool := p.ExecutionMode, p.AgentPoolID
	overwritten := mode != ""
	if o := st.Orgs[p.Org]; !overwritten && o != nil {
		mode, pool = o.DefaultExecutionMode, o.DefaultAgentPoolID
	}
	return Resource{
		ID:   p.ID,
		Type: "projects",
		Attributes: projectAttributes{Name: p.Name, Description: p.Description, CreatedAt: Timestamp(p.CreatedAt),
			DefaultExecutionMode: mode, AutoDestroyActivityDuration: nonEmpty(p.AutoDestroyActivityDuration), SettingOverwrites: projectSettingOverwrites{ExecutionMode: overwritten, AgentPool: overwritten}},
		Relationships: map[string]Relationship{
			"organization":       toOne("organizations", p.Org),
			"default-agent-pool": toOne("agent-pools", pool),
			"effective-tag-bindings": {Data: toMany("effective-tag-bindings", tagBindingIDs(p.TagBindings)).Data,
				Links: map[string]string{"related": "/api/v2/projects/" + p.ID + "/effective-tag-bindings"}},
		},
		Links: map[string]string{"self": "/api/v2/projects/" + p.ID},
	}
}

type projectInput struct {
	Name                 *string `json:"name"`
	Description          *string `json:"description"`
	DefaultExecutionMode *string `json:"default-execution-mode"`
	DefaultAgentPoolID   *string `json:"default-agent-pool-id"`
	// AutoDestroy is raw so that null (clear) and absent (keep) differ.
	AutoDestroy       json.RawMessage `json:"auto-destroy-activity-duration"`
	SettingOverwrites *struct {
		ExecutionMode *bool `json:"default-execution-mode"`
		AgentPool     *bool `json:"default-agent-pool"`
	} `json:"setting-overwrites"`
	autoDestroy *string // the duration sent, or nil for null
}

// applyAutoDestroy sets (or, for null, clears) the project's duration.
func (in *projectInput) applyAutoDestroy(p *Project) {
	if len(in.AutoDestroy) == 0 {
		return
	}
	p.AutoDestroyActivityDuration = ""
	if in.autoDestroy != nil {
		p.AutoDestroyActivityDuration = *in.autoDestroy
	}
}

// autoDestroyDuration is up to 4 digits and a unit, d or h.
var autoDestroyDuration = lazyre.New(`^[0-9]{1,4}[dh]$`)

// parseAutoDestroyDuration reads an auto-destroy-activity-duration
// attribute of a project or workspace: nil for absent or null, else a
// valid duration.
func parseAutoDestroyDuration(raw json.RawMessage) (*string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var d string
	if json.Unmarshal(raw, &d) != nil || !autoDestroyDuration.MatchString(d) {
		return nil, invalidAttribute("/data/attributes/auto-destroy-activity-duration", "Auto destroy activity duration has an incorrect format, we expect up to 4 numeric digits and 1 unit ('d' or 'h')")
	}
	return &d, nil
}

// inherit reports whether the request sets setting-overwrites to false: the
// project takes the organization's execution mode and pool.
func (in *projectInput) inherit() bool {
	so := in.SettingOverwrites
	return so != nil && ((so.ExecutionMode != nil && !*so.ExecutionMode) || (so.AgentPool != nil && !*so.AgentPool))
}

// applyExecution sets a project's own execution mode and pool.
func (in *projectInput) applyExecution(st *State, p *Project) error {
	if in.inherit() {
		p.ExecutionMode, p.AgentPoolID = "", ""
		return nil
	}
	if in.DefaultExecutionMode == nil && in.DefaultAgentPoolID == nil {
		return nil
	}
	if v := in.DefaultExecutionMode; v != nil && *v != "remote" && *v != "local" && *v != "agent" {
		return invalidAttribute("/data/attributes/default-execution-mode", fmt.Sprintf("Default execution mode %q is not one of remote, local, agent", *v))
	}
	mode, pool, err := st.executionSettings(p.Org, in.DefaultExecutionMode, in.DefaultAgentPoolID, p.ExecutionMode, p.AgentPoolID, "/data/attributes/default-agent-pool-id")
	if err != nil {
		return err
	}
	if mode == "agent" && pool == "" {
		return invalidAttribute("/data/attributes/default-agent-pool-id", "Default agent pool must be specified when using 'agent' execution mode")
	}
	p.ExecutionMode, p.AgentPoolID = mode, pool
	return nil
}

// validProjectName: 3 to 40 characters of letters, numbers, spaces, -, _.
func validProjectName(n string) bool {
	if len(n) < 3 || len(n) > 40 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (in *projectInput) validate(create bool) error {
	if create || in.Name != nil {
		if in.Name == nil || *in.Name == "" {
			return invalidAttribute("/data/attributes/name", "Name can't be blank")
		}
		if !validProjectName(*in.Name) {
			return invalidAttribute("/data/attributes/name", "Name may only contain letters, numbers, spaces, -, and _, and must be between 3 and 40 characters")
		}
	}
	if so := in.SettingOverwrites; so != nil && overwritesDisagree(so.ExecutionMode, so.AgentPool) {
		return errOverwritesDisagree()
	}
	d, err := parseAutoDestroyDuration(in.AutoDestroy)
	in.autoDestroy = d
	return err
}

func (st *State) projectNameTaken(org, name, except string) bool {
	for _, p := range st.idx.projectsByName[foldKey(name)] {
		if p.Org == org && p.ID != except && strings.EqualFold(p.Name, name) && st.Projects[p.ID] == p {
			return true
		}
	}
	return false
}

// projectFor returns a project p may see: through ownership, organization
// access that reads projects or workspaces, or team access to the project.
func (st *State) projectFor(p principal, id string) (*Project, error) {
	pr, ok := st.Projects[id]
	if !ok || !st.projectPermissions(p, pr).canRead {
		return nil, errNotFound
	}
	return pr, nil
}

func (s *Service) listProjects(c *call) (int, any, error) {
	q, names := searchParams(c.r)
	tags := taggedFilter(c)
	inc, err := includes(c.r, "effective_tag_bindings")
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		var all []Resource
		effective := map[string][]Resource{}
		a := st.accessIn(c.p, o.Name)
		for _, p := range sortedBySeq(st.Projects, func(p *Project) bool { return p.Org == o.Name && a.project(p).canRead }) {
			bindings := tagBindingResources(p.TagBindings, "effective-tag-bindings")
			if (q == "" || strings.Contains(strings.ToLower(p.Name), q)) && (names == nil || names[p.Name]) && tags.match(bindings) {
				all = append(all, st.projectResource(p))
				effective[p.ID] = bindings
			}
		}
		return paginateIncluding(c.r, all, effective, inc["effective_tag_bindings"])
	})
}

func (s *Service) createProject(c *call) (int, any, error) {
	var in projectInput
	_, bindings, _, err := decodeTagged(c, "projects", &in, true)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.requireOrg(c.p, c.path("org"), manageProjects)
		if err != nil {
			return nil, err
		}
		if st.projectNameTaken(o.Name, *in.Name, "") {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		p := &Project{ID: newID("prj"), Name: *in.Name, Org: o.Name, CreatedAt: c.now, TagBindings: bindings}
		setIf(&p.Description, in.Description)
		in.applyAutoDestroy(p)
		if err := in.applyExecution(st, p); err != nil {
			return nil, err
		}
		p.seq = st.next()
		st.Projects[p.ID] = p
		st.indexProject(p)
		st.touch("Projects", p.ID)
		return Document{Data: st.projectResource(p)}, nil
	})
}

func (s *Service) readProject(c *call) (int, any, error) {
	inc, err := includes(c.r, "effective_tag_bindings")
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		p, err := st.projectFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		doc := Document{Data: st.projectResource(p)}
		if inc["effective_tag_bindings"] {
			doc.Included = tagBindingResources(p.TagBindings, "effective-tag-bindings")
		}
		return doc, nil
	})
}

func (s *Service) updateProject(c *call) (int, any, error) {
	var in projectInput
	_, bindings, tagsSent, err := decodeTagged(c, "projects", &in, false)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		p, err := st.projectFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		if !st.projectPermissions(c.p, p).canUpdate {
			return nil, errNotFound
		}
		if in.Name != nil && st.projectNameTaken(p.Org, *in.Name, p.ID) {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		next := *p
		if err := in.applyExecution(st, &next); err != nil {
			return nil, err
		}
		setIf(&next.Name, in.Name)
		setIf(&next.Description, in.Description)
		in.applyAutoDestroy(&next)
		if tagsSent {
			next.TagBindings = bindings
		}
		*p = next
		st.indexProject(p) // renamed
		st.touch("Projects", p.ID)
		return Document{Data: st.projectResource(p)}, nil
	})
}

func (s *Service) deleteProject(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		p, err := st.projectFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		if !st.projectPermissions(c.p, p).canDelete {
			return nil, errNotFound
		}
		if st.Orgs[p.Org].DefaultProjectID == p.ID {
			return nil, invalidAttribute("", "The default project cannot be deleted")
		}
		for _, w := range st.Workspaces {
			if w.ProjectID == p.ID {
				return nil, invalidAttribute("", "Project must be empty before it can be deleted")
			}
		}
		st.remove("Projects", p.ID)
		st.touch("Projects", p.ID)
		for _, v := range st.VarSets {
			if slices.Contains(v.ProjectIDs, p.ID) {
				v.ProjectIDs = without(v.ProjectIDs, p.ID)
				st.touch("VarSets", v.ID)
			}
		}
		return nil, nil
	})
}

// without returns ids less id.
func without(ids []string, id string) []string {
	out := ids[:0:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
