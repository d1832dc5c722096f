package tfc

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/tfcemu/tfcemu/fixtures"
)

func newTestService(t testing.TB) (*Service, string) {
	t.Helper()
	seed, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	_, tok, _ := seed.OwnerToken()
	return New(Config{Seed: seed, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}), tok.Token
}

// TestEveryRowIsReachable: a request shaped like each row of the route
// table reaches that row, not an earlier one that shadows it.
func TestEveryRowIsReachable(t *testing.T) {
	s, _ := newTestService(t)
	variable := regexp.MustCompile(`\{[^}]+\}`)
	for _, rt := range s.routes() {
		path := apiPrefix + variable.ReplaceAllString(rt.path, "v-1")
		var m mux.RouteMatch
		if !s.apiRouter().Match(httptest.NewRequest(rt.method, path, nil), &m) || m.Route == nil || m.MatchErr != nil {
			t.Errorf("%s %s: no route", rt.method, path)
			continue
		}
		got, _ := m.Route.GetPathTemplate()
		if got != apiPrefix+rt.path {
			t.Errorf("%s %s reaches %s, not its own row %s", rt.method, path, got, apiPrefix+rt.path)
		}
	}
}

// TestPanicIsTFCs500: a handler that panics answers TFC's JSON:API 500
// (the route table here is a test-only one).
func TestPanicIsTFCs500(t *testing.T) {
	s, owner := newTestService(t)
	router, _ := s.newRouter([]route{{"GET", "/boom", func(*call) (int, any, error) { panic("boom") }}})
	req := httptest.NewRequest("GET", apiPrefix+"/boom", nil)
	req.Header.Set("Authorization", "Bearer "+owner)
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != MediaType ||
		string(body) != `{"errors":[{"status":"500","title":"internal server error"}]}` {
		t.Fatalf("got %d %q %s", rec.Code, rec.Header().Get("Content-Type"), body)
	}
}

// TestPathVariablesAreUnescaped: a variable reaches the handler unescaped,
// one escaped segment each, as net/http's ServeMux gave it.
func TestPathVariablesAreUnescaped(t *testing.T) {
	s, owner := newTestService(t)
	var got string
	router, _ := s.newRouter([]route{{"GET", "/echo/{name}", func(c *call) (int, any, error) {
		got = c.path("name")
		return http.StatusNoContent, nil, nil
	}}})
	req := httptest.NewRequest("GET", apiPrefix+"/echo/a%2Fb%20c", nil)
	req.Header.Set("Authorization", "Bearer "+owner)
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || got != "a/b c" {
		t.Fatalf("got %d %q", rec.Code, got)
	}
}

// TestBucketedRoutingMatchesFlat: the router split by path segment
// answers every row's path, with every method, and paths no row knows,
// exactly as the flat router does (status, Allow, body).
func TestBucketedRoutingMatchesFlat(t *testing.T) {
	s, owner := newTestService(t)
	flat := s.apiRouter()
	variable := regexp.MustCompile(`\{[^}]+\}`)
	paths := []string{apiPrefix + "/nope", apiPrefix + "//organizations", apiPrefix + "/organizations/../ping",
		apiPrefix, apiPrefix + "/", apiPrefix + "/organizations/", apiPrefix + "/ORGANIZATIONS", apiPrefix + "/organizations/a%2Fb"}
	for _, rt := range s.routes() {
		paths = append(paths, apiPrefix+variable.ReplaceAllString(rt.path, "v-1"))
	}
	for _, path := range paths {
		for _, method := range []string{"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"} {
			serve := func(h http.Handler) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, nil)
				req.Header.Set("Authorization", "Bearer "+owner)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			want, got := serve(flat), serve(s.handler)
			if got.Code != want.Code || got.Header().Get("Allow") != want.Header().Get("Allow") ||
				(method != "POST" && method != "PATCH" && method != "DELETE" && got.Body.String() != want.Body.String()) {
				t.Errorf("%s %s: bucketed %d %q %s, flat %d %q %s", method, path, got.Code, got.Header().Get("Allow"), got.Body,
					want.Code, want.Header().Get("Allow"), want.Body)
			}
		}
	}
}
