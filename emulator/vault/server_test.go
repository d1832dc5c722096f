package vault

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"
)

// TestServeIsTheRouter checks the listener's fast path to the logical
// paths against the router it passes: each request answers alike
// (status, headers, body but for its random request_id) through serve
// and through the router alone.
func TestServeIsTheRouter(t *testing.T) {
	s := New(Config{RootToken: "root", Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	requestID := regexp.MustCompile(`"request_id":"[^"]*"`)
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/sys/health"}, {"HEAD", "/v1/sys/health"}, {"POST", "/v1/sys/health"}, {"GET", "/v1/sys/health/"},
		{"GET", "/v1/sys/leader"}, {"GET", "/v1/sys/seal-status"}, {"GET", "/v1/sys/mounts"},
		{"GET", "/v1/sys/sys%2Fhealth"}, {"GET", "/v1/auth/token/lookup-self"}, {"GET", "/v1/nope/x"},
		{"LIST", "/v1/sys/policies/acl"}, {"GET", "/v1/"}, {"GET", "/v1"}, {"GET", "/v2/x"},
	} {
		send := func(h http.Handler) *httptest.ResponseRecorder {
			req := httptest.NewRequest(c.method, c.path, nil)
			req.Header.Set("X-Vault-Token", "root")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		got := send(http.HandlerFunc(s.serve))
		want := send(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			w.Header().Set("Content-Type", "application/json")
			s.http.ServeHTTP(w, r)
		}))
		gotBody, wantBody := requestID.ReplaceAllString(got.Body.String(), ""), requestID.ReplaceAllString(want.Body.String(), "")
		if got.Code != want.Code || gotBody != wantBody || len(got.Header()) != len(want.Header()) {
			t.Errorf("%s %s: got %d %v %s, the router %d %v %s", c.method, c.path, got.Code, got.Header(), got.Body,
				want.Code, want.Header(), want.Body)
		}
		for k := range want.Header() {
			if got.Header().Get(k) != want.Header().Get(k) {
				t.Errorf("%s %s: %s %q, the router %q", c.method, c.path, k, got.Header().Get(k), want.Header().Get(k))
			}
		}
	}
}
