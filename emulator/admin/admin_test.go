package admin_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// fakeIssuer is the issuer the admin API sees: one key until rotated.
type fakeIssuer struct {
	admin.Issuer
	kids []string
}

func (f *fakeIssuer) URL() string      { return "https://issuer.example" }
func (f *fakeIssuer) KeyIDs() []string { return f.kids }
func (f *fakeIssuer) RotateKey() (string, error) {
	f.kids = append(f.kids, "kid-2")
	return "kid-2", nil
}

// fakeRuns knows one run, run-1, whose plan log has two lines.
type fakeRuns struct{ admin.Runs }

func (fakeRuns) PhaseEnvironmentOf(id, phase string) (tfc.RunView, *tfc.PhaseEnvironment, []string, error) {
	if id != "run-1" {
		return tfc.RunView{}, nil, nil, tfc.ErrNotFound
	}
	return tfc.RunView{}, nil, []string{"line 1", "line 2"}, nil
}

// testEnv is the admin API behind a listener router, as the emulator
// mounts it, with one step method per path.
type testEnv struct {
	t     *testing.T
	url   string
	clock *clock.Clock
	reset int
}

func newTestEnv(t *testing.T) *testEnv {
	env := &testEnv{t: t, clock: clock.NewAt(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}
	api := admin.New(admin.Config{Clock: env.clock, Issuer: &fakeIssuer{kids: []string{"kid-1"}}, Runs: fakeRuns{},
		Reset: func() { env.reset++ }})
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

func (env *testEnv) health() {
	env.want("GET", "/_emulator/health", "", 200, "application/json",
		`{"status":"ok","issuer":"https://issuer.example","now":"2026-01-02T03:04:05Z"}`+"\n")
}

func (env *testEnv) clockAdvance() {
	env.want("POST", "/_emulator/clock", `{"advance":"1h"}`, 200, "application/json",
		`{"now":"2026-01-02T04:04:05Z","frozen":true,"offset":"`+env.clock.State().Offset.String()+`"}`+"\n")
	env.want("POST", "/_emulator/clock", `{}`, 400, "application/json",
		`{"error":"nothing to do: give \"advance\" (a duration such as \"10m\"), \"set\" (RFC 3339), \"freeze\" or \"resume\""}`+"\n")
}

func (env *testEnv) keysRotate() {
	env.want("POST", "/_emulator/keys/rotate", "", 200, "application/json", `{"active":"kid-2","kids":["kid-1","kid-2"]}`+"\n")
}

func (env *testEnv) resetAll() {
	env.want("POST", "/_emulator/reset", "", 200, "application/json", `{"status":"reset"}`+"\n")
	if env.reset != 1 {
		env.t.Fatalf("reset called %d times", env.reset)
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

// TestAdminAPI walks the admin API's paths, one step each.
func TestAdminAPI(t *testing.T) {
	env := newTestEnv(t)
	env.health()
	env.clock.Freeze()
	env.clockAdvance()
	env.keysRotate()
	env.resetAll()
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
