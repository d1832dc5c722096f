package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// send serves one request through h with the owner's (TFC) or root
// (Vault) token and returns the recorder.
func send(t *testing.T, e *Emulator, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host = "127.0.0.1:8080"
	req.Header.Set("Authorization", "Bearer "+e.Info().OwnerToken)
	req.Header.Set("X-Vault-Token", e.Info().VaultToken)
	req.Header.Set("Content-Type", "application/vnd.api+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func workspaceBody(name string) string {
	return `{"data":{"type":"workspaces","attributes":{"name":"` + name + `"}}}`
}

// TestStateFileFailedSaveIsNotAcknowledged: a write whose log record
// cannot be written is answered with TFC's 500, not acknowledged; the
// next save starts over from a whole document (a torn record would hide
// the records after it), and both changes survive a crash.
func TestStateFileFailedSaveIsNotAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := startWithStateFile(t, path)
	good := e.persist.wal
	e.persist.wmu.Lock()
	ro, err := os.Open(walPath(path)) // writes to it fail
	if err != nil {
		t.Fatal(err)
	}
	e.persist.wal = ro
	e.persist.wmu.Unlock()
	rec := send(t, e, e.Handler(), "POST", "/api/v2/organizations/my-org/workspaces", workspaceBody("unsaved"))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "state file: save failed") {
		t.Fatalf("a failed save answered %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.api+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	e.persist.wmu.Lock()
	e.persist.wal = good
	e.persist.wmu.Unlock()
	ro.Close()
	if rec := send(t, e, e.Handler(), "POST", "/api/v2/organizations/my-org/workspaces", workspaceBody("saved")); rec.Code != http.StatusCreated {
		t.Fatalf("the next write: %d %s", rec.Code, rec.Body)
	}
	again := startWithStateFile(t, CrashCopy(t, path))
	for _, name := range []string{"unsaved", "saved"} {
		if rec := send(t, again, again.Handler(), "GET", "/api/v2/organizations/my-org/workspaces/"+name, ""); rec.Code != http.StatusOK {
			t.Fatalf("workspace %s after the crash: %d", name, rec.Code)
		}
	}
}

// TestStateFileVaultReadIsSaved: a creds read is a GET that makes a lease
// (and a TFC token); its response waits for the log like a write's, so
// the lease is there after a kill -9.
func TestStateFileVaultReadIsSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := startWithStateFile(t, path)
	for _, w := range []struct{ path, body string }{
		{"/v1/sys/mounts/terraform", `{"type":"terraform"}`},
		{"/v1/terraform/config", `{"token":"Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}`},
		{"/v1/terraform/role/user", `{"user_id":"user-12345abcde","ttl":"1h"}`},
	} {
		if rec := send(t, e, e.VaultHandler(), "POST", w.path, w.body); rec.Code != http.StatusNoContent {
			t.Fatalf("POST %s: %d %s", w.path, rec.Code, rec.Body)
		}
	}
	rec := send(t, e, e.VaultHandler(), "GET", "/v1/terraform/creds/user", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("creds: %d %s", rec.Code, rec.Body)
	}
	var creds struct {
		LeaseID string `json:"lease_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &creds); err != nil || creds.LeaseID == "" {
		t.Fatalf("creds: %v %s", err, rec.Body)
	}
	again := startWithStateFile(t, CrashCopy(t, path))
	if rec := send(t, again, again.VaultHandler(), "PUT", "/v1/sys/leases/lookup", `{"lease_id":"`+creds.LeaseID+`"}`); rec.Code != http.StatusOK {
		t.Fatalf("the lease after a crash: %d %s", rec.Code, rec.Body)
	}
}

// TestStateFileLogSeqGoesOn: after a start that replays log records, the
// document written at start carries on their numbering.
func TestStateFileLogSeqGoesOn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := startWithStateFile(t, path)
	for _, name := range []string{"a", "b", "c"} {
		if rec := send(t, e, e.Handler(), "POST", "/api/v2/organizations/my-org/workspaces", workspaceBody(name)); rec.Code != http.StatusCreated {
			t.Fatalf("%s: %d", name, rec.Code)
		}
	}
	e.persist.wmu.Lock()
	written := e.persist.seq
	e.persist.wmu.Unlock()
	crash := CrashCopy(t, path)
	startWithStateFile(t, crash)
	b, err := os.ReadFile(crash)
	if err != nil {
		t.Fatal(err)
	}
	var doc stateDocument
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if written < 3 || doc.LogSeq != written {
		t.Fatalf("log_seq %d after replaying records up to %d", doc.LogSeq, written)
	}
}

// TestStateFileClosedRefusesLateChanges: a change asked to be saved after
// close took its final snapshot is refused (503), not acknowledged.
func TestStateFileClosedRefusesLateChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := startWithStateFile(t, path)
	if err := e.persist.close(); err != nil {
		t.Fatal(err)
	}
	if err := e.persist.sync(); !errors.Is(err, errStateFileClosed) {
		t.Fatalf("sync after close = %v", err)
	}
	rec := send(t, e, e.Handler(), "POST", "/api/v2/organizations/my-org/workspaces", workspaceBody("late"))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("a write after close: %d %s", rec.Code, rec.Body)
	}
}
