package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
)

// The scale benchmarks compare a request against a small state and the
// same request against a large one in one run, alternating the two, and
// report both costs and their ratio (the targets are ratios: a
// machine's speed cancels out). No test asserts a time.

// scaled is an emulator holding n workspaces in my-org, each with one
// variable, its owner token and the workspaces' ids.
type scaled struct {
	e     *emulator.Emulator
	token string
	ids   []string
}

var (
	scaledMu sync.Mutex
	scaledBy = map[int]*scaled{}
)

// scaledEmulator returns the shared emulator with n workspaces, building
// it the first time (through the API, as a client would).
func scaledEmulator(b *testing.B, n int) *scaled {
	b.Helper()
	scaledMu.Lock()
	defer scaledMu.Unlock()
	if s, ok := scaledBy[n]; ok {
		return s
	}
	e, err := emulator.New(emulator.Config{RateLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	s := &scaled{e: e, token: e.Info().OwnerToken}
	fill(b, s, n)
	scaledBy[n] = s
	return s
}

// fill creates n workspaces with one variable each.
func fill(b *testing.B, s *scaled, n int) {
	b.Helper()
	for i := range n {
		rec := serve(s.e.Handler(), s.token, "POST", "/api/v2/organizations/my-org/workspaces",
			fmt.Sprintf(`{"data":{"type":"workspaces","attributes":{"name":"scale-%d"}}}`, i))
		if rec.Code != http.StatusCreated {
			b.Fatalf("create workspace %d: %d %s", i, rec.Code, rec.Body)
		}
		id := between(rec.Body.String(), `"id":"`, `"`)
		rec = serve(s.e.Handler(), s.token, "POST", "/api/v2/workspaces/"+id+"/vars",
			`{"data":{"type":"vars","attributes":{"key":"region","value":"eu","category":"terraform"}}}`)
		if rec.Code != http.StatusCreated {
			b.Fatalf("create variable %d: %d %s", i, rec.Code, rec.Body)
		}
		s.ids = append(s.ids, id)
	}
}

// serve sends one request with token through h.
func serve(h http.Handler, token, method, path, body string) *httptest.ResponseRecorder {
	var r *strings.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	var req *http.Request
	if r != nil {
		req = httptest.NewRequest(method, path, r)
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.Host = "127.0.0.1:8080" // a loopback client, as the listeners admit
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/vnd.api+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(after, to)
	return v
}

// ratio runs base and large alternately and reports each one's ns/op and
// large/base.
func ratio(b *testing.B, base, large func(b *testing.B)) {
	b.Helper()
	var tb, tl time.Duration
	for b.Loop() {
		t0 := time.Now()
		base(b)
		t1 := time.Now()
		large(b)
		tl += time.Since(t1)
		tb += t1.Sub(t0)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tb.Nanoseconds())/n, "base-ns/op")
	b.ReportMetric(float64(tl.Nanoseconds())/n, "large-ns/op")
	b.ReportMetric(float64(tl)/float64(tb), "ratio")
}

// expect sends a request and fails unless it answers status.
func expect(b *testing.B, s *scaled, status int, method, path, body string) {
	if rec := serve(s.e.Handler(), s.token, method, path, body); rec.Code != status {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

// BenchmarkScaleListPage1 lists the first page of workspaces (20) at
// 10,000 workspaces against 100, each with a variable (target: ratio ≤ 3).
func BenchmarkScaleListPage1(b *testing.B) {
	small, large := scaledEmulator(b, 100), scaledEmulator(b, 10000)
	list := func(s *scaled) func(*testing.B) {
		return func(b *testing.B) { expect(b, s, 200, "GET", "/api/v2/organizations/my-org/workspaces", "") }
	}
	ratio(b, list(small), list(large))
}

// BenchmarkScaleReadByName reads a workspace by organization and name at
// 10,000 workspaces against 100 (target: ratio ≤ 2).
func BenchmarkScaleReadByName(b *testing.B) {
	small, large := scaledEmulator(b, 100), scaledEmulator(b, 10000)
	read := func(s *scaled, name string) func(*testing.B) {
		return func(b *testing.B) { expect(b, s, 200, "GET", "/api/v2/organizations/my-org/workspaces/"+name, "") }
	}
	ratio(b, read(small, "scale-50"), read(large, "scale-5000"))
}

// stateFileCopy is an emulator with --state-file holding the state of s.
func stateFileCopy(b *testing.B, s *scaled) *scaled {
	b.Helper()
	return stateFileCopyWith(b, s, emulator.Config{})
}

// stateFileCopyWith is stateFileCopy with cfg's state file settings.
func stateFileCopyWith(b *testing.B, s *scaled, cfg emulator.Config) *scaled {
	b.Helper()
	cfg.RateLimit, cfg.StateFile = -1, stateFileOf(b, s.e)
	emulator.SetStateChecks(false) // a check takes whole snapshots: not what a benchmark measures
	e, err := emulator.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	return &scaled{e: e, token: e.Info().OwnerToken, ids: s.ids}
}

// stateFileOf writes e's snapshot as a state file and returns its path.
func stateFileOf(b *testing.B, e *emulator.Emulator) string {
	b.Helper()
	raw, err := e.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "state.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// describe is a workspace write: a new description.
func describe(s *scaled, i int) (string, string) {
	return "/api/v2/workspaces/" + s.ids[i%len(s.ids)],
		fmt.Sprintf(`{"data":{"type":"workspaces","attributes":{"description":"d%d"}}}`, i)
}

// BenchmarkScaleWriteStateFile updates a workspace at 10,000 workspaces
// with --state-file against without, one client at a time (target:
// ratio ≤ 3). The write waits for its log record to be written, not for
// its fsync (--state-fsync=background). The same loop times an append and
// fsync of a record-sized block beside the state file (fsync-ns/op, the
// disk's floor for a write that waits for its fsync); with
// --state-fsync=always, over-fsync is the ratio with that floor taken off.
func BenchmarkScaleWriteStateFile(b *testing.B) {
	benchWriteStateFile(b, emulator.Config{})
}

// BenchmarkScaleWriteStateFileAlways is BenchmarkScaleWriteStateFile with
// --state-fsync=always: each write waits for its fsync.
func BenchmarkScaleWriteStateFileAlways(b *testing.B) {
	benchWriteStateFile(b, emulator.Config{StateFsync: emulator.StateFsyncAlways})
}

// benchWriteStateFile is BenchmarkScaleWriteStateFile with cfg's state
// file settings.
func benchWriteStateFile(b *testing.B, cfg emulator.Config) {
	plain := scaledEmulator(b, 10000)
	persisted := stateFileCopyWith(b, plain, cfg)
	i := 0
	write := func(s *scaled) {
		i++
		path, body := describe(s, i)
		expect(b, s, 200, "PATCH", path, body)
	}
	f, err := os.CreateTemp(b.TempDir(), "fsync")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 1024)
	var tb, tl, tf time.Duration
	for b.Loop() {
		t0 := time.Now()
		write(plain)
		t1 := time.Now()
		write(persisted)
		t2 := time.Now()
		if _, err := f.Write(block); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		tf += time.Since(t2)
		tl += t2.Sub(t1)
		tb += t1.Sub(t0)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tb.Nanoseconds())/n, "base-ns/op")
	b.ReportMetric(float64(tl.Nanoseconds())/n, "large-ns/op")
	b.ReportMetric(float64(tf.Nanoseconds())/n, "fsync-ns/op")
	b.ReportMetric(float64(tl)/float64(tb), "ratio")
	if cfg.StateFsync == emulator.StateFsyncAlways {
		// Only a write that waits for its fsync has the fsync to take off.
		b.ReportMetric(float64(tl-tf)/float64(tb), "over-fsync")
	}
}

// BenchmarkScaleWriteStateFileParallel is BenchmarkScaleWriteStateFile
// with 16 clients writing at once (what group commit shares): the cost
// is the wall time of a round of 16 writes.
func BenchmarkScaleWriteStateFileParallel(b *testing.B) {
	plain := scaledEmulator(b, 10000)
	persisted := stateFileCopy(b, plain)
	const clients = 16
	round := func(s *scaled) func(*testing.B) {
		return func(b *testing.B) {
			var wg sync.WaitGroup
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					path, body := describe(s, c*7919)
					if rec := serve(s.e.Handler(), s.token, "PATCH", path, body); rec.Code != 200 {
						b.Errorf("PATCH: %d", rec.Code)
					}
				}()
			}
			wg.Wait()
		}
	}
	ratio(b, round(plain), round(persisted))
}

// BenchmarkScaleHeap reports the Go heap in use idle (a fresh emulator)
// and per 1,000 workspaces with a variable each (RSS of the real binary:
// cmd/tfcemu BenchmarkServeRSS).
func BenchmarkScaleHeap(b *testing.B) {
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	for b.Loop() {
		before := heap()
		e, err := emulator.New(emulator.Config{RateLimit: -1})
		if err != nil {
			b.Fatal(err)
		}
		idle := heap()
		s := &scaled{e: e, token: e.Info().OwnerToken}
		fill(b, s, 1000)
		full := heap()
		b.ReportMetric(float64(idle-before)/(1<<20), "idle-MiB")
		b.ReportMetric(float64(full-idle)/(1<<20), "MiB/1k-workspaces")
		_ = e.Close()
	}
}
