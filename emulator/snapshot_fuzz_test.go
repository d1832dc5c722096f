package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/clock"
)

// FuzzSnapshotPut feeds arbitrary documents to PUT /_emulator/snapshot: no
// 5xx and no panic; a refused snapshot (400, 413) changes nothing; an
// accepted one reads back as a snapshot that restores again.
func FuzzSnapshotPut(f *testing.F) {
	e, err := emulator.New(emulator.Config{Clock: clock.NewAt(time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)), RateLimit: -1})
	if err != nil {
		f.Fatal(err)
	}
	snapshot := func() []byte {
		b, err := e.Snapshot()
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	good := snapshot()
	f.Add(good)
	var doc map[string]any
	_ = json.Unmarshal(good, &doc)
	services, _ := doc["services"].(map[string]any)
	for name := range services {
		// One section alone, and one section broken.
		one, _ := json.Marshal(map[string]any{"version": 1, "services": map[string]any{name: services[name]}})
		f.Add(one)
		broken, _ := json.Marshal(map[string]any{"version": 1, "services": map[string]any{name: map[string]any{"x": 1}}})
		f.Add(broken)
	}
	for _, s := range []string{``, `{}`, `null`, `[]`, `{"version":1}`, `{"version":2,"services":{}}`, `{"version":1,"services":{"nope":{}}}`,
		`{"version":1,"services":{"clock":{"frozen":true,"frozen_at":"2026-01-01T00:00:00Z"}}}`, `{"version":1,"services":{"tfc":null}}`} {
		f.Add([]byte(s))
	}
	h := e.Handler()
	put := func(body []byte) (int, string) {
		r := httptest.NewRequest("PUT", "/_emulator/snapshot", bytes.NewReader(body))
		r.Host = "127.0.0.1:8080"
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code, rec.Body.String()
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// Each input starts from the same state.
		if code, msg := put(good); code != 204 {
			t.Fatalf("restoring the emulator's own snapshot: %d %s", code, msg)
		}
		before, _ := e.Snapshot()
		code, msg := put(body)
		switch code {
		case 204:
			after, err := e.Snapshot()
			if err != nil {
				t.Fatalf("snapshot after an accepted PUT: %v", err)
			}
			if err := e.Restore(after); err != nil {
				t.Fatalf("the snapshot of an accepted state does not restore: %v", err)
			}
		case 400, 413:
			if !strings.HasPrefix(msg, `{"error":`) {
				t.Fatalf("%d body %s", code, msg)
			}
			if after, _ := e.Snapshot(); !bytes.Equal(after, before) {
				t.Fatalf("a refused snapshot (%d %s) changed the state", code, msg)
			}
		default:
			t.Fatalf("PUT /snapshot %q: %d %s", body, code, msg)
		}
	})
}
