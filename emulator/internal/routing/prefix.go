package routing

import (
	"net/http"
	"path"
	"strings"

	"github.com/gorilla/mux"
)

// MountFirst mounts h under each of prefixes (Mount) as the first rows of
// r, a router made by New or NewRouter with no rows yet, and returns r's
// handler with a fast path: a request whose escaped path (what r matches)
// lies under one of the prefixes and is clean (r would redirect it
// otherwise) goes to h directly, as r would send it, skipping r's walk
// over its rows and the two request copies it makes for mux.Vars (a
// mounted prefix has no variables). r stays the table: rows added after
// come later in its order and serve every other request. On a router
// that has rows already the prefixes come after them and r, with no fast
// path, is the handler.
func MountFirst(r *mux.Router, h http.Handler, prefixes ...string) http.Handler {
	rows := 0
	_ = r.Walk(func(*mux.Route, *mux.Router, []*mux.Route) error { rows++; return nil })
	for _, p := range prefixes {
		Mount(r, p, h)
	}
	if rows > 0 {
		return r
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p := req.URL.EscapedPath()
		if clean(p) {
			for _, prefix := range prefixes {
				if strings.HasPrefix(p, prefix) {
					h.ServeHTTP(w, req)
					return
				}
			}
		}
		r.ServeHTTP(w, req)
	})
}

// clean reports whether gorilla/mux leaves p as it is rather than
// redirecting to its cleaned form: path.Clean's, with a trailing slash
// kept; a path not rooted gets a leading slash. A rooted path with no
// "//" and no "/." is clean as it is.
func clean(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return true
	}
	c := path.Clean(p)
	return c == p || (strings.HasSuffix(p, "/") && len(p) == len(c)+1 && strings.HasPrefix(p, c))
}
