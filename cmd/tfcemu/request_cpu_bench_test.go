package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The request CPU benchmarks measure what the targets speak of:
// the CPU a server process spends per request. They run `tfcemu serve`
// and a trivial Go HTTP server (the same constant body, from a process of
// its own) side by side, send each the same number of requests over one
// keep-alive connection, one request to each in turn, and read each
// process's CPU time (its threads' time on a CPU, /proc/<pid>/task/*/
// schedstat, Linux) before and after. Both pay Go's net/http server; the
// ratio is what the emulator's work adds to it. The client's CPU is this
// process's and counted for neither.

// BenchmarkRequestCPU (run it with -benchtime 10x) reports server CPU per request and its ratio to the
// trivial server's for a Vault terraform creds read of an organization
// role (root token; target: ratio ≤ 3) and an authenticated TFC read
// (GET /api/v2/account/details, the owner's token), each against a
// trivial server answering the emulator's own response body.
func BenchmarkRequestCPU(b *testing.B) {
	bin, trivial := binaries(b)
	ready := filepath.Join(b.TempDir(), "ready.json")
	emu := startUntilReady(b, bin, append(serveArgs, "--ready-file", ready)...)
	b.Cleanup(emu.stop)
	info := waitReady(b, ready)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	vault := func(method, path, body string) {
		req, _ := http.NewRequest(method, info.VaultURL+path, strings.NewReader(body))
		req.Header.Set("X-Vault-Token", info.VaultToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
	}
	vault("POST", "/v1/sys/mounts/terraform", `{"type":"terraform"}`)
	vault("POST", "/v1/terraform/config", fmt.Sprintf(`{"token":%q}`, info.OwnerToken))
	vault("POST", "/v1/terraform/role/testing", `{"organization":"my-org"}`)

	cases := []struct {
		name, url, header, token string
	}{
		{"vault-creds", info.VaultURL + "/v1/terraform/creds/testing", "X-Vault-Token", info.VaultToken},
		{"tfc-account", info.TFCURL + "/api/v2/account/details", "Authorization", "Bearer " + info.OwnerToken},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			get := func(url string) *http.Response {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set(c.header, c.token)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				return resp
			}
			// The trivial server answers what the emulator answers.
			first := get(c.url)
			body, _ := io.ReadAll(first.Body)
			first.Body.Close()
			if first.StatusCode != http.StatusOK {
				b.Fatalf("GET %s: %d %s", c.url, first.StatusCode, body)
			}
			floor := startUntilReady(b, trivial, first.Header.Get("Content-Type"), string(body))
			defer floor.stop()
			floorURL := strings.TrimPrefix(floor.first, "ready ") + "/"
			do := func(url string) {
				resp := get(url)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", url, resp.StatusCode)
				}
			}
			do(floorURL) // both connections open before the count starts
			emuPID, floorPID := emu.cmd.Process.Pid, floor.cmd.Process.Pid
			var emuCPU, floorCPU time.Duration
			n := 0
			for b.Loop() {
				emu0, floor0 := cpuTime(b, emuPID), cpuTime(b, floorPID)
				for range cpuBatch {
					do(c.url)
					do(floorURL)
				}
				emuCPU += cpuTime(b, emuPID) - emu0
				floorCPU += cpuTime(b, floorPID) - floor0
				n += cpuBatch
			}
			b.ReportMetric(float64(emuCPU.Nanoseconds())/float64(n)/1000, "tfcemu-cpu-µs/req")
			b.ReportMetric(float64(floorCPU.Nanoseconds())/float64(n)/1000, "trivial-cpu-µs/req")
			b.ReportMetric(float64(emuCPU)/float64(floorCPU), "ratio")
		})
	}
}

// cpuBatch is the requests to each server between two readings of their
// CPU time: one iteration of the benchmark. -benchtime 10x is 5,000 each.
const cpuBatch = 500

// cpuTime is the CPU time a process's threads have run so far, in
// nanoseconds (the first field of each /proc/<pid>/task/<tid>/schedstat).
// A Go server's threads live as long as it does, so no thread's time is
// lost to its exit.
func cpuTime(b *testing.B, pid int) time.Duration {
	b.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	var total time.Duration
	for _, t := range tasks {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // the thread has just exited
		}
		ns, err := strconv.ParseInt(strings.Fields(string(raw))[0], 10, 64)
		if err != nil {
			b.Skipf("schedstat of %d/%s: %q", pid, t.Name(), raw)
		}
		total += time.Duration(ns)
	}
	return total
}
