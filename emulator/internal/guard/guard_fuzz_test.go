package guard

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzGuard sends arbitrary Host, Origin and Sec-Fetch-Site values: the
// guard never panics, admits a Host only if it is loopback, known or
// allowed, and admits no state-changing request a browser marked as
// cross-site.
func FuzzGuard(f *testing.F) {
	for _, s := range [][4]string{
		{"POST", "127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"POST", "evil.example", "http://evil.example", "cross-site"},
		{"GET", "[::1]:80", "", "same-origin"},
		{"DELETE", "TFCEMU:8080", "null", ""},
		{"PUT", "localhost.", "http://localhost.:8080", "none"},
		{"PATCH", "[fe80::1%25eth0]:1", "http://[::1", ""},
		{"POST", "127.0.0.1.nip.io", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	g := &Guard{Hosts: func() []string { return []string{"http://tfcemu:8080", "https://issuer.test/x"} }, Allowed: []string{"ok.test"}}
	h := g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) }),
		func(w http.ResponseWriter, _ *http.Request, status int, _ string) { w.WriteHeader(status) })
	f.Fuzz(func(t *testing.T, method, host, origin, fetchSite string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Method, r.Host = method, host
		r.Header.Set("Origin", origin)
		r.Header.Set("Sec-Fetch-Site", fetchSite)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != 299 && rec.Code != http.StatusForbidden {
			t.Fatalf("status %d", rec.Code)
		}
		if rec.Code != 299 {
			return
		}
		name := HostName(host)
		if name != "" && !IsLoopback(name) && name != "tfcemu" && name != "issuer.test" && name != "ok.test" {
			t.Fatalf("host %q (%q) admitted", host, name)
		}
		if stateChanging(method) {
			if fetchSite == "cross-site" || origin == "null" {
				t.Fatalf("%s with Origin %q Sec-Fetch-Site %q admitted", method, origin, fetchSite)
			}
			if origin != "" {
				u, err := url.Parse(origin)
				if err != nil || !strings.EqualFold(u.Scheme, "http") || withoutDefaultPort(u.Host, "http") != withoutDefaultPort(host, "http") {
					t.Fatalf("%s from Origin %q admitted on Host %q", method, origin, host)
				}
			}
		}
	})
}
