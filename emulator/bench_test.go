package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tfcemu/tfcemu/emulator"
)

func benchEmulator(b *testing.B) (*emulator.Emulator, string) {
	e, err := emulator.New(emulator.Config{RateLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	return e, e.Info().OwnerToken
}

// BenchmarkRawHandler is the floor: a handler that writes a constant JSON
// document, served through the same httptest recorder.
func BenchmarkRawHandler(b *testing.B) {
	body := []byte(`{"data":{"id":"user-12345abcde","type":"users","attributes":{"username":"tfcemu-owner"}}}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		_, _ = w.Write(body)
	})
	req := httptest.NewRequest("GET", "/api/v2/account/details", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// BenchmarkAccountDetails is one authenticated TFC request through the
// whole stack: middleware, lease sweep, bearer lookup, JSON:API encoding.
func BenchmarkAccountDetails(b *testing.B) {
	benchRequest(b, "GET", "/api/v2/account/details", http.StatusOK)
}

// BenchmarkWorkspaceList lists the seed's workspaces (pagination, a
// resource with many attributes).
func BenchmarkWorkspaceList(b *testing.B) {
	benchRequest(b, "GET", "/api/v2/organizations/my-org/workspaces", http.StatusOK)
}

// BenchmarkFirstRoute is the same unknown-id 404 shape as
// BenchmarkLastRoute, for the route table's first row with a variable:
// first vs last is the router's walk.
func BenchmarkFirstRoute(b *testing.B) {
	benchRequest(b, "GET", "/api/v2/users/user-none", http.StatusNotFound)
}

// BenchmarkLastRoute is a request for the route table's last row (an
// unknown variable of an unknown variable set: a 404 from the handler),
// the router's longest walk.
func BenchmarkLastRoute(b *testing.B) {
	benchRequest(b, "DELETE", "/api/v2/varsets/varset-none/relationships/vars/var-none", http.StatusNotFound)
}

// benchRequest serves one owner request through the TFC listener's whole
// stack, expecting status.
func benchRequest(b *testing.B, method, path string, status int) {
	e, token := benchEmulator(b)
	h := e.Handler()
	req := httptest.NewRequest(method, path, nil)
	req.Host = "127.0.0.1:8080" // a loopback client, as the listeners admit
	req.Header.Set("Authorization", "Bearer "+token)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != status {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
