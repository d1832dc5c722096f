package tfc

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned by the lookups when a named resource does not
// exist.
var ErrNotFound = errors.New("not found")

// WorkspaceIdentity is what a workload identity token says about a
// workspace.
type WorkspaceIdentity struct {
	Organization Organization
	Project      Project
	Workspace    Workspace
}

// LookupOrganization returns a copy of the organization named name.
func (s *Service) LookupOrganization(name string) (Organization, error) {
	var o Organization
	err := s.store.View(func(st *State) error {
		org, ok := st.Orgs[name]
		if !ok {
			return fmt.Errorf("organization %q: %w", name, ErrNotFound)
		}
		o = *org
		return nil
	})
	return o, err
}

// LookupWorkspace returns a workspace by organization and workspace name,
// with its organization and project.
func (s *Service) LookupWorkspace(org, name string) (WorkspaceIdentity, error) {
	var id WorkspaceIdentity
	err := s.store.View(func(st *State) error {
		o, ok := st.Orgs[org]
		if !ok {
			return fmt.Errorf("organization %q: %w", org, ErrNotFound)
		}
		w, ok := st.workspaceByName(org, name)
		if !ok {
			return fmt.Errorf("workspace %q in organization %q: %w", name, org, ErrNotFound)
		}
		id = WorkspaceIdentity{Organization: *o, Workspace: *w}
		if p, ok := st.Projects[w.ProjectID]; ok {
			id.Project = *p
		}
		return nil
	})
	return id, err
}
