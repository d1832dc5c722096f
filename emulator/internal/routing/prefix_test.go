package routing

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"testing"
)

// TestMountFirstAnswersAsTheRouter sends the same requests to a router
// with mounted prefixes and more rows, and to MountFirst's handler over
// the same table: each answers alike (what served it, status, Location),
// clean and unclean paths, escaped ones and the rows after the prefixes
// included.
func TestMountFirstAnswersAsTheRouter(t *testing.T) {
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, name+" "+r.URL.Path) })
	}
	opts := Options{NotFound: named("404")}
	rows := []Route{{Method: http.MethodGet, Path: "/_emulator/health", Handler: named("admin")}}
	prefixes := []string{"/v1/sys/", "/v1/"}

	plain := New(nil, opts)
	for _, p := range prefixes {
		Mount(plain, p, named("vault"))
	}
	Add(plain, rows)
	r := New(nil, opts)
	fast := MountFirst(r, named("vault"), prefixes...)
	Add(r, rows)

	for _, path := range []string{
		"/v1/sys/health", "/v1/terraform/creds/x", "/v1/", "/v1", "/v1//x", "/v1/a/../b", "/v1/a/./b", "/v1/x/",
		"/v1/a%2Fb", "/v1%2Fx", "/_emulator/health", "/_emulator/nope", "/", "/v2/x", "/v1/sys/..",
	} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		plain.ServeHTTP(want, httptest.NewRequest(http.MethodGet, path, nil))
		fast.ServeHTTP(got, httptest.NewRequest(http.MethodGet, path, nil))
		if got.Code != want.Code || got.Body.String() != want.Body.String() || got.Header().Get("Location") != want.Header().Get("Location") {
			t.Errorf("%s: got %d %q %q, the router %d %q %q", path, got.Code, got.Body, got.Header().Get("Location"),
				want.Code, want.Body, want.Header().Get("Location"))
		}
	}
}

// TestMountFirstAfterRows: on a router that has rows already the prefixes
// come after them and the router serves everything.
func TestMountFirstAfterRows(t *testing.T) {
	r := New([]Route{{Method: http.MethodGet, Path: "/v1/x", Handler: http.NotFoundHandler()}}, Options{})
	h := MountFirst(r, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }), "/v1/")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/x", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("/v1/x: %d, want the first row's 404", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/y", nil))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("/v1/y: %d, want the mount's 418", rec.Code)
	}
}

// TestClean compares clean with gorilla/mux's rule: a path is left alone
// when path.Clean (trailing slash kept) gives it back.
func TestClean(t *testing.T) {
	for _, p := range []string{"/", "/v1/", "/v1/x", "/v1//x", "/v1/./x", "/v1/../x", "/v1/.x", "/v1/x.", "/v1/x/.", "/v1/x/..",
		"/v1/x/", "v1/x", "", "/v1/a%2F..", "/v1/...", "/v1/..x/"} {
		want := p != "" && p[0] == '/' && (path.Clean(p) == p || path.Clean(p)+"/" == p && p != "/")
		if got := clean(p); got != want {
			t.Errorf("clean(%q) = %v, want %v", p, got, want)
		}
	}
}
