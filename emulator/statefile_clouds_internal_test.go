package emulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator/clouds/azure"
)

// TestCloudsCountTheirChanges: a cloud's generation stays the same through
// a TFC write and its own snapshot (so the state file's save skips the
// cloud), and moves with each change through its admin API, whose save
// the log keeps across a crash.
func TestCloudsCountTheirChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := startWithStateFile(t, path)
	do := func(e *Emulator, method, path, body string) int {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Host = "127.0.0.1:8080"
		req.Header.Set("Authorization", "Bearer "+e.Info().OwnerToken)
		req.Header.Set("Content-Type", "application/vnd.api+json")
		rec := httptest.NewRecorder()
		e.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	gens := func() map[string]uint64 {
		out := map[string]uint64{}
		for _, c := range e.clouds {
			out[c.name] = c.svc.(generationer).Generation()
		}
		return out
	}
	before := gens()
	if code := do(e, "POST", "/api/v2/organizations/my-org/workspaces", `{"data":{"type":"workspaces","attributes":{"name":"counted"}}}`); code != http.StatusCreated {
		t.Fatalf("workspace create: %d", code)
	}
	for _, c := range e.clouds {
		if _, err := c.svc.Snapshot(); err != nil {
			t.Fatal(err)
		}
	}
	if after := gens(); len(after) != 3 || after["aws"] != before["aws"] || after["gcp"] != before["gcp"] || after["azure"] != before["azure"] {
		t.Fatalf("a TFC write and the snapshots moved the clouds' generations: %v -> %v", before, after)
	}
	changes := []struct{ cloud, path string }{
		{"aws", "/_emulator/aws/roles/terraform-module-test-role"},
		{"gcp", "/_emulator/gcp/service-accounts/terraform-module-test-sa@my-project.iam.gserviceaccount.com"},
		{"azure", "/_emulator/azure/tenants/" + azure.DefaultTenant + "/applications/" + azure.DefaultClientID + "/federated-identity-credentials/my-workspace-plan"},
	}
	snaps := map[string][]byte{}
	for _, c := range e.clouds {
		snaps[c.name], _ = c.svc.Snapshot()
	}
	for _, ch := range changes {
		g := gens()
		if code := do(e, "DELETE", ch.path, ""); code >= 300 {
			t.Fatalf("DELETE %s: %d", ch.path, code)
		}
		if now := gens(); now[ch.cloud] == g[ch.cloud] {
			t.Errorf("%s: a deletion left the generation at %d", ch.cloud, g[ch.cloud])
		}
	}
	// The files as a kill -9 leaves them: the deletions are in the log.
	e = startWithStateFile(t, CrashCopy(t, path))
	for _, c := range e.clouds {
		if now, _ := c.svc.Snapshot(); bytes.Equal(now, snaps[c.name]) {
			t.Errorf("%s: the deletion did not survive the restart", c.name)
		}
	}
}
