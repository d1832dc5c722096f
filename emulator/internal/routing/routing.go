// Package routing builds the emulator's routers on github.com/gorilla/mux:
// one route table per API, each row a method, a path template and a
// handler. Path variables reach handlers as request path values
// (r.PathValue), copied from mux.Vars once, here.
package routing

import (
	"fmt"
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
//
// gorilla/mux tries routes one after another, so a large table is split
// into one subrouter per path segment after the prefix all rows share
// (/api/v2/organizations/..., /api/v2/workspaces/...): a request is
// tried against its segment's rows only. Each row keeps its table order
// within its segment, and no row is reachable from another segment, so
// what matches is what the flat table would match.
func New(table []Route, opts Options) *mux.Router {
	r := NewRouter()
	addBucketed(r, table)
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

// minBucketed is the smallest table New splits by segment.
const minBucketed = 16

// addBucketed registers table on r, split by the path segment after the
// literal prefix every row shares when that segment is a literal in
// every row; else flat. Rows are named by their table index, which
// Inventory lists them by.
func addBucketed(r *mux.Router, table []Route) {
	depth, ok := bucketDepth(table)
	if !ok || len(table) < minBucketed {
		for i, rt := range table {
			addRow(r, rt, i)
		}
		return
	}
	subs := map[string]*mux.Router{}
	for i, rt := range table {
		key, _ := segment(rt.Path, depth)
		sub := subs[key]
		if sub == nil {
			sub = r.NewRoute().MatcherFunc(segmentIs(depth, key)).Subrouter()
			subs[key] = sub
		}
		addRow(sub, rt, i)
	}
}

// addRow registers one row, named for its index in the table.
func addRow(r *mux.Router, rt Route, i int) {
	methods := []string{rt.Method}
	if rt.Method == http.MethodGet {
		methods = append(methods, http.MethodHead)
	}
	r.Handle(rt.Path, PathValues(rt.Handler)).Methods(methods...).Name(rowName(i))
}

func rowName(i int) string { return fmt.Sprintf("row-%06d", i) }

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
			if !ok || strings.Contains(s, "{") {
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

// segmentIs matches requests whose escaped path has key as its depth-th
// segment.
func segmentIs(depth int, key string) mux.MatcherFunc {
	return func(r *http.Request, _ *mux.RouteMatch) bool {
		s, ok := segment(r.URL.EscapedPath(), depth)
		return ok && s == key
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
	type ordered struct {
		key string
		row Row
	}
	var rows []ordered
	_ = router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		path, err := route.GetPathTemplate()
		if err != nil {
			return nil
		}
		key := route.GetName()
		if key == "" {
			key = rowName(len(rows))
		}
		methods, err := route.GetMethods()
		if err != nil {
			rows = append(rows, ordered{key, Row{API: api, Method: "*", Path: path}})
			return nil
		}
		for _, m := range methods {
			if m == http.MethodHead && slices.Contains(methods, http.MethodGet) {
				continue
			}
			rows = append(rows, ordered{key, Row{API: api, Method: m, Path: path}})
		}
		return nil
	})
	slices.SortStableFunc(rows, func(a, b ordered) int { return strings.Compare(a.key, b.key) })
	out := make([]Row, len(rows))
	for i, o := range rows {
		out[i] = o.row
	}
	return out
}
