package admin_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// fakeRuns knows one run, run-1, whose plan log has two lines.
type fakeRuns struct{ admin.Runs }

func (fakeRuns) PhaseEnvironmentOf(id, phase string) (tfc.RunView, *tfc.PhaseEnvironment, []string, error) {
	if id != "run-1" {
		return tfc.RunView{}, nil, nil, tfc.ErrNotFound
	}
	return tfc.RunView{}, nil, []string{"line 1", "line 2"}, nil
}

// testEnv is the admin API alone behind a listener router, as the
// emulator mounts it, with fakes behind it and one step method per path.
type testEnv struct {
	t   *testing.T
	url string
}

func newTestEnv(t *testing.T) *testEnv {
	env := &testEnv{t: t}
	api := admin.New(admin.Config{Runs: fakeRuns{}})
	r := routing.NewRouter()
	api.Register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	env.url = srv.URL
	return env
}

// do sends a request and returns status, content type and body.
func (env *testEnv) do(method, path, body string) (int, string, string) {
	env.t.Helper()
	req, _ := http.NewRequest(method, env.url+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		env.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func (env *testEnv) want(method, path, body string, status int, contentType, want string) {
	env.t.Helper()
	got, ct, b := env.do(method, path, body)
	if got != status || ct != contentType || b != want {
		env.t.Fatalf("%s %s: got %d %q %q, want %d %q %q", method, path, got, ct, b, status, contentType, want)
	}
}

func (env *testEnv) runLog() {
	env.want("GET", "/_emulator/runs/run-1/log", "", 200, "text/plain; charset=utf-8", "line 1\nline 2\n")
	// Its errors are the admin API's JSON errors, like every other route's.
	env.want("GET", "/_emulator/runs/run-9/log", "", 404, "application/json", `{"error":"run \"run-9\" not found"}`+"\n")
	env.want("GET", "/_emulator/runs/run-1/log?phase=destroy", "", 400, "application/json",
		`{"error":"\"phase\" must be plan or apply, not \"destroy\""}`+"\n")
}

func (env *testEnv) unrouted() {
	env.want("GET", "/_emulator/nothing", "", 404, "application/json", `{"error":"no admin route GET /_emulator/nothing"}`+"\n")
	env.want("PATCH", "/_emulator/reset", "", 405, "application/json", `{"error":"PATCH is not allowed on /_emulator/reset; allowed: POST"}`+"\n")
}

// TestRunLogAndUnroutedRequests: the run log route's errors and the
// router's 404 and 405 are the admin API's JSON errors.
func TestRunLogAndUnroutedRequests(t *testing.T) {
	env := newTestEnv(t)
	env.runLog()
	env.unrouted()
}

// TestAdminRoutes: the inventory lists every row once, all under Prefix.
func TestAdminRoutes(t *testing.T) {
	api := admin.New(admin.Config{})
	seen := map[string]bool{}
	for _, r := range api.Routes() {
		key := r.Method + " " + r.Path
		if r.API != "admin" || !strings.HasPrefix(r.Path, admin.Prefix+"/") || seen[key] {
			t.Errorf("row %+v", r)
		}
		seen[key] = true
	}
	if !seen["GET /_emulator/runs/{id}/log"] || !seen["DELETE /_emulator/faults/{id}"] {
		t.Fatalf("inventory %v", seen)
	}
}
