package tfc

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// effectiveExecution is a workspace's execution mode and agent pool: its
// own when set, else its project's, else its organization's defaults.
func (st *State) effectiveExecution(w *Workspace) (string, string) {
	if w.ExecutionModeSet {
		return w.ExecutionMode, w.AgentPoolID
	}
	if p, ok := st.Projects[w.ProjectID]; ok && p.ExecutionMode != "" {
		return p.ExecutionMode, p.AgentPoolID
	}
	o := st.Orgs[w.Org]
	return o.DefaultExecutionMode, o.DefaultAgentPoolID
}

func (st *State) workspaceVarIDs(wsID string) []string {
	var ids []string
	for _, v := range st.workspaceVars(wsID) {
		ids = append(ids, v.ID)
	}
	return ids
}

// workspaceByName finds a workspace by organization and name through the
// name index.
func (st *State) workspaceByName(org, name string) (*Workspace, bool) {
	for _, w := range st.idx.wsByName[name] {
		if w.Org == org && w.Name == name && st.liveWorkspace(w) {
			return w, true
		}
	}
	return nil, false
}

// checkWorkspacePool refuses an agent pool that is not the organization's,
// or one given outside agent execution mode.
func (st *State) checkWorkspacePool(org string, in *workspaceInput) error {
	if in.AgentPoolID == nil || *in.AgentPoolID == "" {
		return nil
	}
	mode := "agent"
	if in.ExecutionMode != nil {
		mode = *in.ExecutionMode
	}
	_, _, err := st.executionSettings(org, &mode, in.AgentPoolID, "", "", "/data/attributes/agent-pool-id")
	return err
}

// workspaceFor finds a workspace by id (path {id}) or by organization and
// name (path {org} and {name}), visible to p.
func (st *State) workspaceFor(p principal, ref wsRef) (*Workspace, error) {
	w, _, err := st.workspaceWith(p, ref, nil)
	return w, err
}

// writableWorkspace is workspaceFor for a change to the workspace's
// settings: a caller who may read the workspace but not administer it
// gets the same 404.
func (st *State) writableWorkspace(p principal, ref wsRef) (*Workspace, error) {
	w, _, err := st.workspaceWith(p, ref, needUpdate)
	return w, err
}

// projectRelationship reads the optional project relationship of a
// workspace request and checks it belongs to org.
func (st *State) projectRelationship(res *requestResource, org string) (string, error) {
	id, ok, err := res.relationshipID("project")
	if err != nil || !ok {
		return "", err
	}
	if p, found := st.Projects[id]; !found || p.Org != org {
		return "", invalidAttribute("/data/relationships/project/data/id", fmt.Sprintf("Project %q was not found in organization %s", id, org))
	}
	return id, nil
}

func (s *Service) listWorkspaces(c *call) (int, any, error) {
	q := c.r.URL.Query()
	search, projectID := strings.ToLower(q.Get("search[name]")), q.Get("filter[project][id]")
	tags, withEffective := taggedFilter(c), includesEffectiveTags(c)
	wantTags, excludeTags := tagSearch(c)
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		pg, err := parsePage(c.r)
		if err != nil {
			return nil, err
		}
		// Page first, render only the page: the matching workspaces are
		// counted in creation order and only the page's are rendered.
		a := st.accessIn(c.p, o.Name)
		var page []*Workspace
		var perms []workspacePerms
		total := 0
		st.workspacesInOrder(o.Name, func(w *Workspace) bool {
			p := a.workspace(w)
			if !p.canRead || (search != "" && !strings.Contains(strings.ToLower(w.Name), search)) ||
				(projectID != "" && w.ProjectID != projectID) || !matchTags(w.TagNames, wantTags, excludeTags) ||
				(len(tags) > 0 && !tags.match(st.effectiveTagBindings(w))) {
				return true
			}
			if pg.holds(total) {
				page, perms = append(page, w), append(perms, p)
			}
			total++
			return true
		})
		items := make([]Resource, 0, len(page))
		included := map[string][]Resource{}
		for i, w := range page {
			items = append(items, st.workspaceResourceWith(w, perms[i]))
			if withEffective {
				included[w.ID] = st.effectiveTagBindings(w)
			}
		}
		doc := pageDocument(c.r, pg, items, total)
		if withEffective {
			includeEffective(&doc, included)
		}
		return doc, nil
	})
}

func (s *Service) createWorkspace(c *call) (int, any, error) {
	var in workspaceInput
	res, bindings, _, err := decodeTagged(c, "workspaces", &in, true)
	if err != nil {
		return 0, nil, err
	}
	const tagsPointer = "/data/relationships/tags/data"
	tagRefs, err := tagRefsFrom(res.Relationships["tags"].Data, tagsPointer)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		projectID, err := st.projectRelationship(res, o.Name)
		if err != nil {
			return nil, err
		}
		if projectID == "" {
			projectID = o.DefaultProjectID
		}
		// Creating needs manage-workspaces, or create on the project.
		if !st.accessIn(c.p, o.Name).project(st.Projects[projectID]).canCreateWorkspaces {
			return nil, errNotFound
		}
		if _, taken := st.workspaceByName(o.Name, *in.Name); taken {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		if err := st.checkWorkspacePool(o.Name, &in); err != nil {
			return nil, err
		}
		names, err := o.resolveTags(tagRefs, tagsPointer, true, c.now)
		if err != nil {
			return nil, err
		}
		w := newWorkspace(st, o.Name, *in.Name, projectID, c.now)
		in.apply(w)
		for _, n := range names {
			if !slices.Contains(w.TagNames, n) {
				w.TagNames = append(w.TagNames, n)
			}
		}
		w.TagBindings = bindings
		st.touch("Workspaces", w.ID)
		if len(tagRefs) > 0 {
			st.touch("Orgs", o.Name) // the tags it names, new ones created
		}
		return Document{Data: st.workspaceResource(w, c.p)}, nil
	})
}

func (s *Service) readWorkspace(c *call) (int, any, error) {
	withEffective := includesEffectiveTags(c)
	return s.view(http.StatusOK, func(st *State) (any, error) {
		w, err := st.workspaceFor(c.p, c.workspaceRef())
		if err != nil {
			return nil, err
		}
		doc := Document{Data: st.workspaceResource(w, c.p)}
		if withEffective {
			doc.Included = st.effectiveTagBindings(w)
		}
		return doc, nil
	})
}

func (s *Service) updateWorkspace(c *call) (int, any, error) {
	var in workspaceInput
	res, bindings, tagsSent, err := decodeTagged(c, "workspaces", &in, false)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		w, err := st.writableWorkspace(c.p, c.workspaceRef())
		if err != nil {
			return nil, err
		}
		projectID, err := st.projectRelationship(res, w.Org)
		if err != nil {
			return nil, err
		}
		if projectID != "" && projectID != w.ProjectID && !st.canMoveWorkspace(c.p, w, projectID) {
			return nil, errNotFound
		}
		if in.Name != nil && *in.Name != w.Name {
			if _, taken := st.workspaceByName(w.Org, *in.Name); taken {
				return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
			}
		}
		if err := st.checkWorkspacePool(w.Org, &in); err != nil {
			return nil, err
		}
		in.apply(w)
		if in.Name != nil {
			st.indexWorkspace(w) // renamed
		}
		if projectID != "" {
			w.ProjectID = projectID
		}
		if tagsSent {
			w.TagBindings = bindings
		}
		w.UpdatedAt = c.now
		st.touch("Workspaces", w.ID)
		return Document{Data: st.workspaceResource(w, c.p)}, nil
	})
}

// includesEffectiveTags reports whether a workspace read or list asks for
// include=effective_tag_bindings. Other includes are accepted and ignored,
// as before.
func includesEffectiveTags(c *call) bool {
	for _, v := range strings.Split(c.r.URL.Query().Get("include"), ",") {
		if v == "effective_tag_bindings" {
			return true
		}
	}
	return false
}

func (s *Service) deleteWorkspace(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		w, _, err := st.workspaceWith(c.p, c.workspaceRef(), needDelete)
		if err != nil {
			return nil, err
		}
		st.remove("Workspaces", w.ID)
		st.touch("Workspaces", w.ID)
		return nil, nil
	})
}
