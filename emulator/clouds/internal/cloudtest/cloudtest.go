// Package cloudtest is what the emulated clouds' tests (aws, gcp, azure)
// share: an emulator issuer on a test server, its workspace-run tokens,
// a cloud's routes served as the clouds listener serves them, and one
// HTTP request. It is for tests only.
package cloudtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/identity"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
)

// Issuer is an emulator issuer on clock c and the httptest server that
// serves its discovery document and JWKS (closed when t ends, or earlier
// to make the issuer unreachable).
func Issuer(t testing.TB, c *clock.Clock) (*identity.Issuer, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	iss, err := identity.New(identity.Config{URL: srv.URL, Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = routing.New(iss.Routes(func(w http.ResponseWriter, err error) { http.Error(w, err.Error(), 500) }), routing.Options{})
	return iss, srv
}

// Mint is a workspace-run token of org's workspace for phase and aud, with
// the seeded organization's, project's and workspace's ids.
func Mint(t testing.TB, iss *identity.Issuer, org, workspace, phase, aud string) string {
	t.Helper()
	tok, err := iss.MintWorkspaceRun(identity.WorkspaceRun{
		Organization: identity.Named{ID: "org-GRNbCjYNpBB6NEH9", Name: org},
		Project:      identity.Named{ID: "prj-vegSA59s1XPwMr2t", Name: "Default Project"},
		Workspace:    identity.Named{ID: "ws-mbsd5E3Ktt5Rg2Xm", Name: workspace},
		RunID:        "run-X3n1AUXNGWbfECsJ", Phase: phase, Audience: aud,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok.JWT
}

// Handler serves a cloud's API at the root and its admin routes under
// /_emulator/<name>, as the clouds listener does.
func Handler(name string, api, admin []routing.Route) http.Handler {
	table := append([]routing.Route{}, api...)
	for _, rt := range admin {
		rt.Path = "/_emulator/" + name + rt.Path
		table = append(table, rt)
	}
	return routing.New(table, routing.Options{})
}

// Do sends method url with body through client, with Content-Type
// contentType when not empty and the header's name, value pairs, and
// returns the status and the body.
func Do(t testing.TB, client *http.Client, method, url, contentType, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Snapshotter is a cloud's snapshot section.
type Snapshotter interface {
	Snapshot() (json.RawMessage, error)
	Restore(json.RawMessage) error
}

// WantRoundTrip fails t unless from's snapshot restores into to and
// snapshots the same again, and each of bad is refused by to's Restore
// with to's state unchanged.
func WantRoundTrip(t testing.TB, from, to Snapshotter, bad ...string) {
	t.Helper()
	snap, err := from.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := to.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if again, _ := to.Snapshot(); string(again) != string(snap) {
		t.Fatalf("round trip:\n%s\n%s", snap, again)
	}
	for _, b := range bad {
		if err := to.Restore(json.RawMessage(b)); err == nil {
			t.Fatalf("restore accepted %s", b)
		}
	}
	if again, _ := to.Snapshot(); string(again) != string(snap) {
		t.Fatalf("a refused restore changed the state:\n%s", again)
	}
}
