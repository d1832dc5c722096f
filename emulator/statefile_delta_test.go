package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfcemu/tfcemu/emulator"
)

// tfcMember is the TFC part of an emulator's snapshot, compacted.
func tfcMember(t *testing.T, e *emulator.Emulator) json.RawMessage {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, members(t, e)["tfc"]); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestStateFileLogsWorkspaceUpdatesByEntry: a workspace update adds a
// small log record holding that workspace (not TFC's whole state), and
// the files as a kill -9 leaves them (whole records and records by entry
// interleaved: creations, updates, a deletion, a re-creation under a
// taken-then-freed name) load into the same TFC state.
func TestStateFileLogsWorkspaceUpdatesByEntry(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	first := startEmulator(t, emulator.Config{StateFile: path, RateLimit: -1})
	token := first.Info().OwnerToken
	do := func(status int, method, p, body string) string {
		t.Helper()
		rec := serve(first.Handler(), token, method, p, body)
		if rec.Code != status {
			t.Fatalf("%s %s: %d %s", method, p, rec.Code, rec.Body)
		}
		return between(rec.Body.String(), `"id":"`, `"`)
	}
	walSize := func() int64 {
		fi, err := os.Stat(path + ".wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	var ids []string
	for i := range 40 {
		ids = append(ids, do(http.StatusCreated, "POST", "/api/v2/organizations/my-org/workspaces",
			fmt.Sprintf(`{"data":{"type":"workspaces","attributes":{"name":"delta-%d"}}}`, i)))
	}
	before := walSize()
	do(http.StatusOK, "PATCH", "/api/v2/workspaces/"+ids[3], `{"data":{"type":"workspaces","attributes":{"description":"first"}}}`)
	if grew := walSize() - before; grew <= 0 || grew > 4096 {
		t.Fatalf("a workspace update grew the log by %d bytes, want a record of that workspace alone", grew)
	}
	do(http.StatusOK, "PATCH", "/api/v2/workspaces/"+ids[5], `{"data":{"type":"workspaces","attributes":{"name":"renamed-5","auto-apply":true}}}`)
	do(http.StatusNoContent, "DELETE", "/api/v2/workspaces/"+ids[7], "")
	do(http.StatusOK, "PATCH", "/api/v2/workspaces/"+ids[3], `{"data":{"type":"workspaces","attributes":{"description":"second"}}}`)
	ids = append(ids, do(http.StatusCreated, "POST", "/api/v2/organizations/my-org/workspaces",
		`{"data":{"type":"workspaces","attributes":{"name":"delta-5"}}}`))
	do(http.StatusOK, "PATCH", "/api/v2/workspaces/"+ids[len(ids)-1], `{"data":{"type":"workspaces","attributes":{"description":"newest"}}}`)
	// A refused update changes nothing and is logged as nothing.
	before = walSize()
	serve(first.Handler(), token, "PATCH", "/api/v2/workspaces/"+ids[0], `{"data":{"type":"workspaces","attributes":{"name":"renamed-5"}}}`)
	if n := walSize(); n != before {
		t.Fatalf("a refused update grew the log from %d to %d bytes", before, n)
	}
	// (The refused request stamped its token's last use: the next write
	// saves it.)
	do(http.StatusOK, "PATCH", "/api/v2/workspaces/"+ids[0], `{"data":{"type":"workspaces","attributes":{"description":"last"}}}`)
	wal, err := os.ReadFile(path + ".wal")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(wal, []byte(`"tfc.delta"`)) {
		t.Fatal("no record by entry in the log")
	}
	want := tfcMember(t, first)

	crash := emulator.CrashCopy(t, path)
	second := startEmulator(t, emulator.Config{StateFile: crash, RateLimit: -1})
	if got := tfcMember(t, second); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-300)
		t.Fatalf("TFC state after the crash differs at byte %d:\n got …%s…\nwant …%s…", i, got[from:min(len(got), i+200)], want[from:min(len(want), i+200)])
	}

	// More updates by entry, then a clean shutdown (the whole document
	// rewritten): the next start holds them.
	rec := serve(second.Handler(), token, "PATCH", "/api/v2/workspaces/"+ids[9], `{"data":{"type":"workspaces","attributes":{"description":"after the crash"}}}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
	}
	want = tfcMember(t, second)
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	third := startEmulator(t, emulator.Config{StateFile: crash, RateLimit: -1})
	if got := tfcMember(t, third); !bytes.Equal(got, want) {
		t.Fatal("TFC state after a clean shutdown differs")
	}
}
