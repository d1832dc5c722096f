package tfc

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tfcemu/tfcemu/fixtures"
)

// ErrNotFound is returned when a named resource does not exist.
var ErrNotFound = errors.New("not found")

// DefaultModuleTestTokenTTL is an organization's module-test-token-ttl
// when none is set, in seconds.
const DefaultModuleTestTokenTTL = 600

// Organization is a TFC organization.
type Organization struct {
	ID                 string
	Name               string
	Email              string
	ModuleTestTokenTTL int
	CreatedAt          time.Time
}

// Project is a TFC project.
type Project struct {
	ID           string
	Name         string
	Organization string
}

// Workspace is a TFC workspace.
type Workspace struct {
	ID           string
	Name         string
	Organization string
	ProjectID    string
}

// state is everything the TFC API holds; the memory store guards it.
type state struct {
	orgs       map[string]*Organization // by name
	projects   map[string]*Project      // by id
	workspaces map[string]*Workspace    // by id
}

// Service is the emulated TFC API.
type Service struct {
	now  func() time.Time
	seed *fixtures.Seed

	mu sync.RWMutex
	st state
}

// New returns a service loaded with seed; now is the virtual clock.
func New(seed *fixtures.Seed, now func() time.Time) *Service {
	s := &Service{now: now, seed: seed}
	s.Reset()
	return s
}

// Reset throws away every change and loads the seed again.
func (s *Service) Reset() {
	st := stateFromSeed(s.seed, s.now())
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
}

func stateFromSeed(seed *fixtures.Seed, now time.Time) state {
	st := state{
		orgs:       map[string]*Organization{},
		projects:   map[string]*Project{},
		workspaces: map[string]*Workspace{},
	}
	for _, o := range seed.Organizations {
		ttl := o.ModuleTestTokenTTL
		if ttl == 0 {
			ttl = DefaultModuleTestTokenTTL
		}
		st.orgs[o.Name] = &Organization{ID: o.ID, Name: o.Name, Email: o.Email, ModuleTestTokenTTL: ttl, CreatedAt: now}
		projectIDs := map[string]string{}
		for _, p := range o.Projects {
			st.projects[p.ID] = &Project{ID: p.ID, Name: p.Name, Organization: o.Name}
			projectIDs[p.Name] = p.ID
		}
		for _, w := range o.Workspaces {
			project := w.Project
			if project == "" {
				project = "Default Project"
			}
			st.workspaces[w.ID] = &Workspace{ID: w.ID, Name: w.Name, Organization: o.Name, ProjectID: projectIDs[project]}
		}
	}
	return st
}

// WorkspaceIdentity is what a workload identity token says about a workspace.
type WorkspaceIdentity struct {
	Organization Organization
	Project      Project
	Workspace    Workspace
}

// LookupOrganization returns the organization named name.
func (s *Service) LookupOrganization(name string) (Organization, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.st.orgs[name]
	if !ok {
		return Organization{}, fmt.Errorf("organization %q: %w", name, ErrNotFound)
	}
	return *o, nil
}

// LookupWorkspace returns a workspace by organization and workspace name,
// with its organization and project.
func (s *Service) LookupWorkspace(org, name string) (WorkspaceIdentity, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.st.orgs[org]
	if !ok {
		return WorkspaceIdentity{}, fmt.Errorf("organization %q: %w", org, ErrNotFound)
	}
	for _, w := range s.st.workspaces {
		if w.Organization == org && w.Name == name {
			id := WorkspaceIdentity{Organization: *o, Workspace: *w}
			if p, ok := s.st.projects[w.ProjectID]; ok {
				id.Project = *p
			}
			return id, nil
		}
	}
	return WorkspaceIdentity{}, fmt.Errorf("workspace %q in organization %q: %w", name, org, ErrNotFound)
}
