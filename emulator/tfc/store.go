package tfc

import (
	"encoding/json"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tfcemu/tfcemu/emulator/ids"
	"github.com/tfcemu/tfcemu/fixtures"
)

// Store holds the TFC state. Every read runs in View and every change in
// Update, each under the store's one lock, so a request sees and leaves a
// consistent state: a rejected Update returns its error and the handler
// must not have changed anything before it did.
type Store interface {
	View(func(*State) error) error
	Update(func(*State) error) error
	Reset()
}

// State is everything the TFC API holds. Each exported map is a resource
// kind, declared once in kinds (kinds.go).
type State struct {
	Users      map[string]*User           // by id
	Orgs       map[string]*Organization   // by name
	Teams      map[string]*Team           // by id
	Projects   map[string]*Project        // by id
	Workspaces map[string]*Workspace      // by id
	Vars       map[string]*Variable       // by id, workspace and varset variables
	VarSets    map[string]*VariableSet    // by id
	Tokens     map[string]*Token          // by id
	Modules    map[string]*RegistryModule // by id
	TestRuns   map[string]*TestRun        // by id
	AgentPools map[string]*AgentPool      // by id
	Agents     map[string]*Agent          // by id
	Runs       map[string]*Run            // by id
	// Memberships are organization memberships, by id.
	Memberships map[string]*OrganizationMembership
	secrets     map[string]string // token secret -> token id

	// TeamWorkspaces and TeamProjects are team access to workspaces and
	// projects, by id.
	TeamWorkspaces map[string]*TeamWorkspaceAccess
	TeamProjects   map[string]*TeamProjectAccess

	seq int64

	// StateVersions, ConfigVersions and Objects (archivist keys) are by id
	// or key; CurrentStateVersions maps a workspace id to its current
	// state version's id.
	StateVersions        map[string]*StateVersion
	ConfigVersions       map[string]*ConfigurationVersion
	Objects              map[string]*HostedObject
	CurrentStateVersions map[string]string
	svOutputs            map[string]string // state version output id -> state version id
	currentCV            map[string]string // workspace id -> newest non-provisional configuration version id

	// used holds token uses stamped under the read lock, not yet in
	// their tokens' LastUsedAt.
	used *usedStamps
	// idx holds the lookups by name (indexes.go).
	idx *indexes
	// changes are the entries changed since the state file last took
	// them (changes.go).
	changes *changeSet
}

// usedStamps is the last-used time of tokens authenticated under the
// store's read lock, behind its own small mutex; flush moves them into
// the tokens under the write lock.
type usedStamps struct {
	mu sync.Mutex
	m  map[string]time.Time // token id -> last use
}

// stamp records a use of token id at t.
func (u *usedStamps) stamp(id string, t time.Time) {
	u.mu.Lock()
	if old, ok := u.m[id]; !ok || t.After(old) {
		u.m[id] = t
	}
	u.mu.Unlock()
}

// pending reports whether uses wait to be flushed.
func (u *usedStamps) pending() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.m) > 0
}

// clear drops the pending uses (the state they belong to is replaced).
func (u *usedStamps) clear() {
	u.mu.Lock()
	clear(u.m)
	u.mu.Unlock()
}

// flush moves the stamped uses into their tokens' LastUsedAt; the caller
// holds the store's write lock. Uses of tokens deleted since are dropped.
func (st *State) flushUsed() {
	u := st.used
	u.mu.Lock()
	defer u.mu.Unlock()
	for id, at := range u.m {
		if t, ok := st.Tokens[id]; ok && (t.LastUsedAt == nil || at.After(*t.LastUsedAt)) {
			at := at
			t.LastUsedAt = &at
			st.changes.mark("Tokens", id)
		}
		delete(u.m, id)
	}
}

// next returns an increasing sequence number; lists sort by it so they keep
// creation order.
func (st *State) next() int64 { st.seq++; return st.seq }

// newState is an empty State: a map per kind and the derived indexes.
func newState() *State {
	st := &State{secrets: map[string]string{}, svOutputs: map[string]string{}, currentCV: map[string]string{},
		used: &usedStamps{m: map[string]time.Time{}}, idx: newIndexes(), changes: newChangeSet()}
	for _, k := range kinds {
		k.init(st)
	}
	return st
}

// memoryStore is the in-memory Store: one mutex, one State.
type memoryStore struct {
	now  func() time.Time
	seed *fixtures.Seed

	mu sync.RWMutex
	st *State
	// used is every state's token-use buffer (Reset keeps it), read
	// without the store lock.
	used *usedStamps
	// changes outlives each State the store holds (Reset, Restore).
	changes *changeSet
	// gen counts the Updates and Resets: the state file skips TFC's
	// snapshot while it is unchanged.
	gen atomic.Uint64
}

// generation is the store's change count.
func (s *memoryStore) generation() uint64 { return s.gen.Load() }

// NewMemoryStore returns a Store loaded with seed, on the clock now.
func NewMemoryStore(seed *fixtures.Seed, now func() time.Time) Store {
	s := &memoryStore{now: now, seed: seed, used: &usedStamps{m: map[string]time.Time{}}, changes: newChangeSet()}
	s.Reset()
	return s
}

// View runs fn under the read lock. Token uses stamped since the last
// write are folded in first when the store is free (TryLock: a reader
// never waits for the write lock, so a slow reader stalls no one), so a
// request sees the uses of the requests before it.
func (s *memoryStore) View(fn func(*State) error) error {
	if s.used.pending() && s.mu.TryLock() {
		s.st.flushUsed()
		s.gen.Add(1)
		s.mu.Unlock()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(s.st)
}

func (s *memoryStore) Update(fn func(*State) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.flushUsed()
	s.st.changes.begin()
	err := fn(s.st)
	s.st.changes.end(err)
	s.gen.Add(1) // a refused update changed nothing, but may have flushed token uses
	return err
}

func (s *memoryStore) Reset() {
	st := stateFromSeed(s.seed, s.now())
	s.mu.Lock()
	s.used.clear()
	st.used = s.used
	st.changes = s.changes
	st.changes.markAll()
	s.st = st
	s.gen.Add(1)
	s.mu.Unlock()
}

// stateFromSeed builds the state a seed describes. The seed was validated
// when it was parsed.
func stateFromSeed(seed *fixtures.Seed, now time.Time) *State {
	st := newState()
	now = now.Truncate(time.Millisecond)
	for _, u := range seed.Users {
		st.Users[u.ID] = &User{ID: u.ID, Username: u.Username, Email: u.Email, CreatedAt: now, seq: st.next()}
		for _, t := range u.Tokens {
			desc := t.Description
			st.addToken(&Token{
				ID: t.ID, Kind: TokenUser, Secret: t.Token, Description: &desc, CreatedAt: now,
				UserID: u.ID, CreatedBy: Ref{ID: u.ID, Type: "users"},
			})
		}
	}
	for _, o := range seed.Organizations {
		ttl := o.ModuleTestTokenTTL
		if ttl == 0 {
			ttl = DefaultModuleTestTokenTTL
		}
		org := newOrganization(st, o.Name, o.Email, now)
		org.ExternalID, org.ModuleTestTokenTTL = o.ID, ttl
		projectIDs := map[string]string{}
		for _, p := range o.Projects {
			if p.Name == DefaultProjectName {
				// The seed names the default project's id.
				delete(st.Projects, org.DefaultProjectID)
				org.DefaultProjectID = p.ID
			}
			st.Projects[p.ID] = &Project{ID: p.ID, Name: p.Name, Org: o.Name, CreatedAt: now, seq: st.next()}
			projectIDs[p.Name] = p.ID
		}
		if _, ok := st.Projects[org.DefaultProjectID]; !ok {
			st.Projects[org.DefaultProjectID] = &Project{ID: org.DefaultProjectID, Name: DefaultProjectName, Org: o.Name, CreatedAt: now, seq: st.next()}
		}
		projectIDs[DefaultProjectName] = org.DefaultProjectID
		for _, t := range o.Teams {
			team := st.Teams[org.OwnersTeamID]
			if t.Name != OwnersTeamName {
				team = newTeam(st, o.Name, t.Name, now)
				delete(st.Teams, team.ID) // kept under the seed's id below
			} else {
				delete(st.Teams, org.OwnersTeamID)
				org.OwnersTeamID = t.ID
			}
			team.ID, team.Members = t.ID, append([]string(nil), t.Members...)
			if t.Name != OwnersTeamName {
				team.Access = accessFromNames(t.Access)
			}
			st.Teams[t.ID] = team
			if t.Token != nil {
				st.addToken(&Token{ID: t.Token.ID, Kind: TokenTeamLegacy, Secret: t.Token.Token, CreatedAt: now,
					TeamID: t.ID, CreatedBy: Ref{ID: t.ID, Type: "teams"}})
			}
		}
		st.activateTeamMembers(o.Name, now)
		if o.Token != nil {
			st.addToken(&Token{ID: o.Token.ID, Kind: TokenOrg, Secret: o.Token.Token, CreatedAt: now,
				Org: o.Name, CreatedBy: Ref{ID: o.Name, Type: "organizations"}})
		}
		for _, w := range o.Workspaces {
			project := w.Project
			if project == "" {
				project = DefaultProjectName
			}
			ws := newWorkspace(st, o.Name, w.Name, projectIDs[project], now)
			delete(st.Workspaces, ws.ID)
			ws.ID = w.ID
			st.Workspaces[ws.ID] = ws
			for _, v := range w.Variables {
				st.addSeedVariable(v, ws.ID, "", now)
			}
		}
		for _, m := range o.RegistryModules {
			ns := m.Namespace
			if ns == "" {
				ns = o.Name
			}
			st.addModule(&RegistryModule{ID: m.ID, Org: o.Name, Name: m.Name, Provider: m.Provider, Namespace: ns,
				RegistryName: "private", CreatedAt: now, UpdatedAt: now})
		}
		for _, ap := range o.AgentPools {
			st.AgentPools[ap.ID] = &AgentPool{ID: ap.ID, Org: o.Name, Name: ap.Name, OrganizationScoped: true, CreatedAt: now, seq: st.next()}
			for _, a := range ap.Agents {
				st.Agents[a.ID] = &Agent{ID: a.ID, PoolID: ap.ID, Name: a.Name, Version: a.Version, Status: "idle", LastPingAt: now, seq: st.next()}
			}
			for _, name := range ap.Workspaces {
				w, _ := st.workspaceByName(o.Name, name)
				w.ExecutionMode, w.ExecutionModeSet, w.AgentPoolID = "agent", true, ap.ID
			}
		}
		for _, vs := range o.VariableSets {
			set := &VariableSet{ID: vs.ID, Name: vs.Name, Description: vs.Description, Global: vs.Global, Priority: vs.Priority,
				Org: o.Name, WorkspaceIDs: []string{}, ProjectIDs: []string{}, CreatedAt: now, UpdatedAt: now, seq: st.next()}
			for _, name := range vs.Workspaces {
				w, _ := st.workspaceByName(o.Name, name)
				set.WorkspaceIDs = append(set.WorkspaceIDs, w.ID)
			}
			for _, name := range vs.Projects {
				set.ProjectIDs = append(set.ProjectIDs, projectIDs[name])
			}
			st.VarSets[set.ID] = set
			for _, v := range vs.Variables {
				st.addSeedVariable(v, "", set.ID, now)
			}
		}
	}
	st.reindex()
	return st
}

// addSeedVariable adds a seed's workspace or variable set variable.
func (st *State) addSeedVariable(v fixtures.Variable, wsID, setID string, now time.Time) {
	category := v.Category
	if category == "" {
		category = CategoryTerraform
	}
	nv := &Variable{ID: newID("var"), Key: v.Key, Value: v.Value, Description: v.Description, Category: category,
		HCL: v.HCL, Sensitive: v.Sensitive, VersionID: versionID(), WorkspaceID: wsID, VarSetID: setID, CreatedAt: now, seq: st.next()}
	st.Vars[nv.ID] = nv
	st.indexVariable(nv)
}

// accessFromNames builds organization access from permission names such
// as "manage-workspaces"; the seed has validated them.
func accessFromNames(names []string) TeamAccess {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	var a TeamAccess
	b, _ := json.Marshal(m)
	_ = json.Unmarshal(b, &a)
	return a
}

// sortedBySeq returns the values of m in creation order.
func sortedBySeq[T interface{ order() int64 }](m map[string]T, keep func(T) bool) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		if keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].order() < out[j].order() })
	return out
}

// newID returns a fresh ID with prefix; collisions are astronomically
// unlikely but checked by callers that key maps by ID.
func newID(prefix string) string { return ids.New(prefix) }

// anyOf reports whether any value of m satisfies pred.
func anyOf[T any](m map[string]T, pred func(T) bool) bool {
	for _, v := range m {
		if pred(v) {
			return true
		}
	}
	return false
}
