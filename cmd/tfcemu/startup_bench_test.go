package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The start-up and memory benchmarks run the real binary, built as make
// builds it (CGO_ENABLED=0, -trimpath, -s -w: a static, stripped binary). A trivial Go
// server (listen, print a line, serve), built the same way, is the
// baseline for exec → ready.

var (
	binOnce          sync.Once
	binDir           string
	binErr           error
	tfcemuBin, trivi string
)

// binaries builds tfcemu and the trivial server once per test binary.
func binaries(b testing.TB) (string, string) {
	b.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "tfcemu-bench-")
		if binErr != nil {
			return
		}
		tfcemuBin, trivi = filepath.Join(binDir, "tfcemu"), filepath.Join(binDir, "trivial")
		if out, err := goBuild(tfcemuBin, "."); err != nil {
			binErr = fmt.Errorf("build tfcemu: %v\n%s", err, out)
			return
		}
		src := filepath.Join(binDir, "trivial.go")
		if binErr = os.WriteFile(src, []byte(trivialServer), 0o600); binErr != nil {
			return
		}
		if out, err := goBuild(trivi, src); err != nil {
			binErr = fmt.Errorf("build the trivial server: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return tfcemuBin, trivi
}

// goBuild builds pkg into out as the Makefile does (static, -trimpath,
// stripped).
func goBuild(out, pkg string) ([]byte, error) {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	return cmd.CombinedOutput()
}

// trivialServer answers every request with a constant: {} by default,
// or the body given as its second argument with the content type given
// as its first.
const trivialServer = `package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	contentType, body := "", []byte("{}")
	if len(os.Args) == 3 {
		contentType, body = os.Args[1], []byte(os.Args[2])
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println("ready http://" + l.Addr().String())
	_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Write(body)
	}))
}
`

// started is a process that printed its first line (ready).
type started struct {
	cmd   *exec.Cmd
	took  time.Duration
	lines *bufio.Reader
	first string // the first line, without its newline
}

// startUntilReady execs bin and returns once it printed its first line.
func startUntilReady(b *testing.B, bin string, args ...string) started {
	b.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = io.Discard
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if err != nil {
		b.Fatalf("%s: no ready line: %v", bin, err)
	}
	s := started{cmd: cmd, took: time.Since(t0), lines: r, first: strings.TrimSpace(line)}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	return s
}

func (s started) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

var serveArgs = []string{"serve", "--tfc-listen", "127.0.0.1:0", "--vault-listen", "127.0.0.1:0", "--rate-limit", "0"}

// BenchmarkStartup is exec → ready of tfcemu serve on a second start
// (the signing key cached) against a trivial Go server (target: ratio ≤ 3),
// and of a start with --no-key-cache (a key generated) for comparison.
// Each iteration starts the three one after the other; the figures are
// medians over the iterations, and the ratios medians of each
// iteration's own ratio, so that a moment of noise on a shared machine
// (a few starts take twice as long) does not decide them.
func BenchmarkStartup(b *testing.B) {
	bin, trivial := binaries(b)
	startUntilReady(b, bin, serveArgs...).stop() // the first start caches the key
	var tt, tc, tn, rc, rn []float64
	for b.Loop() {
		s := startUntilReady(b, trivial)
		s.stop()
		t := s.took.Seconds() * 1000
		s = startUntilReady(b, bin, serveArgs...)
		s.stop()
		c := s.took.Seconds() * 1000
		s = startUntilReady(b, bin, append(serveArgs, "--no-key-cache")...)
		s.stop()
		n := s.took.Seconds() * 1000
		tt, tc, tn, rc, rn = append(tt, t), append(tc, c), append(tn, n), append(rc, c/t), append(rn, n/t)
	}
	b.ReportMetric(median(tt), "trivial-ms")
	b.ReportMetric(median(tc), "cached-key-ms")
	b.ReportMetric(median(tn), "no-key-cache-ms")
	b.ReportMetric(median(rc), "ratio")
	b.ReportMetric(median(rn), "no-cache-ratio")
}

// median is the middle of xs (the mean of the two middle ones when
// their count is even).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// rssKiB is a process's resident set (VmRSS, Linux).
func rssKiB(b *testing.B, pid int) float64 {
	b.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return n
		}
	}
	b.Skip("no VmRSS")
	return 0
}

// BenchmarkServeRSS reports tfcemu serve's resident set idle and its
// growth per 1,000 workspaces with a variable each.
func BenchmarkServeRSS(b *testing.B) {
	bin, _ := binaries(b)
	dir := b.TempDir()
	for b.Loop() {
		ready := filepath.Join(dir, "ready.json")
		_ = os.Remove(ready)
		s := startUntilReady(b, bin, append(serveArgs, "--ready-file", ready)...)
		info := waitReady(b, ready)
		time.Sleep(200 * time.Millisecond)
		idle := rssKiB(b, s.cmd.Process.Pid)
		const n = 1000
		for i := range n {
			id := post(b, info.TFCURL+"/api/v2/organizations/my-org/workspaces", info.OwnerToken,
				fmt.Sprintf(`{"data":{"type":"workspaces","attributes":{"name":"rss-%d"}}}`, i))
			post(b, info.TFCURL+"/api/v2/workspaces/"+id+"/vars", info.OwnerToken,
				`{"data":{"type":"vars","attributes":{"key":"region","value":"eu","category":"terraform"}}}`)
		}
		full := rssKiB(b, s.cmd.Process.Pid)
		s.stop()
		b.ReportMetric(idle/1024, "idle-RSS-MiB")
		b.ReportMetric((full-idle)/1024, "RSS-MiB/1k-workspaces")
	}
}

// post creates a resource and returns its id.
func post(b *testing.B, url, token, body string) string {
	code, raw, err := tfcAPI("POST", url, token, body)
	if err != nil {
		b.Fatal(err)
	}
	if code != http.StatusCreated {
		b.Fatalf("POST %s: %d %s", url, code, raw)
	}
	_, after, _ := strings.Cut(string(raw), `"id":"`)
	id, _, _ := strings.Cut(after, `"`)
	return id
}
