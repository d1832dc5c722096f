package admin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/clock"
)

// start is the virtual time every test begins at.
var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const issuerURL = "https://tfcemu.test"

// adminEnv is an emulator reached through its public TFC handler, as
// `tfcemu agent` and the features reach the admin API, with one step method
// per admin path.
type adminEnv struct {
	t     testing.TB
	e     *emulator.Emulator
	clock *clock.Clock
}

func newAdminEnv(t testing.TB) *adminEnv {
	t.Helper()
	c := clock.NewAt(start)
	e, err := emulator.New(emulator.Config{ExternalURL: issuerURL, Clock: c, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return &adminEnv{t: t, e: e, clock: c}
}

// call sends a request to the TFC listener's handler and returns the
// status and body; out, when set, receives the decoded JSON body.
func (a *adminEnv) call(method, path, body string, out any) (int, string) {
	a.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Host = "127.0.0.1:8080" // a loopback client, as the listeners admit
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+a.e.Info().OwnerToken)
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	rec := httptest.NewRecorder()
	a.e.Handler().ServeHTTP(rec, req)
	if out != nil && rec.Code < 300 {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			a.t.Fatalf("%s %s: %d %q is not the expected JSON: %v", method, path, rec.Code, rec.Body.String(), err)
		}
	}
	return rec.Code, rec.Body.String()
}

// admin calls an admin route and checks its status.
func (a *adminEnv) admin(method, path, body string, want int, out any) string {
	a.t.Helper()
	code, got := a.call(method, admin.Prefix+path, body, out)
	if code != want {
		a.t.Fatalf("%s %s%s %s: status %d, want %d: %s", method, admin.Prefix, path, body, code, want, got)
	}
	return got
}

// refused checks an admin route refuses body with 400 and exactly msg.
func (a *adminEnv) refused(method, path, body, msg string) {
	a.t.Helper()
	got := a.admin(method, path, body, http.StatusBadRequest, nil)
	want, _ := json.Marshal(admin.Error{Error: msg})
	if strings.TrimSpace(got) != string(want) {
		a.t.Errorf("%s %s %s:\n got %s\nwant %s", method, path, body, strings.TrimSpace(got), want)
	}
}

// adminJSON calls an admin route, checks its status and decodes its body.
func adminJSON[T any](a *adminEnv, method, path, body string, want int) T {
	a.t.Helper()
	var out T
	a.admin(method, path, body, want, &out)
	return out
}

func (a *adminEnv) health() admin.Health {
	return adminJSON[admin.Health](a, "GET", "/health", "", http.StatusOK)
}

func (a *adminEnv) getClock() admin.ClockState {
	return adminJSON[admin.ClockState](a, "GET", "/clock", "", http.StatusOK)
}

func (a *adminEnv) postClock(body string) admin.ClockState {
	return adminJSON[admin.ClockState](a, "POST", "/clock", body, http.StatusOK)
}

func (a *adminEnv) keys() admin.Keys {
	return adminJSON[admin.Keys](a, "GET", "/keys", "", http.StatusOK)
}

func (a *adminEnv) rotateKeys(body string) admin.Keys {
	return adminJSON[admin.Keys](a, "POST", "/keys/rotate", body, http.StatusOK)
}

func (a *adminEnv) mintToken(req admin.TokenRequest) admin.TokenResponse {
	b, _ := json.Marshal(req)
	return adminJSON[admin.TokenResponse](a, "POST", "/workload-identity-tokens", string(b), http.StatusCreated)
}

func (a *adminEnv) snapshot() string {
	return a.admin("GET", "/snapshot", "", http.StatusOK, nil)
}

// service is one service's part of the snapshot.
func (a *adminEnv) service(name string) string {
	a.t.Helper()
	var doc struct{ Services map[string]json.RawMessage }
	if err := json.Unmarshal([]byte(a.snapshot()), &doc); err != nil {
		a.t.Fatal(err)
	}
	return string(doc.Services[name])
}

func (a *adminEnv) putSnapshot(body string) {
	a.t.Helper()
	a.admin("PUT", "/snapshot", body, http.StatusNoContent, nil)
}

func (a *adminEnv) addFault(body string) admin.Fault {
	return adminJSON[admin.Fault](a, "POST", "/faults", body, http.StatusCreated)
}

func (a *adminEnv) faults() []admin.Fault {
	return adminJSON[struct{ Faults []admin.Fault }](a, "GET", "/faults", "", http.StatusOK).Faults
}

// organizationStatus is the TFC answer for GET organization name.
func (a *adminEnv) organizationStatus(name string) int {
	code, _ := a.call("GET", "/api/v2/organizations/"+name, "", nil)
	return code
}

func TestHealth(t *testing.T) {
	a := newAdminEnv(t)
	h := a.health()
	if h.Status != "ok" || h.Issuer != issuerURL || h.Now != start.Format(time.RFC3339Nano) {
		t.Fatalf("health = %+v", h)
	}
	if h.Services["tfc"] != issuerURL {
		t.Errorf("health services = %v, want tfc at %s", h.Services, issuerURL)
	}
}

func TestUnknownAdminRouteIs404(t *testing.T) {
	a := newAdminEnv(t)
	var e admin.Error
	body := a.admin("GET", "/no-such-route", "", http.StatusNotFound, nil)
	if err := json.Unmarshal([]byte(body), &e); err != nil || !strings.Contains(e.Error, "/_emulator/no-such-route") {
		t.Fatalf("404 body %q", body)
	}
}

func TestClockFreezeSetAdvanceResume(t *testing.T) {
	a := newAdminEnv(t)
	at := func(d time.Duration) string { return start.Add(d).Format(time.RFC3339Nano) }
	for _, step := range []struct {
		body   string
		now    string // "" when the clock runs and now is not exact
		frozen bool
		offset string
	}{
		{`{"advance":"10m"}`, at(10 * time.Minute), true, ""},
		{`{"set":"2026-03-02T00:00:00Z"}`, "2026-03-02T00:00:00Z", true, ""},
		{`{"advance":"1h30m","freeze":true}`, "2026-03-02T01:30:00Z", true, ""},
		{`{"resume":true}`, "", false, ""},
		{`{"freeze":true,"set":"2026-04-01T00:00:00.5Z"}`, "2026-04-01T00:00:00.5Z", true, ""},
		{`{"freeze":false}`, "", false, ""},
		{`{"resume":false,"set":"2026-05-01T00:00:00Z"}`, "2026-05-01T00:00:00Z", true, ""},
	} {
		got := a.postClock(step.body)
		if got.Frozen != step.frozen || step.now != "" && got.Now != step.now {
			t.Fatalf("POST /clock %s = %+v, want now %q frozen %v", step.body, got, step.now, step.frozen)
		}
		if _, err := time.ParseDuration(got.Offset); err != nil {
			t.Errorf("offset %q is not a Go duration", got.Offset)
		}
		if g := a.getClock(); g.Frozen != got.Frozen || got.Frozen && g.Now != got.Now {
			t.Errorf("GET /clock = %+v after POST answered %+v", g, got)
		}
	}
}

func TestClockRefusalsChangeNothing(t *testing.T) {
	a := newAdminEnv(t)
	before := a.getClock()
	for _, tc := range []struct{ body, msg string }{
		{``, "a JSON object body is required"},
		{`{}`, `nothing to do: give "advance" (a duration such as "10m"), "set" (RFC 3339), "freeze" or "resume"`},
		{`{"advance":"soon"}`, `"advance": "soon" is not a duration such as "90s", "10m" or "1h30m"`},
		{`{"advance":"-1m"}`, `"advance": "-1m" is negative; use "set" to go back in time`},
		{`{"set":"tomorrow","freeze":true}`, `"set": "tomorrow" is not an RFC 3339 time such as "2026-01-02T15:04:05Z"`},
		{`{"freeze":true,"resume":true}`, `"freeze" and "resume" contradict each other`},
		{`{"advance":"1m","rewind":"1m"}`, `invalid JSON body: unknown field "rewind"`},
		{`{"advance":60}`, `field "advance" must be string, not number`},
		{`{"advance":"1m"} {"advance":"1m"}`, "invalid JSON body: more than one value"},
		{`{"set":"9999-01-01T00:00:00Z"}`, `"set": "9999-01-01T00:00:00Z" is out of range: the virtual time must stay within about 292 years of real time`},
		{`{"set":"0001-01-01T00:00:00Z","freeze":false}`, `"set": "0001-01-01T00:00:00Z" is out of range: the virtual time must stay within about 292 years of real time`},
		{`{"advance":"2562047h","set":"2300-01-01T00:00:00Z"}`, `"advance": "2562047h" after "set" would take the clock out of range: the virtual time must stay within about 292 years of real time`},
	} {
		a.refused("POST", "/clock", tc.body, tc.msg)
	}
	if after := a.getClock(); after != before {
		t.Fatalf("a refused request moved the clock: %+v, was %+v", after, before)
	}
}

// TestClockAdvanceOverflow: the longest advance twice would wrap the
// clock's offset and move it backwards; the second is a 400 and the clock
// stays where the first left it.
func TestClockAdvanceOverflow(t *testing.T) {
	a := newAdminEnv(t)
	first := a.postClock(`{"advance":"2562047h"}`)
	a.refused("POST", "/clock", `{"advance":"2562047h"}`, `"advance": "2562047h" would take the clock out of range: the virtual time must stay within about 292 years of real time`)
	a.refused("POST", "/clock", `{"advance":"2562047h","resume":true}`, `"advance": "2562047h" would take the clock out of range: the virtual time must stay within about 292 years of real time`)
	if after := a.getClock(); after != first {
		t.Fatalf("a refused advance moved the clock: %+v, was %+v", after, first)
	}
	if now, _ := time.Parse(time.RFC3339Nano, first.Now); !now.After(start) {
		t.Fatalf("the first advance took the clock to %s", first.Now)
	}
}

// TestOversizedBodyIs413: the admin API refuses a body over its limit with
// 413, as TFC and Vault do, and changes nothing.
func TestOversizedBodyIs413(t *testing.T) {
	a := newAdminEnv(t)
	before := a.getClock()
	big := `{"advance":"1m","x":"` + strings.Repeat("a", admin.MaxBodyBytes) + `"}`
	got := a.admin("POST", "/clock", big, http.StatusRequestEntityTooLarge, nil)
	want, _ := json.Marshal(admin.Error{Error: "request bodies are limited to 1048576 bytes"})
	if strings.TrimSpace(got) != string(want) {
		t.Fatalf("body %s, want %s", got, want)
	}
	if after := a.getClock(); after != before {
		t.Fatalf("an oversized request moved the clock: %+v, was %+v", after, before)
	}
}

func TestKeysRotate(t *testing.T) {
	a := newAdminEnv(t)
	first := a.keys()
	if len(first.KeyIDs) != 1 || first.Active != first.KeyIDs[0] {
		t.Fatalf("keys at start = %+v", first)
	}
	rotated := a.rotateKeys("")
	if len(rotated.KeyIDs) != 2 || rotated.KeyIDs[0] != first.Active || rotated.Active != rotated.KeyIDs[1] || rotated.Active == first.Active {
		t.Fatalf("after rotation = %+v (was %+v)", rotated, first)
	}
	if again := a.rotateKeys("{}"); len(again.KeyIDs) != 3 {
		t.Fatalf("rotate with {} = %+v", again)
	}
	a.refused("POST", "/keys/rotate", `{"kid":"mine"}`, `invalid JSON body: unknown field "kid"`)
	if k := a.keys(); len(k.KeyIDs) != 3 {
		t.Fatalf("a refused rotation changed the keys: %+v", k)
	}
	// A token names the active key.
	tok := a.mintToken(admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "aud"})
	if tok.KeyID != a.keys().Active {
		t.Errorf("token kid %s, active key %s", tok.KeyID, a.keys().Active)
	}
}

func TestWorkloadIdentityTokenRefusals(t *testing.T) {
	a := newAdminEnv(t)
	for _, tc := range []struct {
		name, body string
		status     int
		msg        string
	}{
		{"no body", ``, 400, "a JSON object body is required"},
		{"no organization", `{"workspace":"my-workspace","phase":"plan","audience":"a"}`, 400, `"organization" is required`},
		{"no audience", `{"organization":"my-org","workspace":"my-workspace","phase":"plan"}`, 400, `"audience" is required and must not be empty`},
		{"neither workspace nor module", `{"organization":"my-org","audience":"a"}`, 400, `give exactly one of "workspace" (a workspace run token) or "module" (a module test token)`},
		{"both workspace and module", `{"organization":"my-org","workspace":"my-workspace","module":"m","audience":"a"}`, 400, `give exactly one of "workspace" (a workspace run token) or "module" (a module test token)`},
		{"workspace run without a phase", `{"organization":"my-org","workspace":"my-workspace","audience":"a"}`, 400, `"phase": phase must be "plan" or "apply"`},
		{"workspace run in another phase", `{"organization":"my-org","workspace":"my-workspace","phase":"destroy","audience":"a"}`, 400, `"phase": phase must be "plan" or "apply"`},
		{"module test token for apply", `{"organization":"my-org","module":"m","phase":"apply","audience":"a"}`, 400, `"phase": module test tokens are always for phase "plan"`},
		{"the wrong project", `{"organization":"my-org","project":"Other","workspace":"my-workspace","phase":"plan","audience":"a"}`, 400, `workspace my-workspace is in project "Default Project", not "Other"`},
		{"unknown field", `{"organization":"my-org","workspace":"my-workspace","phase":"plan","audience":"a","ttl":60}`, 400, `invalid JSON body: unknown field "ttl"`},
		{"unknown organization", `{"organization":"no-org","module":"m","audience":"a"}`, 404, `organization "no-org": not found`},
		{"unknown workspace", `{"organization":"my-org","workspace":"no-ws","phase":"apply","audience":"a"}`, 404, `workspace "no-ws" in organization "my-org": not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := a.admin("POST", "/workload-identity-tokens", tc.body, tc.status, nil)
			want, _ := json.Marshal(admin.Error{Error: tc.msg})
			if strings.TrimSpace(got) != string(want) {
				t.Errorf("got %s, want %s", strings.TrimSpace(got), want)
			}
		})
	}
	// The same requests, made whole, mint.
	for _, req := range []admin.TokenRequest{
		{Organization: "my-org", Project: "Default Project", Workspace: "my-workspace", Phase: "apply", Audience: "a", RunID: "run-fixed"},
		{Organization: "my-org", Module: "m", Audience: "a"},
	} {
		tok := a.mintToken(req)
		if strings.Count(tok.Token, ".") != 2 || tok.KeyID == "" {
			t.Errorf("minted %+v", tok)
		}
	}
}

func TestSnapshotRestoreRollsBack(t *testing.T) {
	a := newAdminEnv(t)
	saved := a.snapshot()
	var doc struct {
		Version  int
		Services map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(saved), &doc); err != nil || doc.Services["tfc"] == nil || doc.Services["identity"] == nil {
		t.Fatalf("snapshot %.200s: %v", saved, err)
	}
	// Change the keys and TFC.
	a.rotateKeys("")
	if code, body := a.call("POST", "/api/v2/organizations", `{"data":{"type":"organizations","attributes":{"name":"later-org","email":"a@example.com"}}}`, nil); code != http.StatusCreated {
		t.Fatalf("create organization: %d %s", code, body)
	}
	changedKeys := a.service("identity")

	// A refused snapshot changes nothing, even when a part of it was good:
	// the identity part loads first and is put back.
	var bad map[string]any
	_ = json.Unmarshal([]byte(saved), &bad)
	bad["services"].(map[string]any)["tfc"] = "not a TFC state"
	badBody, _ := json.Marshal(bad)
	for _, body := range []string{string(badBody), `{"version":999,"services":{}}`, `{"version":1,"services":{"ldap":{}}}`, `[]`} {
		code, got := a.call("PUT", admin.Prefix+"/snapshot", body, nil)
		var e admin.Error
		if code != http.StatusBadRequest || json.Unmarshal([]byte(got), &e) != nil || !strings.HasPrefix(e.Error, "snapshot not restored, state unchanged: ") {
			t.Fatalf("PUT %.80s: %d %s", body, code, got)
		}
	}
	if len(a.keys().KeyIDs) != 2 || a.organizationStatus("later-org") != http.StatusOK {
		t.Fatal("a refused snapshot changed the state")
	}
	if now := a.service("identity"); now != changedKeys {
		t.Fatal("a refused snapshot changed the signing keys")
	}

	// The saved snapshot rolls both back.
	a.putSnapshot(saved)
	if k := a.keys(); len(k.KeyIDs) != 1 {
		t.Errorf("keys after restore = %+v", k)
	}
	if code := a.organizationStatus("later-org"); code != http.StatusNotFound {
		t.Errorf("organization created after the snapshot: %d after restore, want 404", code)
	}
	if a.service("identity") != string(doc.Services["identity"]) {
		t.Error("the restored keys do not snapshot as they were saved")
	}
}

func TestFaults(t *testing.T) {
	a := newAdminEnv(t)
	ping := func() int { code, _ := a.call("GET", "/api/v2/ping", "", nil); return code }
	healthy := ping()
	f := a.addFault(`{"method":"GET","path_prefix":"/api/v2/ping","status":503,"count":1}`)
	if !strings.HasPrefix(f.ID, "fault-") || f.Status != 503 || f.Count != 1 {
		t.Fatalf("added %+v", f)
	}
	if list := a.faults(); len(list) != 1 || list[0].ID != f.ID {
		t.Fatalf("faults = %+v", list)
	}
	if got := ping(); got != http.StatusServiceUnavailable {
		t.Fatalf("ping under the fault: %d, want 503", got)
	}
	if got := ping(); got != healthy {
		t.Fatalf("ping after the fault's one hit: %d, want %d", got, healthy)
	}

	for _, tc := range []struct{ body, msg string }{
		{`{"id":"fault-mine","path_prefix":"/api","status":500}`, `"id" is assigned by the emulator`},
		{`{"path_prefix":"api/v2","status":500}`, `"path_prefix" must start with /, e.g. /api/v2/organizations`},
		{`{"path_prefix":"/_emulator/health","status":500}`, "faults cannot be injected into the admin API"},
		{`{"path_prefix":"/api","status":200}`, `"status" must be an error status, 400 to 599`},
		{`{"path_prefix":"/api","latency":"1h"}`, `"latency" "1h" must be a duration between 0 and 30s`},
		{`{"path_prefix":"/api"}`, `give "status", "latency" or both`},
		{`{"path_prefix":"/api","status":500,"count":-1}`, `"count" must not be negative (0 means every matching request)`},
		{`{"path_prefix":"/api","status":"500"}`, `field "status" must be int, not string`},
	} {
		a.refused("POST", "/faults", tc.body, tc.msg)
	}

	second := a.addFault(`{"path_prefix":"/api/v2/organizations","status":429}`)
	third := a.addFault(`{"path_prefix":"/v1/","latency":"1ms"}`)
	body := a.admin("DELETE", "/faults/fault-unknown", "", http.StatusNotFound, nil)
	if strings.TrimSpace(body) != `{"error":"no fault fault-unknown"}` {
		t.Errorf("delete unknown fault: %s", body)
	}
	a.admin("DELETE", "/faults/"+second.ID, "", http.StatusNoContent, nil)
	// The first fault is gone: its one hit is spent.
	if list := a.faults(); len(list) != 1 || list[0].ID != third.ID {
		t.Fatalf("after deleting %s: %+v", second.ID, list)
	}
	a.admin("DELETE", "/faults", "", http.StatusNoContent, nil)
	if list := a.faults(); len(list) != 0 {
		t.Fatalf("after deleting all: %+v", list)
	}
	if got := ping(); got != healthy {
		t.Fatalf("ping with no faults: %d, want %d", got, healthy)
	}
}

// TestSnapshotPutOverOneMiB: a snapshot over the 1 MiB body limit of the
// other admin routes is PUT back (it has a limit of its own), and one over
// that limit is a 413 that changes nothing.
func TestSnapshotPutOverOneMiB(t *testing.T) {
	a := newAdminEnv(t)
	saved := a.admin("GET", "/snapshot", "", http.StatusOK, nil)
	big := saved[:len(saved)-1] + strings.Repeat(" ", admin.MaxBodyBytes+1) + "}"
	a.admin("POST", "/clock", `{"advance":"1h"}`, http.StatusOK, nil)
	moved := a.getClock()
	a.admin("PUT", "/snapshot", big, http.StatusNoContent, nil)
	if back := a.getClock(); back == moved {
		t.Fatalf("the big snapshot did not restore the clock: %+v", back)
	}

	obs := &countingObserve{}
	api := admin.New(admin.Config{Observe: obs, MaxSnapshotBytes: 64})
	req := httptest.NewRequest("PUT", admin.Prefix+"/snapshot", strings.NewReader(`{"version":1,"services":{}}`+strings.Repeat(" ", 64)))
	rec := httptest.NewRecorder()
	api.Router().ServeHTTP(rec, req)
	want, _ := json.Marshal(admin.Error{Error: "request bodies are limited to 64 bytes"})
	if rec.Code != http.StatusRequestEntityTooLarge || strings.TrimSpace(rec.Body.String()) != string(want) || obs.restores != 0 {
		t.Fatalf("over the snapshot limit: %d %s, %d restores", rec.Code, rec.Body, obs.restores)
	}
}

// countingObserve is an Observability that counts restores.
type countingObserve struct{ restores int }

func (*countingObserve) JournalEntries(int, bool) any                { return nil }
func (*countingObserve) ClearJournal()                               {}
func (*countingObserve) AddFault(f admin.Fault) (admin.Fault, error) { return f, nil }
func (*countingObserve) Faults() []admin.Fault                       { return nil }
func (*countingObserve) DeleteFault(string) bool                     { return false }
func (*countingObserve) Snapshot() (json.RawMessage, error)          { return nil, nil }
func (o *countingObserve) Restore(json.RawMessage) error             { o.restores++; return nil }
