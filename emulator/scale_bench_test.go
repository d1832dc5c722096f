package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator"
)

// scaleEmulator is an emulator (cfg, rate limiting off) holding n
// workspaces in my-org, each with one variable, and its owner token.
func scaleEmulator(b *testing.B, cfg emulator.Config, n int) (*emulator.Emulator, string) {
	b.Helper()
	cfg.RateLimit = -1
	e, err := emulator.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	token := e.Info().OwnerToken
	for i := range n {
		rec := serve(e.Handler(), token, "POST", "/api/v2/organizations/my-org/workspaces",
			fmt.Sprintf(`{"data":{"type":"workspaces","attributes":{"name":"scale-%d"}}}`, i))
		if rec.Code != http.StatusCreated {
			b.Fatalf("create workspace %d: %d %s", i, rec.Code, rec.Body)
		}
		id := between(rec.Body.String(), `"id":"`, `"`)
		rec = serve(e.Handler(), token, "POST", "/api/v2/workspaces/"+id+"/vars",
			`{"data":{"type":"vars","attributes":{"key":"region","value":"eu","category":"terraform"}}}`)
		if rec.Code != http.StatusCreated {
			b.Fatalf("create variable %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	return e, token
}

// serve sends one request with token through h.
func serve(h http.Handler, token, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host = "127.0.0.1:8080"
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

func BenchmarkSnapshot10k(b *testing.B) {
	e, _ := scaleEmulator(b, emulator.Config{}, 10000)
	b.ResetTimer()
	for b.Loop() {
		raw, err := e.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(raw)), "bytes")
	}
}
