package vault

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzRequest: any method, path, content type and body to the Vault API
// is parsed and answered (with the root token, so every backend is
// reached) with a JSON body or none, and never panics but for the
// deliberate dropped connection.
func FuzzRequest(f *testing.F) {
	// Backends reach nothing: TFC and JWKS calls fail at once.
	offline := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("offline") })}
	s := New(Config{RootToken: "root", HTTPClient: offline, Now: func() time.Time { return time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC) }})
	for _, m := range []string{"terraform/", "auth/jwt/"} {
		typ := strings.TrimSuffix(strings.TrimPrefix(m, "auth/"), "/")
		prefix := "sys/mounts/"
		if strings.HasPrefix(m, "auth/") {
			prefix = "sys/auth/"
		}
		req := httptest.NewRequest(http.MethodPost, "/v1/"+prefix+strings.TrimPrefix(strings.TrimSuffix(m, "/"), "auth/"), strings.NewReader(`{"type":"`+typ+`"}`))
		req.Header.Set("X-Vault-Token", "root")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			f.Fatalf("mount %s: %d %s", m, rec.Code, rec.Body)
		}
	}
	f.Add("POST", "terraform/role/r", "application/json", `{"organization":"o","ttl":"1h"}`)
	f.Add("GET", "sys/mounts", "", "")
	f.Add("LIST", "auth/jwt/role", "", "")
	f.Add("PUT", "auth/token/create", "application/x-www-form-urlencoded", "policies=a&policies=b&ttl=1e30")
	f.Add("POST", "sys/policies/acl/p", "application/json", `{"policy":"path \"a\" {capabilities=[\"read\"]}"}`)
	f.Add("PATCH", "sys/leases/renew", "application/merge-patch+json", `{"lease_id":[1,{"a":null}]}`)
	f.Add("POST", "auth/jwt/role/r", "application/json", `{"bound_claims":"x","token_ttl":9300000000}`)
	f.Add("GET", "sys/internal/ui/mounts/terraform?help=1", "", "")
	f.Fuzz(func(t *testing.T, method, path, contentType, body string) {
		if !validMethod(method) {
			return
		}
		req, err := http.NewRequest(method, "http://vault/v1/"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("X-Vault-Token", "root")
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if p := recover(); p != nil && p != http.ErrAbortHandler {
					t.Fatalf("%s %s %q: panic %v", method, path, body, p)
				}
			}()
			s.ServeHTTP(rec, req)
		}()
		if b := rec.Body.Bytes(); len(b) > 0 && !json.Valid(b) {
			t.Fatalf("%s %s %q: %d not JSON: %s", method, path, body, rec.Code, b)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
