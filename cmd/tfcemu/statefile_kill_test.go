package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestStateFileSurvivesKill9 starts the real binary with --state-file,
// creates workspaces from several clients at once, kills the process with
// SIGKILL while they are still writing, restarts it on the same state file,
// and finds every workspace whose creation was acknowledged, with either
// fsync policy (a kill -9 loses nothing the kernel took).
func TestStateFileSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	for _, mode := range []string{"background", "always"} {
		t.Run(mode, func(t *testing.T) { survivesKill9(t, mode) })
	}
}

// survivesKill9 is TestStateFileSurvivesKill9 with --state-fsync mode.
func survivesKill9(t *testing.T, mode string) {
	dir := t.TempDir()
	bin, _ := binaries(t)
	state := filepath.Join(dir, "state.json")
	start := func(name string) (*exec.Cmd, string, string, *syncBuffer) {
		ready := filepath.Join(dir, name+".json")
		var out syncBuffer
		cmd := exec.Command(bin, "serve", "--tfc-listen", "127.0.0.1:0", "--vault-listen", "127.0.0.1:0",
			"--rate-limit", "0", "--state-file", state, "--state-fsync", mode, "--ready-file", ready)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		info := waitReady(t, ready)
		return cmd, info.TFCURL, info.OwnerToken, &out
	}
	first, url, token, _ := start("first")
	create := func(name string) (int, error) {
		code, _, err := tfcAPI("POST", url+"/api/v2/organizations/my-org/workspaces", token,
			`{"data":{"type":"workspaces","attributes":{"name":"`+name+`"}}}`)
		return code, err
	}
	// Workspace updates are logged by entry: each of these clients
	// updates its own workspace's description and remembers the last
	// acknowledged one.
	patch := func(name, desc string) (int, error) {
		code, _, err := tfcAPI("PATCH", url+"/api/v2/organizations/my-org/workspaces/"+name, token,
			`{"data":{"type":"workspaces","attributes":{"description":"`+desc+`"}}}`)
		return code, err
	}
	const patchers = 4
	lastPatch := make([]int, patchers) // per patcher, its last acknowledged description number
	for c := range patchers {
		if code, err := create(fmt.Sprintf("patched-%d", c)); err != nil || code != http.StatusCreated {
			t.Fatalf("create patched-%d: %d %v", c, code, err)
		}
		lastPatch[c] = -1
	}
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	stop := make(chan struct{})
	// writer runs a client writing until stop or the process is gone: its
	// i-th write is write(i), acknowledged with want, then ack(i) under mu.
	writer := func(what string, want int, write func(i int) (int, error), ack func(i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code, err := write(i)
				if err != nil {
					return // the process is gone
				}
				if code != want {
					t.Errorf("%s (write %d): %d", what, i, code)
					return
				}
				mu.Lock()
				ack(i)
				mu.Unlock()
			}
		}()
	}
	for c := range patchers {
		name := fmt.Sprintf("patched-%d", c)
		writer("update "+name, http.StatusOK,
			func(i int) (int, error) { return patch(name, fmt.Sprintf("d-%d", i)) },
			func(i int) { lastPatch[c] = i })
	}
	for c := range 8 {
		name := func(i int) string { return fmt.Sprintf("kill-%d-%d", c, i) }
		writer(fmt.Sprintf("create kill-%d-*", c), http.StatusCreated,
			func(i int) (int, error) { return create(name(i)) },
			func(i int) { acked = append(acked, name(i)) })
	}
	// Let the writers run, then kill while they are mid-flight.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	close(stop)
	wg.Wait()
	mu.Lock()
	names := append([]string(nil), acked...)
	patched := append([]int(nil), lastPatch...)
	mu.Unlock()
	if len(names) < 50 {
		t.Fatalf("only %d writes before the kill", len(names))
	}

	second, url2, token2, out := start("second")
	defer func() {
		_ = second.Process.Signal(syscall.SIGTERM)
		_ = second.Wait()
	}()
	// read reads a workspace from the restarted process.
	read := func(name string) (int, []byte) {
		code, raw, err := tfcAPI("GET", url2+"/api/v2/organizations/my-org/workspaces/"+name, token2, "")
		if err != nil {
			t.Fatal(err)
		}
		return code, raw
	}
	for _, name := range names {
		if code, _ := read(name); code != http.StatusOK {
			t.Fatalf("acknowledged workspace %s is gone after kill -9 (%d acknowledged): %d\n%s", name, len(names), code, out.String())
		}
	}
	// Each updated workspace holds its last acknowledged description or a
	// later one (in flight at the kill: sent, saved, not acknowledged).
	for c, last := range patched {
		_, raw := read(fmt.Sprintf("patched-%d", c))
		var doc struct {
			Data struct {
				Attributes struct {
					Description *string `json:"description"`
				} `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		got := -1
		if d := doc.Data.Attributes.Description; d != nil {
			if _, err := fmt.Sscanf(*d, "d-%d", &got); err != nil {
				t.Fatalf("patched-%d: description %q", c, *d)
			}
		}
		if last < 0 {
			t.Fatalf("patched-%d: no update acknowledged before the kill", c)
		}
		if got < last {
			t.Fatalf("patched-%d: description d-%d after kill -9, but d-%d was acknowledged", c, got, last)
		}
	}
	t.Logf("%d acknowledged creations and %v acknowledged updates survived kill -9", len(names), patched)
}
