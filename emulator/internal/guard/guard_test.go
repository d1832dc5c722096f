package guard

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGuard(t *testing.T) {
	g := &Guard{
		Hosts:   func() []string { return []string{"http://tfcemu:8080", "https://issuer.example.com", ""} },
		Allowed: []string{"dev.internal", "other.test:9999"},
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := g.Wrap(ok, func(w http.ResponseWriter, _ *http.Request, status int, msg string) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg))
	})
	for _, tc := range []struct {
		name, method, host string
		header             map[string]string
		tls                bool
		want               int
		msg                string
	}{
		{"loopback v4", "GET", "127.0.0.1:8080", nil, false, 204, ""},
		{"loopback 127/8", "POST", "127.9.9.9", nil, false, 204, ""},
		{"loopback v6", "GET", "[::1]:8080", nil, false, 204, ""},
		{"localhost", "GET", "LOCALHOST:8080", nil, false, 204, ""},
		{"external url host", "GET", "tfcemu:8080", nil, false, 204, ""},
		{"external url host, other port", "GET", "tfcemu:1234", nil, false, 204, ""},
		{"issuer host", "GET", "issuer.example.com", nil, false, 204, ""},
		{"allowed", "GET", "dev.internal:80", nil, false, 204, ""},
		{"allowed with port in the flag", "GET", "other.test", nil, false, 204, ""},
		{"foreign", "GET", "evil.example:8080", nil, false, 403, "--allowed-hosts"},
		{"rebinding to a loopback name", "GET", "127.0.0.1.evil.example", nil, false, 403, "--allowed-hosts"},
		{"cross-site fetch", "POST", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, false, 403, "cross-site"},
		{"same-site fetch", "POST", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1:8080"}, false, 204, ""},
		{"foreign origin", "POST", "127.0.0.1:8080", map[string]string{"Origin": "http://evil.example"}, false, 403, "cross-site"},
		{"foreign origin on DELETE", "DELETE", "127.0.0.1:8080", map[string]string{"Origin": "http://evil.example"}, false, 403, "cross-site"},
		{"other port is another origin", "PUT", "127.0.0.1:8080", map[string]string{"Origin": "http://127.0.0.1:3000"}, false, 403, "cross-site"},
		{"other scheme is another origin", "PATCH", "127.0.0.1:8080", map[string]string{"Origin": "https://127.0.0.1:8080"}, false, 403, "cross-site"},
		{"null origin", "POST", "127.0.0.1:8080", map[string]string{"Origin": "null"}, false, 403, "cross-site"},
		{"same origin over TLS", "POST", "localhost", map[string]string{"Origin": "https://localhost:443"}, true, 204, ""},
		{"same origin behind a TLS proxy", "POST", "tfcemu", map[string]string{"Origin": "https://tfcemu", "X-Forwarded-Proto": "https"}, false, 204, ""},
		{"foreign origin on a read", "GET", "127.0.0.1:8080", map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, false, 204, ""},
		{"no origin (curl, SDKs)", "POST", "127.0.0.1:8080", nil, false, 204, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/x", nil)
			r.Host = tc.host
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			} else {
				r.TLS = nil
			}
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.msg) {
				t.Fatalf("%d %q, want %d containing %q", rec.Code, rec.Body.String(), tc.want, tc.msg)
			}
		})
	}
}

func TestAllowAny(t *testing.T) {
	g := &Guard{Allowed: []string{"*"}}
	h := g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}), func(w http.ResponseWriter, _ *http.Request, s int, _ string) { w.WriteHeader(s) })
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = "anything.example"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != 200 {
		t.Fatalf("status %d with --allowed-hosts '*'", rec.Code)
	}
}
