package emulator_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
)

// postClock moves an emulator's clock through the admin API.
func postClock(t *testing.T, e *emulator.Emulator, body string) admin.ClockState {
	t.Helper()
	code, got, _ := send(t, "POST", e.Info().TFCURL+"/_emulator/clock", "", map[string]string{"Content-Type": "application/json"}, body)
	var st admin.ClockState
	if code != http.StatusOK || json.Unmarshal([]byte(got), &st) != nil {
		t.Fatalf("POST /clock %s: %d %s", body, code, got)
	}
	return st
}

// TestStateFileKeepsTheClock: a frozen virtual clock is frozen at the same
// time after a restart; a running one keeps its offset from real time.
func TestStateFileKeepsTheClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	first := startEmulator(t, emulator.Config{StateFile: path})
	frozen := postClock(t, first, `{"set":"2031-05-06T07:08:09Z","freeze":true}`)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := startEmulator(t, emulator.Config{StateFile: path})
	if st := second.Clock().State(); !st.Frozen || st.Now.Format(time.RFC3339Nano) != frozen.Now {
		t.Fatalf("clock after restart = %+v, want frozen at %s", st, frozen.Now)
	}
	postClock(t, second, `{"resume":true}`)
	postClock(t, second, `{"set":"2030-01-01T00:00:00Z"}`)
	offset := second.Clock().State().Offset
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	third := startEmulator(t, emulator.Config{StateFile: path})
	st := third.Clock().State()
	if st.Frozen || st.Offset != offset {
		t.Fatalf("running clock after restart = %+v, want offset %v", st, offset)
	}
	// The snapshot the admin API hands out holds the clock too.
	code, body, _ := send(t, "GET", third.Info().TFCURL+"/_emulator/snapshot", "", nil, "")
	var doc struct {
		Version  int                        `json:"version"`
		Services map[string]json.RawMessage `json:"services"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &doc) != nil || doc.Services["clock"] == nil {
		t.Fatalf("GET /snapshot: %d, services %v", code, doc.Services)
	}
	// A snapshot with a bad clock is refused whole: nothing changes.
	before := third.Clock().State()
	doc.Services["clock"] = json.RawMessage(`{"frozen":true}`)
	bad, _ := json.Marshal(doc)
	if code, got, _ := send(t, "PUT", third.Info().TFCURL+"/_emulator/snapshot", "", nil, string(bad)); code != 400 || !strings.Contains(got, "clock") {
		t.Fatalf("PUT a snapshot with a bad clock: %d %s", code, got)
	}
	if after := third.Clock().State(); after.Frozen != before.Frozen || after.Offset != before.Offset {
		t.Fatalf("a refused snapshot changed the clock: %+v, was %+v", after, before)
	}
}

// TestStateFileRemovesCrashTemps: the temp files an interrupted save left
// beside the state file are removed at start; other files stay.
func TestStateFileRemovesCrashTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	first := startEmulator(t, emulator.Config{StateFile: path})
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	stale := []string{".state.json.tmp-123456", ".state.json.tmp-crash"}
	keep := []string{"other.json", ".other.json.tmp-1"}
	for _, n := range append(append([]string{}, stale...), keep...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("{half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	second := startEmulator(t, emulator.Config{StateFile: path})
	defer second.Close()
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(dir, n)); !os.IsNotExist(err) {
			t.Errorf("%s is still there: %v", n, err)
		}
	}
	for _, n := range keep {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was removed: %v", n, err)
		}
	}
	// Saves still work after the clean-up, and leave no temp file behind.
	postClock(t, second, `{"advance":"1h"}`)
	entries, _ := os.ReadDir(dir)
	for _, ent := range entries {
		if strings.HasPrefix(ent.Name(), ".state.json.tmp-") {
			t.Errorf("a save left %s", ent.Name())
		}
	}
}

// TestStateFileLogAndTornTail: changes go to the write-ahead log beside
// the state file (a request that changes nothing adds no record); a copy
// of both files taken without a clean shutdown, as after kill -9, loads
// them, and a torn record at the log's end (never acknowledged) is
// dropped.
func TestStateFileLogAndTornTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	first := startEmulator(t, emulator.Config{StateFile: path})
	walSize := func() int64 {
		fi, err := os.Stat(path + ".wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if n := walSize(); n != 0 {
		t.Fatalf("log of a fresh state file: %d bytes", n)
	}
	moved := postClock(t, first, `{"set":"2032-02-03T04:05:06Z","freeze":true}`)
	after := walSize()
	if after == 0 {
		t.Fatal("a clock change added no log record")
	}
	// A no-op write (the clock frozen where it is) adds nothing.
	postClock(t, first, `{"set":"2032-02-03T04:05:06Z","freeze":true}`)
	if n := walSize(); n != after {
		t.Fatalf("an unchanged state grew the log from %d to %d bytes", after, n)
	}

	// The files as a kill -9 leaves them, plus half a record.
	crash := filepath.Join(t.TempDir(), "state.json")
	for _, name := range []string{"", ".wal"} {
		b, err := os.ReadFile(path + name)
		if err != nil {
			t.Fatal(err)
		}
		if name == ".wal" {
			b = append(b, "tfcemu-wal 99 1000 1\n{\"clock\":"...)
		}
		if err := os.WriteFile(crash+name, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	second := startEmulator(t, emulator.Config{StateFile: crash})
	if st := second.Clock().State(); !st.Frozen || st.Now.Format(time.RFC3339Nano) != moved.Now {
		t.Fatalf("clock after the crash = %+v, want frozen at %s", st, moved.Now)
	}
}
