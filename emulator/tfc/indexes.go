package tfc

import (
	"sort"
	"strings"
)

// indexes are the State's lookups by something other than a map key:
// workspaces by name, in creation order and locked; variables by
// workspace. Each write path that adds or renames an entry indexes it
// (indexWorkspace, indexVariable, indexLock) under the write lock; an
// entry deleted or changed since is still listed, so every read checks
// what it finds against the State (live*), and the write paths drop what
// has gone stale. Restore and the seed rebuild them (reindex).
type indexes struct {
	wsByName map[string][]*Workspace // workspace name -> workspaces that had it
	wsOrder  []*Workspace            // workspaces in creation order
	wsDead   int                     // deleted workspaces still in wsOrder
	wsVars   map[string][]*Variable  // workspace id -> its variables, in creation order
	locked   map[string]*Workspace   // id -> workspaces that were locked

	projectsByName map[string][]*Project        // lowercased name -> projects that had it
	teamsByName    map[string][]*Team           // lowercased name -> teams that had it
	modulesByName  map[string][]*RegistryModule // name -> modules
}

func newIndexes() *indexes {
	return &indexes{wsByName: map[string][]*Workspace{}, wsVars: map[string][]*Variable{}, locked: map[string]*Workspace{},
		projectsByName: map[string][]*Project{}, teamsByName: map[string][]*Team{}, modulesByName: map[string][]*RegistryModule{}}
}

// liveWorkspace reports whether w is still the State's workspace of its id.
func (st *State) liveWorkspace(w *Workspace) bool { return st.Workspaces[w.ID] == w }

// reindex rebuilds every index from the State's maps.
func (st *State) reindex() {
	st.idx = newIndexes()
	st.idx.wsOrder = sortedBySeq(st.Workspaces, nil)
	for _, w := range st.idx.wsOrder {
		st.idx.wsByName[w.Name] = append(st.idx.wsByName[w.Name], w)
		if w.Locked {
			st.idx.locked[w.ID] = w
		}
	}
	for _, v := range sortedBySeq(st.Vars, func(v *Variable) bool { return v.WorkspaceID != "" }) {
		st.idx.wsVars[v.WorkspaceID] = append(st.idx.wsVars[v.WorkspaceID], v)
	}
	fileByName(st.idx.projectsByName, st.Projects, func(p *Project) string { return foldKey(p.Name) })
	fileByName(st.idx.teamsByName, st.Teams, func(t *Team) string { return foldKey(t.Name) })
	fileByName(st.idx.modulesByName, st.Modules, func(m *RegistryModule) string { return m.Name })
}

// fileByName fills an empty name index with every entry of all, each under
// its key.
func fileByName[T any](index map[string][]*T, all map[string]*T, key func(*T) string) {
	for _, e := range all {
		index[key(e)] = append(index[key(e)], e)
	}
}

// indexWorkspace indexes a new or renamed workspace by its name, and a
// new one in creation order.
func (st *State) indexWorkspace(w *Workspace) {
	indexByName(st.idx.wsByName, w.Name, w, func(o *Workspace) bool { return st.liveWorkspace(o) && o.Name == w.Name })
	if n := len(st.idx.wsOrder); n == 0 || st.idx.wsOrder[n-1].seq < w.seq {
		st.idx.wsOrder = append(st.idx.wsOrder, w)
	}
}

// forgetWorkspace drops a workspace being deleted from the indexes it is
// cheap to drop it from; wsOrder is compacted once half of it is dead.
func (st *State) forgetWorkspace(id string) {
	w := st.Workspaces[id]
	if w == nil {
		return
	}
	list := st.idx.wsByName[w.Name]
	keep := list[:0]
	for _, o := range list {
		if o != w {
			keep = append(keep, o)
		}
	}
	if len(keep) == 0 {
		delete(st.idx.wsByName, w.Name)
	} else {
		st.idx.wsByName[w.Name] = keep
	}
	delete(st.idx.wsVars, id)
	delete(st.idx.locked, id)
	st.idx.wsDead++
	if st.idx.wsDead > 64 && st.idx.wsDead > len(st.idx.wsOrder)/2 {
		keep := make([]*Workspace, 0, len(st.idx.wsOrder)-st.idx.wsDead)
		for _, o := range st.idx.wsOrder {
			if o != w && st.liveWorkspace(o) {
				keep = append(keep, o)
			}
		}
		st.idx.wsOrder, st.idx.wsDead = keep, 0
	}
}

// workspacesInOrder calls fn with each workspace of org in creation order
// until fn returns false.
func (st *State) workspacesInOrder(org string, fn func(*Workspace) bool) {
	for _, w := range st.idx.wsOrder {
		if w.Org == org && st.liveWorkspace(w) && !fn(w) {
			return
		}
	}
}

// indexVariable indexes a new workspace variable.
func (st *State) indexVariable(v *Variable) {
	if v.WorkspaceID == "" {
		return
	}
	list := st.idx.wsVars[v.WorkspaceID]
	keep := list[:0]
	for _, o := range list {
		if st.Vars[o.ID] == o && o.WorkspaceID == v.WorkspaceID && o != v {
			keep = append(keep, o)
		}
	}
	keep = append(keep, v)
	if n := len(keep); n > 1 && keep[n-2].seq > v.seq {
		sort.Slice(keep, func(i, j int) bool { return keep[i].seq < keep[j].seq })
	}
	st.idx.wsVars[v.WorkspaceID] = keep
}

// workspaceVars returns a workspace's variables in creation order.
func (st *State) workspaceVars(wsID string) []*Variable {
	var out []*Variable
	for _, v := range st.idx.wsVars[wsID] {
		if st.Vars[v.ID] == v && v.WorkspaceID == wsID {
			out = append(out, v)
		}
	}
	return out
}

// indexLock indexes a workspace just locked.
func (st *State) indexLock(w *Workspace) {
	for id, o := range st.idx.locked {
		if !o.Locked || !st.liveWorkspace(o) {
			delete(st.idx.locked, id)
		}
	}
	st.idx.locked[w.ID] = w
}

// lockedWorkspaces calls fn with each locked workspace.
func (st *State) lockedWorkspaces(fn func(*Workspace)) {
	for _, w := range st.idx.locked {
		if w.Locked && st.liveWorkspace(w) {
			fn(w)
		}
	}
}

// foldKey is a name's key in the case-insensitive name indexes.
func foldKey(name string) string { return strings.ToLower(name) }

// indexByName files e under key in a name index, first dropping from
// that key's list e itself and every entry for which live is false (gone
// from the State, or renamed since it was filed).
func indexByName[T any](index map[string][]*T, key string, e *T, live func(*T) bool) {
	list := index[key]
	keep := list[:0]
	for _, o := range list {
		if o != e && live(o) {
			keep = append(keep, o)
		}
	}
	index[key] = append(keep, e)
}

// indexProject indexes a new or renamed project by its name.
func (st *State) indexProject(p *Project) {
	key := foldKey(p.Name)
	indexByName(st.idx.projectsByName, key, p, func(o *Project) bool { return st.Projects[o.ID] == o && foldKey(o.Name) == key })
}

// indexTeam indexes a new or renamed team by its name.
func (st *State) indexTeam(t *Team) {
	key := foldKey(t.Name)
	indexByName(st.idx.teamsByName, key, t, func(o *Team) bool { return st.Teams[o.ID] == o && foldKey(o.Name) == key })
}

// indexModule indexes a new module by its name.
func (st *State) indexModule(m *RegistryModule) {
	indexByName(st.idx.modulesByName, m.Name, m, func(o *RegistryModule) bool { return st.Modules[o.ID] == o && o.Name == m.Name })
}
