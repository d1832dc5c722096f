package tfc

import (
	"fmt"
	"net/http"
	"slices"
)

// sharesStateWith reports whether w's state may be read from reader:
// w shares it with the whole organization, with reader's project, or names
// reader among its remote state consumers.
func (w *Workspace) sharesStateWith(reader *Workspace) bool {
	return reader.ID == w.ID || w.GlobalRemoteState ||
		(w.ProjectRemoteState && w.ProjectID == reader.ProjectID) ||
		slices.Contains(w.RemoteStateConsumers, reader.ID)
}

// stateAccess decides whether the caller may read w's state. In TFC the
// remote state sharing rules bind a run's token. The emulator has no run
// tokens; the Terraform CLI running locally against a workspace holds that
// workspace's lock for the whole plan or apply, so a caller holding the
// lock of a workspace in w's organization is read as a run of it: w's
// state is theirs only when w shares it with one of the workspaces they
// hold. Otherwise it is the 404 TFC gives (features/deviations.yaml). A
// caller reading its own way in needs the state permission need asks for.
func (st *State) stateAccess(p principal, w *Workspace, need func(workspacePerms) bool) error {
	me := creatorRef(p)
	held, shared := false, false
	st.lockedWorkspaces(func(r *Workspace) {
		if r.Org != w.Org || r.LockedBy == nil || *r.LockedBy != me {
			return
		}
		if w.sharesStateWith(r) {
			shared = true
		}
		held = true
	})
	if shared {
		return nil
	}
	if held || !need(st.workspacePermissions(p, w)) {
		return errNotFound
	}
	return nil
}

// listRemoteStateConsumers is GET /workspaces/:id/relationships/remote-state-consumers.
func (s *Service) listRemoteStateConsumers(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		w, err := st.workspaceFor(c.p, c.workspaceRef())
		if err != nil {
			return nil, err
		}
		all := []Resource{}
		for _, id := range w.RemoteStateConsumers {
			if cw, ok := st.Workspaces[id]; ok {
				all = append(all, st.workspaceResource(cw, c.p))
			}
		}
		return paginate(c.r, all)
	})
}

// writeRemoteStateConsumers is POST (add), DELETE (remove) and PATCH
// (replace) of a workspace's remote state consumers: workspaces of its
// own organization. 204, or a 422 naming the first stranger and no change.
func (s *Service) writeRemoteStateConsumers(method string) handler {
	return func(c *call) (int, any, error) {
		refs, err := decodeRefs(c.r, "workspaces")
		if err != nil {
			return 0, nil, err
		}
		if len(refs) == 0 && method != http.MethodPatch {
			return 0, nil, invalidAttribute("/data", "At least one workspace is required")
		}
		return s.update(http.StatusNoContent, func(st *State) (any, error) {
			w, err := st.writableWorkspace(c.p, c.workspaceRef())
			if err != nil {
				return nil, err
			}
			st.touch("Workspaces", w.ID)
			ids := make([]string, 0, len(refs))
			for i, ref := range refs {
				cw, ok := st.Workspaces[ref.ID]
				if !ok || cw.Org != w.Org {
					return nil, invalidAttribute(fmt.Sprintf("/data/%d/id", i), fmt.Sprintf("Workspace %q was not found in organization %s", ref.ID, w.Org))
				}
				ids = append(ids, ref.ID)
			}
			switch method {
			case http.MethodPost:
				for _, id := range ids {
					if !slices.Contains(w.RemoteStateConsumers, id) {
						w.RemoteStateConsumers = append(w.RemoteStateConsumers, id)
					}
				}
			case http.MethodDelete:
				for _, id := range ids {
					w.RemoteStateConsumers = without(w.RemoteStateConsumers, id)
				}
			default:
				w.RemoteStateConsumers = nil
				for _, id := range ids {
					if !slices.Contains(w.RemoteStateConsumers, id) {
						w.RemoteStateConsumers = append(w.RemoteStateConsumers, id)
					}
				}
			}
			return nil, nil
		})
	}
}
