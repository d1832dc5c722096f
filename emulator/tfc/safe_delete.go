package tfc

import (
	"net/http"
)

// safeDeleteWorkspace is POST .../actions/safe-delete: a workspace whose
// current state still manages resources, or that is locked, stays, with
// the 409 wording go-tfe maps to ErrWorkspaceNotSafeToDelete and
// ErrWorkspaceLockedCannotDelete; otherwise it goes as DELETE removes it.
func (s *Service) safeDeleteWorkspace(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		w, _, err := st.workspaceWith(c.p, c.workspaceRef(), needDelete)
		if err != nil {
			return nil, err
		}
		if w.Locked {
			return nil, errConflict("Workspace is currently locked. Workspace must be unlocked before it can be safely deleted")
		}
		if st.workspaceResourceCount(w.ID) > 0 {
			return nil, errConflict("workspace cannot be safely deleted because it is still managing resources")
		}
		st.remove("Workspaces", w.ID)
		st.touch("Workspaces", w.ID)
		return nil, nil
	})
}
