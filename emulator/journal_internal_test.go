package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestJournalRing fills the journal past its bound: the newest
// journalSize entries remain, oldest first, and limit and the unmatched
// filter apply to them.
func TestJournalRing(t *testing.T) {
	var j journal
	total := journalSize + 250
	for i := range total {
		j.add(JournalEntry{Path: fmt.Sprint(i), Unmatched: i%2 == 0})
	}
	all := j.Entries(0, false)
	if len(all) != journalSize {
		t.Fatalf("len %d, want %d", len(all), journalSize)
	}
	for i, e := range all {
		if want := fmt.Sprint(total - journalSize + i); e.Path != want {
			t.Fatalf("entry %d is %s, want %s", i, e.Path, want)
		}
	}
	last := j.Entries(3, false)
	if len(last) != 3 || last[2].Path != fmt.Sprint(total-1) || last[0].Path != fmt.Sprint(total-3) {
		t.Fatalf("limit 3: %+v", last)
	}
	un := j.Entries(0, true)
	if len(un) != journalSize/2 || un[len(un)-1].Path != fmt.Sprint(total-2) {
		t.Fatalf("unmatched: %d, last %+v", len(un), un[len(un)-1])
	}
	j.Clear()
	if got := j.Entries(0, false); len(got) != 0 {
		t.Fatalf("after clear: %d", len(got))
	}
	j.add(JournalEntry{Path: "x"})
	if got := j.Entries(0, false); len(got) != 1 || got[0].Path != "x" {
		t.Fatalf("after clear and add: %+v", got)
	}
}

// TestVaultJournalUnmatched checks the journal's flag on the Vault
// listener: set for a path under no mount and for a path outside Vault's
// API, not for a route that answers (a 404 of a backend or a 403
// included), on the listener's handler and the in-process one.
func TestVaultJournalUnmatched(t *testing.T) {
	e, err := New(Config{RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	root := e.Info().VaultToken
	cases := []struct {
		method, path, token string
		status              int
		unmatched           bool
	}{
		{"GET", "/v1/no-such-mount/x", root, 404, true},
		{"GET", "/v2/elsewhere", root, 404, true},
		{"GET", "/", "", 404, true},
		{"GET", "/v1/sys/mounts", root, 200, false},
		{"GET", "/v1/secret/nothing-here", root, 404, false},
		{"GET", "/v1/sys/mounts", "not-a-token", 403, false},
		{"GET", "/v1/sys/health", "", 200, false},
	}
	for _, h := range []http.Handler{e.VaultHandler(), e.vaultInternal} {
		for _, c := range cases {
			e.journal.Clear()
			req := httptest.NewRequest(c.method, c.path, nil)
			req.Host = "127.0.0.1:8200"
			if c.token != "" {
				req.Header.Set("X-Vault-Token", c.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := e.journal.Entries(0, false)
			if rec.Code != c.status || len(got) != 1 || got[0].Unmatched != c.unmatched || got[0].Status != c.status || got[0].Service != "vault" {
				t.Errorf("%s %s: %d, journal %+v; want %d, unmatched %v", c.method, c.path, rec.Code, got, c.status, c.unmatched)
			}
		}
	}
}
