package tfc_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

// TestEmptyListsAreArrays: a list with nothing in it is "data": [] (never
// null), with or without pagination, as TFC answers; go-tfe reads it as an
// empty, non-nil page.
func TestEmptyListsAreArrays(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	wl, err := c.Workspaces.List(ctx(), "my-org", &tfe.WorkspaceListOptions{Search: "no-such-workspace-anywhere"})
	if err != nil || wl.Items == nil || len(wl.Items) != 0 || wl.Pagination == nil || wl.TotalCount != 0 {
		t.Fatalf("go-tfe empty workspace list: %+v %v", wl, err)
	}
	for _, path := range []string{
		"/api/v2/organizations/my-org/workspaces?search%5Bname%5D=no-such-workspace-anywhere",
		"/api/v2/organizations/my-org/workspaces?search%5Bname%5D=no-such-workspace-anywhere&page%5Bnumber%5D=5",
		"/api/v2/organizations/my-org/projects?filter%5Bnames%5D=no-such-project",
		"/api/v2/organizations/my-org/teams?filter%5Bnames%5D=no-such-team",
		"/api/v2/organizations/my-org/varsets?q=no-such-varset",
		"/api/v2/organizations/my-org/agent-pools?q=no-such-pool",
	} {
		req, _ := http.NewRequest("GET", e.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+e.owner)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte(`{"data":[]`)) || strings.Contains(string(body), `"data":null`) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
}
