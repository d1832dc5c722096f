// Package routing builds the emulator's routers on github.com/gorilla/mux:
// one route table per API, each row a method, a path template and a
// handler. Path variables reach handlers as request path values
// (r.PathValue), copied from mux.Vars once, here.
package routing

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/mux"
)

// Route is one row of an API's route table.
type Route struct {
	// Method is the HTTP method; a GET row also answers HEAD, as the
	// standard library's mux did.
	Method string
	// Path is a gorilla/mux path template, e.g. /api/v2/runs/{id}.
	Path    string
	Handler http.Handler
}

// Row is one line of a route inventory.
type Row struct {
	API    string `json:"api"`
	Method string `json:"method"`
	Path   string `json:"path"`
}

// Options are an API's answers to requests its table does not route.
type Options struct {
	// NotFound answers a path no row knows.
	NotFound http.Handler
	// MethodNotAllowed answers a known path with another method; allow
	// lists the methods the path is routed for (the Allow header is set).
	MethodNotAllowed func(w http.ResponseWriter, r *http.Request, allow []string)
}

// New returns a router for table. Paths are matched escaped, one segment
// per variable, and variables are unescaped, as net/http's ServeMux does.
func New(table []Route, opts Options) *mux.Router {
	r := NewRouter()
	Add(r, table)
	r.NotFoundHandler = opts.NotFound
	if opts.MethodNotAllowed != nil {
		r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			allow := Allowed(r, req)
			w.Header().Set("Allow", strings.Join(allow, ", "))
			opts.MethodNotAllowed(w, req, allow)
		})
	}
	return r
}

// NewRouter is an empty router configured as every router of the emulator.
func NewRouter() *mux.Router { return mux.NewRouter().UseEncodedPath() }

// Add registers the rows of table on r.
func Add(r *mux.Router, table []Route) {
	for _, rt := range table {
		methods := []string{rt.Method}
		if rt.Method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
		r.Handle(rt.Path, PathValues(rt.Handler)).Methods(methods...)
	}
}

// Mount hands every path under prefix to h (another API's router).
func Mount(r *mux.Router, prefix string, h http.Handler) {
	r.PathPrefix(prefix).Handler(h)
}

// PathValues is the one adapter between gorilla/mux and the handlers: it
// copies mux.Vars into the request's path values, unescaped.
func PathValues(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range mux.Vars(r) {
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
			r.SetPathValue(k, v)
		}
		h.ServeHTTP(w, r)
	})
}

// Allowed lists, sorted, the methods r's path is routed for on router.
func Allowed(router *mux.Router, r *http.Request) []string {
	var allow []string
	_ = router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		methods, err := route.GetMethods()
		if err != nil {
			return nil
		}
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if route.Match(probe, &mux.RouteMatch{}) && !slices.Contains(allow, m) {
				allow = append(allow, m)
			}
		}
		return nil
	})
	slices.Sort(allow)
	return allow
}

// Inventory lists router's routes as rows of api, in table order: one row
// per method (HEAD, implied by GET, is left out) and one row "*" for a
// mounted prefix.
func Inventory(api string, router *mux.Router) []Row {
	var rows []Row
	_ = router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		path, err := route.GetPathTemplate()
		if err != nil {
			return nil
		}
		methods, err := route.GetMethods()
		if err != nil {
			rows = append(rows, Row{API: api, Method: "*", Path: path})
			return nil
		}
		for _, m := range methods {
			if m == http.MethodHead && slices.Contains(methods, http.MethodGet) {
				continue
			}
			rows = append(rows, Row{API: api, Method: m, Path: path})
		}
		return nil
	})
	return rows
}

// minBucketed is the smallest table Bucketed splits by segment.
const minBucketed = 16

// Bucketed serves table as New(table, opts) does, faster: gorilla/mux
// tries routes one after another, so the rows are split by the path
// segment after the literal prefix every row shares (/api/v2/organizations,
// /api/v2/workspaces, ...) into one router each, and a request is tried
// against its segment's rows only. No row is reachable from another
// segment and each keeps its table order, so what matches, the 405 and
// its Allow, and the 404 are the flat router's; a request with no such
// segment (or a table that does not split) goes to the flat router, which
// New(table, opts) returns beside for inspection (Inventory, Match).
func Bucketed(table []Route, opts Options) (*mux.Router, http.Handler) {
	flat := New(table, opts)
	depth, ok := bucketDepth(table)
	if !ok || len(table) < minBucketed {
		return flat, flat
	}
	rows := map[string][]Route{}
	for _, rt := range table {
		key, _ := segment(rt.Path, depth)
		rows[key] = append(rows[key], rt)
	}
	buckets := make(map[string]*mux.Router, len(rows))
	for key, part := range rows {
		buckets[key] = New(part, opts)
	}
	return flat, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key, ok := segment(r.URL.EscapedPath(), depth); ok {
			if b, ok := buckets[key]; ok {
				b.ServeHTTP(w, r)
				return
			}
		}
		flat.ServeHTTP(w, r)
	})
}

// bucketDepth is the index of the first path segment not shared by every
// row, if it is a literal (no variable) in each row.
func bucketDepth(table []Route) (int, bool) {
	if len(table) == 0 {
		return 0, false
	}
	for depth := 0; ; depth++ {
		first, ok := segment(table[0].Path, depth)
		if !ok {
			return 0, false
		}
		shared := true
		for _, rt := range table {
			s, ok := segment(rt.Path, depth)
			if !ok || s == "" || strings.Contains(s, "{") {
				return 0, false
			}
			if s != first {
				shared = false
			}
		}
		if !shared {
			return depth, true
		}
	}
}

// segment returns the depth-th (from 0) segment of path, if it has one.
func segment(path string, depth int) (string, bool) {
	path = strings.TrimPrefix(path, "/")
	for range depth {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return "", false
		}
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '/'); i >= 0 {
		path = path[:i]
	}
	return path, true
}
