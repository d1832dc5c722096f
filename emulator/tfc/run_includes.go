package tfc

import (
	"net/http"
	"strings"
)

// runIncluded is what GET /runs/:id's ?include=workspace,plan,apply adds
// to the document: the Terraform CLI's cloud backend reads the run with
// its workspace and plan to decide whether to render structured run
// output. Other include values are ignored, as before.
func (s *Service) runIncluded(st *State, r *http.Request, run *Run, perms workspacePerms) []Resource {
	var out []Resource
	seen := map[string]bool{}
	for _, v := range strings.Split(r.URL.Query().Get("include"), ",") {
		if seen[v] {
			continue
		}
		seen[v] = true
		switch v {
		case "workspace":
			if w := st.Workspaces[run.WorkspaceID]; w != nil {
				out = append(out, st.workspaceResourceWith(w, perms))
			}
		case "plan":
			out = append(out, phaseResource(run, run.Plan, s.logURL(r, run.Plan.ID)))
		case "apply":
			out = append(out, phaseResource(run, run.Apply, s.logURL(r, run.Apply.ID)))
		}
	}
	return out
}
