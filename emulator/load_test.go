//go:build load

package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
)

// loadSettings are the load test's size: TFCEMU_LOAD_CLIENTS (default 64)
// clients for TFCEMU_LOAD_DURATION (default 60s).
func loadSettings(t *testing.T) (int, time.Duration) {
	clients, duration := 64, 60*time.Second
	if v := os.Getenv("TFCEMU_LOAD_CLIENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("TFCEMU_LOAD_CLIENTS=%q", v)
		}
		clients = n
	}
	if v := os.Getenv("TFCEMU_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("TFCEMU_LOAD_DURATION=%q", v)
		}
		duration = d
	}
	return clients, duration
}

// loadStats counts what the clients saw.
type loadStats struct {
	mu             sync.Mutex
	ops            map[string]int
	status         map[int]int
	serverErrors   []string
	transportErrs  atomic.Int64
	revokeFailures atomic.Int64
	orgTokens      []string
}

func (s *loadStats) record(op string, status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops[op]++
	s.status[status]++
	if status >= 500 && len(s.serverErrors) < 20 {
		s.serverErrors = append(s.serverErrors, fmt.Sprintf("%s: %d %.300s", op, status, body))
	}
}

// loadClient is one of the concurrent clients.
type loadClient struct {
	t      *testing.T
	http   *http.Client
	info   emulator.Info
	stats  *loadStats
	id     int
	n      int
	rnd    *rand.Rand
	leases []string
}

func (c *loadClient) do(op, method, url, auth string, body any) (int, []byte) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, url, r)
	switch {
	case strings.Contains(url, "/_emulator/"):
		req.Header.Set("Authorization", "Bearer "+c.info.AdminToken)
		req.Header.Set("Content-Type", "application/json")
	case strings.Contains(url, "/v1/"):
		req.Header.Set("X-Vault-Token", c.info.VaultToken)
	default:
		req.Header.Set("Authorization", "Bearer "+auth)
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.stats.transportErrs.Add(1)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.stats.record(op, resp.StatusCode, b)
	return resp.StatusCode, b
}

// step runs one operation picked at random from the mix.
func (c *loadClient) step() {
	tfcAPI, owner := c.info.TFCURL+"/api/v2", c.info.OwnerToken
	c.n++
	switch k := c.rnd.IntN(100); {
	case k < 30: // TFC reads
		paths := []string{"/account/details", "/organizations/my-org", "/organizations/my-org/workspaces", "/organizations/my-org/workspaces/my-workspace", "/organizations/my-org/projects"}
		c.do("tfc read", "GET", tfcAPI+paths[c.rnd.IntN(len(paths))], owner, nil)
	case k < 45: // TFC writes: a workspace created, updated, deleted
		name := fmt.Sprintf("load-%d-%d", c.id, c.n)
		status, b := c.do("tfc write", "POST", tfcAPI+"/organizations/my-org/workspaces", owner,
			map[string]any{"data": map[string]any{"type": "workspaces", "attributes": map[string]any{"name": name}}})
		if status != http.StatusCreated {
			return
		}
		var doc struct{ Data struct{ ID string } }
		_ = json.Unmarshal(b, &doc)
		c.do("tfc write", "PATCH", tfcAPI+"/workspaces/"+doc.Data.ID, owner,
			map[string]any{"data": map[string]any{"type": "workspaces", "attributes": map[string]any{"description": "load"}}})
		c.do("tfc write", "DELETE", tfcAPI+"/workspaces/"+doc.Data.ID, owner, nil)
	case k < 55: // organization token creations, concurrent with every client's
		status, b := c.do("org token", "POST", tfcAPI+"/organizations/my-org/authentication-token", owner, map[string]any{"data": map[string]any{"type": "authentication-token"}})
		if status == http.StatusCreated {
			var doc struct {
				Data struct {
					Attributes struct{ Token string } `json:"attributes"`
				} `json:"data"`
			}
			_ = json.Unmarshal(b, &doc)
			c.stats.mu.Lock()
			c.stats.orgTokens = append(c.stats.orgTokens, doc.Data.Attributes.Token)
			c.stats.mu.Unlock()
		}
	case k < 70: // workload identity token mints
		c.do("mint", "POST", c.info.TFCURL+"/_emulator/workload-identity-tokens", "",
			map[string]string{"organization": "my-org", "workspace": "my-workspace", "phase": []string{"plan", "apply"}[c.rnd.IntN(2)], "audience": "load"})
	case k < 82: // admin calls
		switch c.rnd.IntN(4) {
		case 0:
			c.do("admin", "GET", c.info.TFCURL+"/_emulator/clock", "", nil)
		case 1:
			c.do("admin", "GET", c.info.VaultURL+"/_emulator/keys", "", nil)
		case 2:
			c.do("admin", "GET", c.info.TFCURL+"/_emulator/requests?limit=5", "", nil)
		default:
			c.do("admin", "POST", c.info.TFCURL+"/_emulator/clock", "", map[string]string{"advance": "1s"})
		}
	default: // Vault credentials read, then revoked
		if len(c.leases) > 0 && c.rnd.IntN(2) == 0 {
			lease := c.leases[len(c.leases)-1]
			c.leases = c.leases[:len(c.leases)-1]
			_, b := c.do("vault revoke", "PUT", c.info.VaultURL+"/v1/sys/leases/revoke", "", map[string]string{"lease_id": lease})
			if bytes.Contains(b, []byte("failed to revoke")) {
				c.stats.revokeFailures.Add(1)
			}
			return
		}
		status, b := c.do("vault creds", "GET", c.info.VaultURL+"/v1/terraform/creds/load", "", nil)
		if status == http.StatusOK {
			var s struct {
				LeaseID string `json:"lease_id"`
			}
			_ = json.Unmarshal(b, &s)
			c.leases = append(c.leases, s.LeaseID)
		}
	}
}

// TestLoad: 64 clients for 60 s against an in-process emulator, mixing TFC
// reads and writes, organization token creations, token mints, admin calls
// and Vault credentials. No 5xx, and exactly one live organization token
// after all the concurrent creations. Spurious "failed to revoke" answers
// are reported, not failed on (yet).
func TestLoad(t *testing.T) {
	clients, duration := loadSettings(t)
	e := startEmulator(t, emulator.Config{RateLimit: -1, AdminToken: "load-admin-token"})
	info := e.Info()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	setup := &loadClient{t: t, http: hc, info: info, stats: &loadStats{ops: map[string]int{}, status: map[int]int{}}}
	for _, s := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/sys/mounts/terraform", map[string]string{"type": "terraform"}},
		{"POST", "/v1/terraform/config", map[string]string{"token": "Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}},
		// Short leases, so the clock advances expire some while clients
		// revoke them: the sweep and explicit revokes meet.
		{"POST", "/v1/terraform/role/load", map[string]string{"user_id": "user-12345abcde", "ttl": "1m", "max_ttl": "2m"}},
	} {
		if status, b := setup.do("setup", s.method, info.VaultURL+s.path, "", s.body); status/100 != 2 {
			t.Fatalf("setup %s %s: %d %s", s.method, s.path, status, b)
		}
	}
	stats := &loadStats{ops: map[string]int{}, status: map[int]int{}}
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &loadClient{t: t, http: hc, info: info, stats: stats, id: i, rnd: rand.New(rand.NewPCG(uint64(i), 42))}
			for time.Now().Before(deadline) {
				c.step()
			}
			for _, lease := range c.leases {
				_, b := c.do("vault revoke", "PUT", info.VaultURL+"/v1/sys/leases/revoke", "", map[string]string{"lease_id": lease})
				if bytes.Contains(b, []byte("failed to revoke")) {
					stats.revokeFailures.Add(1)
				}
			}
		}()
	}
	wg.Wait()

	// Exactly one of every organization token handed out still works.
	live := 0
	for _, tok := range stats.orgTokens {
		resp, err := authGet(info.TFCURL+"/api/v2/organizations/my-org", tok)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			live++
		}
	}
	total, fivexx := 0, 0
	var lines []string
	for op, n := range stats.ops {
		total += n
		lines = append(lines, fmt.Sprintf("  %-13s %d", op, n))
	}
	sort.Strings(lines)
	for code, n := range stats.status {
		if code >= 500 {
			fivexx += n
		}
	}
	t.Logf("load: %d clients for %v: %d requests (%.0f/s)\n%s\n  statuses %v\n  5xx %d, transport errors %d\n  organization tokens created %d, live %d\n  spurious \"failed to revoke\" %d",
		clients, duration, total, float64(total)/duration.Seconds(), strings.Join(lines, "\n"), stats.status,
		fivexx, stats.transportErrs.Load(), len(stats.orgTokens), live, stats.revokeFailures.Load())
	if fivexx != 0 {
		t.Errorf("%d 5xx answers; first: %v", fivexx, stats.serverErrors)
	}
	if n := stats.transportErrs.Load(); n != 0 {
		t.Errorf("%d requests failed in transport", n)
	}
	if n := stats.revokeFailures.Load(); n != 0 {
		t.Errorf("%d lease revocations answered \"failed to revoke\" for a lease the sweep or another revoke had already revoked", n)
	}
	if len(stats.orgTokens) == 0 {
		t.Error("no organization token was created")
	} else if live != 1 {
		t.Errorf("%d organization tokens are live after %d concurrent creations, want exactly 1", live, len(stats.orgTokens))
	}
}
