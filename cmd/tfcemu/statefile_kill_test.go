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
	for c := range patchers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code, err := patch(fmt.Sprintf("patched-%d", c), fmt.Sprintf("d-%d", i))
				if err != nil {
					return // the process is gone
				}
				if code != http.StatusOK {
					t.Errorf("update patched-%d: %d", c, code)
					return
				}
				mu.Lock()
				lastPatch[c] = i
				mu.Unlock()
			}
		}()
	}
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("kill-%d-%d", c, i)
				code, err := create(name)
				if err != nil {
					return // the process is gone
				}
				if code != http.StatusCreated {
					t.Errorf("create %s: %d", name, code)
					return
				}
				mu.Lock()
				acked = append(acked, name)
				mu.Unlock()
			}
		}()
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
	for _, name := range names {
		req, _ := http.NewRequest("GET", url2+"/api/v2/organizations/my-org/workspaces/"+name, nil)
		req.Header.Set("Authorization", "Bearer "+token2)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("acknowledged workspace %s is gone after kill -9 (%d acknowledged): %d\n%s", name, len(names), resp.StatusCode, out.String())
		}
	}
	// Each updated workspace holds its last acknowledged description or a
	// later one (in flight at the kill: sent, saved, not acknowledged).
	for c, last := range patched {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v2/organizations/my-org/workspaces/patched-%d", url2, c), nil)
		req.Header.Set("Authorization", "Bearer "+token2)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Data struct {
				Attributes struct {
					Description *string `json:"description"`
				} `json:"attributes"`
			} `json:"data"`
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil {
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
