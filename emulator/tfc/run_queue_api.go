package tfc

import (
	"net/http"
)

// listRunEvents is GET /runs/:id/run-events. The Terraform CLI reads it
// for policy and task enforcement warnings, which the emulator never
// raises: the list is empty.
func (s *Service) listRunEvents(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		if _, _, err := st.runFor(c.p, c.path("id")); err != nil {
			return nil, err
		}
		return paginate(c.r, []Resource{})
	})
}

// readCapacity is GET /organizations/:org/capacity: the organization's
// executed runs waiting (pending, confirmed) and running (planning,
// applying), which the CLI reads while its run waits.
func (s *Service) readCapacity(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		if _, err := st.orgFor(c.p, c.path("org")); err != nil {
			return nil, err
		}
		var attrs struct {
			Pending int `json:"pending"`
			Running int `json:"running"`
		}
		for _, r := range st.Runs {
			if w := st.Workspaces[r.WorkspaceID]; w == nil || w.Org != c.path("org") || r.ConfigVersionID == "" {
				continue
			}
			switch r.Status {
			case RunPending, RunConfirmed:
				attrs.Pending++
			case RunPlanning, RunApplying:
				attrs.Running++
			}
		}
		return Document{Data: Resource{ID: c.path("org"), Type: "organization-capacity", Attributes: attrs}}, nil
	})
}

// readRunQueue is GET /organizations/:org/runs/queue: the organization's
// pending runs the caller may see, oldest first, with their position.
func (s *Service) readRunQueue(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		if _, err := st.orgFor(c.p, c.path("org")); err != nil {
			return nil, err
		}
		a := st.accessIn(c.p, c.path("org")) // once, not per run
		var all []Resource
		for _, r := range sortedBySeq(st.Runs, func(r *Run) bool { return r.Status == RunPending }) {
			w := st.Workspaces[r.WorkspaceID]
			if w == nil || w.Org != c.path("org") {
				continue
			}
			perms := a.workspace(w)
			if !perms.canRead {
				continue
			}
			res := runResource(r, perms)
			a := res.Attributes.(runAttributes)
			a.PositionInQueue = len(all) + 1
			res.Attributes = a
			all = append(all, res)
		}
		return paginate(c.r, all)
	})
}
