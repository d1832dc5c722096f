package tfc

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
)

type varSetAttributes struct {
	Name           string `json:"name"`
	Description    string `json:"description"`
	Global         bool   `json:"global"`
	Priority       bool   `json:"priority"`
	UpdatedAt      string `json:"updated-at"`
	VarCount       int    `json:"var-count"`
	WorkspaceCount int    `json:"workspace-count"`
	ProjectCount   int    `json:"project-count"`
}

// varSetResource is the one representation of a variable set.
func (st *State) varSetResource(vs *VariableSet) Resource {
	var varIDs []string
	for _, v := range sortedBySeq(st.Vars, func(v *Variable) bool { return v.VarSetID == vs.ID }) {
		varIDs = append(varIDs, v.ID)
	}
	rel := map[string]Relationship{
		"organization": toOne("organizations", vs.Org),
		"vars":         toMany("vars", varIDs),
		"workspaces":   toMany("workspaces", vs.WorkspaceIDs),
		"projects":     toMany("projects", vs.ProjectIDs),
	}
	if vs.ParentProjID != "" {
		rel["parent"] = toOne("projects", vs.ParentProjID)
	} else {
		rel["parent"] = toOne("organizations", vs.Org)
	}
	return Resource{
		ID:   vs.ID,
		Type: "varsets",
		Attributes: varSetAttributes{Name: vs.Name, Description: vs.Description, Global: vs.Global, Priority: vs.Priority,
			UpdatedAt: Timestamp(vs.UpdatedAt), VarCount: len(varIDs), WorkspaceCount: len(vs.WorkspaceIDs), ProjectCount: len(vs.ProjectIDs)},
		Relationships: rel,
		Links:         map[string]string{"self": "/api/v2/varsets/" + vs.ID},
	}
}

// varSetInput is the attributes a variable set create or update may send.
type varSetInput struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Global      *bool   `json:"global"`
	Priority    *bool   `json:"priority"`
}

func (in *varSetInput) validate(create bool) error {
	var errs Errors
	if (create || in.Name != nil) && (in.Name == nil || strings.TrimSpace(*in.Name) == "") {
		errs = append(errs, invalidAttribute("/data/attributes/name", "Name can't be blank"))
	}
	if create && in.Global == nil {
		errs = append(errs, invalidAttribute("/data/attributes/global", "Global must be true or false"))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (st *State) varSetNameTaken(org, name, except string) bool {
	return anyOf(st.VarSets, func(v *VariableSet) bool { return v.Org == org && v.ID != except && strings.EqualFold(v.Name, name) })
}

// varSetFor returns a variable set of an organization p reads workspaces
// in; write also needs manage-workspaces.
func (st *State) varSetFor(p principal, id string, write bool) (*VariableSet, error) {
	vs, ok := st.VarSets[id]
	if !ok || !st.memberOf(p, vs.Org) || !st.can(p, vs.Org, readWorkspaces) {
		return nil, errNotFound
	}
	if write && !st.can(p, vs.Org, manageWorkspaces) {
		return nil, errNotFound
	}
	return vs, nil
}

// refsIn resolves relationship refs to ids in org, or a 422 naming the
// first that is not there.
func refsIn(refs []Ref, exists func(id string) bool, pointer string) ([]string, error) {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		if !exists(r.ID) {
			return nil, invalidAttribute(pointer, r.Type+" "+r.ID+" was not found")
		}
		out = append(out, r.ID)
	}
	return out, nil
}

func (s *Service) listVarSets(c *call) (int, any, error) {
	inc, err := includes(c.r, "workspaces", "projects", "vars")
	if err != nil {
		return 0, nil, err
	}
	q := strings.ToLower(c.r.URL.Query().Get("q"))
	return s.view(http.StatusOK, func(st *State) (any, error) {
		var keep func(*VariableSet) bool
		switch {
		case c.path("org") != "":
			o, err := st.requireOrg(c.p, c.path("org"), readWorkspaces)
			if err != nil {
				return nil, err
			}
			keep = func(v *VariableSet) bool { return v.Org == o.Name }
		case c.path("id") != "":
			w, err := st.workspaceFor(c.p, c.workspaceRef())
			if err != nil {
				return nil, err
			}
			keep = func(v *VariableSet) bool { return v.appliesTo(w) }
		default:
			p, err := st.projectFor(c.p, c.path("project"))
			if err != nil {
				return nil, err
			}
			keep = func(v *VariableSet) bool {
				return v.Org == p.Org && (v.Global || v.ParentProjID == p.ID || slices.Contains(v.ProjectIDs, p.ID))
			}
		}
		var all []Resource
		for _, v := range sortedBySeq(st.VarSets, keep) {
			if q == "" || strings.Contains(strings.ToLower(v.Name), q) {
				all = append(all, st.varSetResource(v))
			}
		}
		doc, err := paginate(c.r, all)
		if err != nil {
			return nil, err
		}
		// The page's sets' included resources, each once.
		seen := map[Ref]bool{}
		for _, r := range doc.Data {
			for _, res := range st.varSetIncluded(st.VarSets[r.ID], inc, c.p) {
				if ref := (Ref{ID: res.ID, Type: res.Type}); !seen[ref] {
					seen[ref] = true
					doc.Included = append(doc.Included, res)
				}
			}
		}
		return doc, nil
	})
}

// appliesTo reports whether the set reaches workspace w.
func (v *VariableSet) appliesTo(w *Workspace) bool {
	return v.Org == w.Org && (v.Global || slices.Contains(v.WorkspaceIDs, w.ID) || slices.Contains(v.ProjectIDs, w.ProjectID) || v.ParentProjID == w.ProjectID)
}

func (s *Service) createVarSet(c *call) (int, any, error) {
	var in varSetInput
	res, err := decodeResource(c.r, "varsets", &in)
	if err != nil {
		return 0, nil, err
	}
	if err := in.validate(true); err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.requireOrg(c.p, c.path("org"), manageWorkspaces)
		if err != nil {
			return nil, err
		}
		if st.varSetNameTaken(o.Name, *in.Name, "") {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		vs := &VariableSet{ID: newID("varset"), Name: *in.Name, Global: *in.Global, Org: o.Name, CreatedAt: c.now, UpdatedAt: c.now,
			WorkspaceIDs: []string{}, ProjectIDs: []string{}}
		setIf(&vs.Description, in.Description)
		setIf(&vs.Priority, in.Priority)
		if parent, ok, err := res.relationshipID("parent"); err != nil {
			return nil, err
		} else if ok && parent != o.Name {
			if p, found := st.Projects[parent]; !found || p.Org != o.Name {
				return nil, invalidAttribute("/data/relationships/parent/data/id", "parent "+parent+" was not found")
			}
			vs.ParentProjID = parent
		}
		for name, dst := range map[string]*[]string{"workspaces": &vs.WorkspaceIDs, "projects": &vs.ProjectIDs} {
			refs, err := relationshipRefs(res, name)
			if err != nil {
				return nil, err
			}
			exists := func(id string) bool { w, ok := st.Workspaces[id]; return ok && w.Org == o.Name }
			if name == "projects" {
				exists = func(id string) bool { p, ok := st.Projects[id]; return ok && p.Org == o.Name }
			}
			if *dst, err = refsIn(refs, exists, "/data/relationships/"+name); err != nil {
				return nil, err
			}
		}
		vs.seq = st.next()
		st.VarSets[vs.ID] = vs
		st.touch("VarSets", vs.ID)
		return Document{Data: st.varSetResource(vs)}, nil
	})
}

func (s *Service) readVarSet(c *call) (int, any, error) {
	inc, err := includes(c.r, "workspaces", "projects", "vars", "stacks")
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		vs, err := st.varSetFor(c.p, c.path("id"), false)
		if err != nil {
			return nil, err
		}
		return Document{Data: st.varSetResource(vs), Included: st.varSetIncluded(vs, inc, c.p)}, nil
	})
}

func (st *State) varSetIncluded(vs *VariableSet, inc map[string]bool, p principal) []Resource {
	var out []Resource
	if inc["workspaces"] {
		for _, id := range vs.WorkspaceIDs {
			out = append(out, st.workspaceResource(st.Workspaces[id], p))
		}
	}
	if inc["projects"] {
		for _, id := range vs.ProjectIDs {
			out = append(out, st.projectResource(st.Projects[id]))
		}
	}
	if inc["vars"] {
		for _, v := range sortedBySeq(st.Vars, func(v *Variable) bool { return v.VarSetID == vs.ID }) {
			out = append(out, variableResource(v))
		}
	}
	return out
}

func (s *Service) updateVarSet(c *call) (int, any, error) {
	var in varSetInput
	res, err := decodeResource(c.r, "varsets", &in)
	if err != nil {
		return 0, nil, err
	}
	if err := in.validate(false); err != nil {
		return 0, nil, err
	}
	inc, err := includes(c.r, "workspaces", "projects", "vars", "stacks")
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		vs, err := st.varSetFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		if in.Name != nil && st.varSetNameTaken(vs.Org, *in.Name, vs.ID) {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		// UpdateWorkspaces replaces the workspace list through the
		// relationships member.
		var workspaces []string
		if _, sent := res.Relationships["workspaces"]; sent {
			refs, err := relationshipRefs(res, "workspaces")
			if err != nil {
				return nil, err
			}
			if workspaces, err = refsIn(refs, func(id string) bool { w, ok := st.Workspaces[id]; return ok && w.Org == vs.Org }, "/data/relationships/workspaces"); err != nil {
				return nil, err
			}
		}
		setIf(&vs.Name, in.Name)
		setIf(&vs.Description, in.Description)
		setIf(&vs.Global, in.Global)
		setIf(&vs.Priority, in.Priority)
		if workspaces != nil {
			vs.WorkspaceIDs = workspaces
		}
		vs.UpdatedAt = c.now
		st.touch("VarSets", vs.ID)
		return Document{Data: st.varSetResource(vs), Included: st.varSetIncluded(vs, inc, c.p)}, nil
	})
}

func (s *Service) deleteVarSet(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		vs, err := st.varSetFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		st.remove("VarSets", vs.ID)
		st.touch("VarSets", vs.ID)
		return nil, nil
	})
}

// relationshipRefs reads a to-many relationship of a request resource.
func relationshipRefs(res *requestResource, name string) ([]Ref, error) {
	rel, ok := res.Relationships[name]
	if !ok || len(rel.Data) == 0 || string(rel.Data) == "null" {
		return nil, nil
	}
	var refs []Ref
	if err := json.Unmarshal(rel.Data, &refs); err != nil {
		return nil, typeError("/data/relationships/"+name+"/data", err)
	}
	return refs, nil
}

// attach applies the set to (add) or removes it from workspaces or
// projects, from a {"data":[...]} body.
func (s *Service) attach(kind string, add bool) handler {
	typ := map[string]string{"workspaces": "workspaces", "projects": "projects"}[kind]
	return func(c *call) (int, any, error) {
		refs, err := decodeRefs(c.r, typ)
		if err != nil {
			return 0, nil, err
		}
		return s.update(http.StatusNoContent, func(st *State) (any, error) {
			vs, err := st.varSetFor(c.p, c.path("id"), true)
			if err != nil {
				return nil, err
			}
			exists := func(id string) bool { w, ok := st.Workspaces[id]; return ok && w.Org == vs.Org }
			dst := &vs.WorkspaceIDs
			if kind == "projects" {
				exists = func(id string) bool { p, ok := st.Projects[id]; return ok && p.Org == vs.Org }
				dst = &vs.ProjectIDs
			}
			idList, err := refsIn(refs, exists, "/data")
			if err != nil {
				return nil, err
			}
			for _, id := range idList {
				*dst = without(*dst, id)
				if add {
					*dst = append(*dst, id)
				}
			}
			vs.UpdatedAt = c.now
			st.touch("VarSets", vs.ID)
			return nil, nil
		})
	}
}

// varSetVariable finds variable {var} of set {id}.
func varSetVariable(st *State, c *call, write bool) (*VariableSet, *Variable, error) {
	vs, err := st.varSetFor(c.p, c.path("id"), write)
	if err != nil {
		return nil, nil, err
	}
	v, ok := st.Vars[c.path("var")]
	if !ok || v.VarSetID != vs.ID {
		return nil, nil, errNotFound
	}
	return vs, v, nil
}

func (s *Service) listVarSetVariables(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		vs, err := st.varSetFor(c.p, c.path("id"), false)
		if err != nil {
			return nil, err
		}
		return paginate(c.r, st.variablesOf(func(v *Variable) bool { return v.VarSetID == vs.ID }))
	})
}

func (s *Service) createVarSetVariable(c *call) (int, any, error) {
	in, err := decodeVariable(c, true)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		vs, err := st.varSetFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		doc, err := st.createVariableIn(&Variable{VarSetID: vs.ID, CreatedAt: c.now}, in)
		if err == nil {
			vs.UpdatedAt = c.now
			st.touch("VarSets", vs.ID)
		}
		return doc, err
	})
}

func (s *Service) readVarSetVariable(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		_, v, err := varSetVariable(st, c, false)
		if err != nil {
			return nil, err
		}
		return Document{Data: variableResource(v)}, nil
	})
}

func (s *Service) updateVarSetVariable(c *call) (int, any, error) {
	in, err := decodeVariable(c, false)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		_, v, err := varSetVariable(st, c, true)
		if err != nil {
			return nil, err
		}
		return updateVariableIn(st, v, in)
	})
}

func (s *Service) deleteVarSetVariable(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		_, v, err := varSetVariable(st, c, true)
		if err != nil {
			return nil, err
		}
		delete(st.Vars, v.ID)
		st.touch("Vars", v.ID)
		return nil, nil
	})
}

// Precedence ranks, highest wins: priority variable sets override
// everything; then the workspace's own variables; then sets applied to the
// workspace, then to its project, then global sets. Within one rank the
// set whose name sorts first wins (TFC's lexical rule).
const (
	rankGlobal = iota + 1
	rankProject
	rankWorkspaceSet
	rankWorkspace
	rankPriority
)

// EffectiveVariables returns the variables a run of workspace wsID sees,
// one per key and category, the winner by precedence, in key order.
func (st *State) EffectiveVariables(wsID string) []*Variable {
	w, ok := st.Workspaces[wsID]
	if !ok {
		return nil
	}
	type candidate struct {
		v    *Variable
		rank int
		set  string
	}
	best := map[string]candidate{}
	offer := func(c candidate) {
		k := c.v.Category + "\x00" + c.v.Key
		cur, ok := best[k]
		if !ok || c.rank > cur.rank || (c.rank == cur.rank && c.set < cur.set) {
			best[k] = c
		}
	}
	for _, v := range st.Vars {
		if v.WorkspaceID == w.ID {
			offer(candidate{v: v, rank: rankWorkspace})
			continue
		}
		vs, ok := st.VarSets[v.VarSetID]
		if !ok || !vs.appliesTo(w) {
			continue
		}
		rank := rankGlobal
		switch {
		case vs.Priority:
			rank = rankPriority
		case slices.Contains(vs.WorkspaceIDs, w.ID):
			rank = rankWorkspaceSet
		case slices.Contains(vs.ProjectIDs, w.ProjectID) || vs.ParentProjID == w.ProjectID:
			rank = rankProject
		}
		offer(candidate{v: v, rank: rank, set: strings.ToLower(vs.Name)})
	}
	out := make([]*Variable, 0, len(best))
	for _, c := range best {
		out = append(out, c.v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Category < out[j].Category
	})
	return out
}
