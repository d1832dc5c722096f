package tfc

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestIndexesMatchAFullScan runs random creates, renames, deletes, locks,
// variable writes, organization renames and snapshot restores through the
// API, and after each checks every index against a full scan of the
// State.
func TestIndexesMatchAFullScan(t *testing.T) {
	s, owner := newTestService(t)
	rng := rand.New(rand.NewPCG(1, 2))
	org := "my-org"
	do := func(method, path, body string) int {
		req := httptest.NewRequest(method, apiPrefix+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+owner)
		req.Header.Set("Content-Type", MediaType)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		return rec.Code
	}
	name := func() string { return fmt.Sprintf("ws-%d", rng.IntN(40)) }
	var prj *Project
	var team *Team
	pick := func() (ws *Workspace, v *Variable) {
		_ = s.store.View(func(st *State) error {
			prj, team = nil, nil
			if ps := sortedBySeq(st.Projects, nil); len(ps) > 0 {
				prj = ps[rng.IntN(len(ps))]
			}
			if ts := sortedBySeq(st.Teams, nil); len(ts) > 0 {
				team = ts[rng.IntN(len(ts))]
			}
			all := sortedBySeq(st.Workspaces, nil)
			if len(all) > 0 {
				ws = all[rng.IntN(len(all))]
			}
			vars := sortedBySeq(st.Vars, func(v *Variable) bool { return v.WorkspaceID != "" })
			if len(vars) > 0 {
				v = vars[rng.IntN(len(vars))]
			}
			return nil
		})
		return ws, v
	}
	for i := range 1500 {
		ws, v := pick()
		switch op := rng.IntN(14); {
		case op == 10:
			do("POST", "/organizations/"+org+"/projects", `{"data":{"type":"projects","attributes":{"name":"`+strings.ToUpper(name())+`"}}}`)
		case op == 11 && prj != nil:
			if rng.IntN(3) == 0 {
				do("DELETE", "/projects/"+prj.ID, "")
			} else {
				do("PATCH", "/projects/"+prj.ID, `{"data":{"type":"projects","attributes":{"name":"`+name()+`"}}}`)
			}
		case op == 12:
			do("POST", "/organizations/"+org+"/teams", `{"data":{"type":"teams","attributes":{"name":"`+name()+`"}}}`)
		case op == 13 && team != nil:
			if rng.IntN(3) == 0 {
				do("DELETE", "/teams/"+team.ID, "")
			} else {
				do("PATCH", "/teams/"+team.ID, `{"data":{"type":"teams","attributes":{"name":"`+strings.ToUpper(name())+`"}}}`)
			}
		case op < 3:
			do("POST", "/organizations/"+org+"/workspaces", `{"data":{"type":"workspaces","attributes":{"name":"`+name()+`"}}}`)
		case op == 3 && ws != nil:
			do("PATCH", "/workspaces/"+ws.ID, `{"data":{"type":"workspaces","attributes":{"name":"`+name()+`"}}}`)
		case op == 4 && ws != nil:
			do("DELETE", "/workspaces/"+ws.ID, "")
		case op == 5 && ws != nil:
			do("POST", "/workspaces/"+ws.ID+"/actions/"+[]string{"lock", "unlock", "force-unlock"}[rng.IntN(3)], "")
		case op == 6 && ws != nil:
			do("POST", "/workspaces/"+ws.ID+"/vars", fmt.Sprintf(`{"data":{"type":"vars","attributes":{"key":"k%d","value":"v","category":"terraform"}}}`, rng.IntN(5)))
		case op == 7 && v != nil:
			do("DELETE", "/workspaces/"+v.WorkspaceID+"/vars/"+v.ID, "")
		case op == 8 && i%20 == 0:
			next := map[string]string{"my-org": "other-org", "other-org": "my-org"}[org]
			if do("PATCH", "/organizations/"+org, `{"data":{"type":"organizations","attributes":{"name":"`+next+`"}}}`) == http.StatusOK {
				org = next
			}
		case op == 9 && i%50 == 0:
			raw, err := s.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Restore(raw); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.store.View(checkIndexes); err != nil {
			t.Fatalf("after operation %d: %v", i, err)
		}
	}
	var n, np, nt int
	_ = s.store.View(func(st *State) error { n, np, nt = len(st.Workspaces), len(st.Projects), len(st.Teams); return nil })
	if n < 10 || np < 10 || nt < 10 {
		t.Fatalf("only %d workspaces, %d projects, %d teams: the operations did too little", n, np, nt)
	}
}

// checkIndexes compares each index with a full scan.
func checkIndexes(st *State) error {
	for _, w := range st.Workspaces {
		if got, ok := st.workspaceByName(w.Org, w.Name); !ok || got != w {
			return fmt.Errorf("workspace %s/%s: index finds %v", w.Org, w.Name, got)
		}
		want := sortedBySeq(st.Vars, func(v *Variable) bool { return v.WorkspaceID == w.ID })
		if got := st.workspaceVars(w.ID); !slices.Equal(got, want) {
			return fmt.Errorf("workspace %s: variables %d, scan %d", w.ID, len(got), len(want))
		}
	}
	for i := range 40 {
		name := fmt.Sprintf("ws-%d", i)
		for _, org := range []string{"my-org", "other-org"} {
			_, found := st.workspaceByName(org, name)
			if found != anyOf(st.Workspaces, func(w *Workspace) bool { return w.Org == org && w.Name == name }) {
				return fmt.Errorf("workspace %s/%s: index says found=%v", org, name, found)
			}
		}
	}
	for _, o := range st.Orgs {
		var got []*Workspace
		st.workspacesInOrder(o.Name, func(w *Workspace) bool { got = append(got, w); return true })
		if want := sortedBySeq(st.Workspaces, func(w *Workspace) bool { return w.Org == o.Name }); !slices.Equal(got, want) {
			return fmt.Errorf("organization %s: %d workspaces in order, scan %d", o.Name, len(got), len(want))
		}
	}
	for _, p := range st.Projects {
		if !st.projectNameTaken(p.Org, strings.ToUpper(p.Name), "") {
			return fmt.Errorf("project %s %q: the name index misses it", p.ID, p.Name)
		}
	}
	for _, t := range st.Teams {
		if !st.teamNameTaken(t.Org, strings.ToLower(t.Name), "") {
			return fmt.Errorf("team %s %q: the name index misses it", t.ID, t.Name)
		}
	}
	for _, m := range st.Modules {
		if got, ok := st.moduleByPath(m.Org, m.RegistryName, m.Namespace, m.Name, m.Provider); !ok || got != m {
			return fmt.Errorf("module %s: the index finds %v", m.ID, got)
		}
	}
	for i := range 40 {
		name := fmt.Sprintf("ws-%d", i)
		for _, org := range []string{"my-org", "other-org"} {
			want := anyOf(st.Projects, func(p *Project) bool { return p.Org == org && strings.EqualFold(p.Name, name) })
			if st.projectNameTaken(org, name, "") != want {
				return fmt.Errorf("project %s/%s: index says taken=%v", org, name, !want)
			}
			want = anyOf(st.Teams, func(t *Team) bool { return t.Org == org && strings.EqualFold(t.Name, name) })
			if st.teamNameTaken(org, name, "") != want {
				return fmt.Errorf("team %s/%s: index says taken=%v", org, name, !want)
			}
		}
	}
	locked := map[string]bool{}
	st.lockedWorkspaces(func(w *Workspace) { locked[w.ID] = true })
	for _, w := range st.Workspaces {
		if locked[w.ID] != w.Locked {
			return fmt.Errorf("workspace %s: locked %v, index %v", w.ID, w.Locked, locked[w.ID])
		}
	}
	return nil
}
