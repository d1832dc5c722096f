package emulator

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStateFsyncModes: with either policy a write is in the log file
// (written to the kernel) when its response comes back, which is what
// kill -9 cannot take away; with "always" it is fsynced by then too, and
// with "background" (the default) the syncer fsyncs it soon after. A
// policy with another name is refused.
func TestStateFsyncModes(t *testing.T) {
	for _, tc := range []struct {
		mode       string
		syncedNow  bool
		wantPolicy string
	}{
		{"", false, StateFsyncBackground},
		{StateFsyncBackground, false, StateFsyncBackground},
		{StateFsyncAlways, true, StateFsyncAlways},
	} {
		t.Run("mode "+tc.wantPolicy+" from "+tc.mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			e, err := New(Config{StateFile: path, StateFsync: tc.mode, RateLimit: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if e.cfg.StateFsync != tc.wantPolicy || e.persist.fsyncAlways != (tc.wantPolicy == StateFsyncAlways) {
				t.Fatalf("policy %q (always %v), want %q", e.cfg.StateFsync, e.persist.fsyncAlways, tc.wantPolicy)
			}
			for i := range 5 {
				before := e.persist.written.Load()
				req := httptest.NewRequest("POST", "/api/v2/organizations/my-org/workspaces",
					strings.NewReader(`{"data":{"type":"workspaces","attributes":{"name":"fsync-`+string(rune('a'+i))+`"}}}`))
				req.Host = "127.0.0.1:8080"
				req.Header.Set("Authorization", "Bearer "+e.Info().OwnerToken)
				req.Header.Set("Content-Type", "application/vnd.api+json")
				rec := httptest.NewRecorder()
				e.Handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusCreated {
					t.Fatalf("create: %d %s", rec.Code, rec.Body)
				}
				written := e.persist.written.Load()
				if written <= before {
					t.Fatalf("the acknowledged write is not in the log (record %d, before %d)", written, before)
				}
				wal, err := os.ReadFile(walPath(path))
				if err != nil || !strings.Contains(string(wal), "fsync-"+string(rune('a'+i))) {
					t.Fatalf("the log file lacks the acknowledged workspace: %v", err)
				}
				if tc.syncedNow && e.persist.synced.Load() < written {
					t.Fatalf("always: record %d acknowledged before its fsync (synced %d)", written, e.persist.synced.Load())
				}
			}
			// The background syncer catches up (no time is asserted: the
			// count only bounds a hang).
			want := e.persist.written.Load()
			for i := 0; e.persist.synced.Load() < want; i++ {
				if i == 60000 {
					t.Fatalf("the log was never fsynced: synced %d, written %d", e.persist.synced.Load(), want)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	if _, err := New(Config{StateFile: filepath.Join(t.TempDir(), "s.json"), StateFsync: "sometimes"}); err == nil || !strings.Contains(err.Error(), "sometimes") {
		t.Fatalf("an unknown policy: %v, want refused", err)
	}
}
