// Package ui is the inspector: a page at /_emulator/ui, embedded in the
// binary (plain HTML, CSS and vanilla JavaScript; no CDN, no cookies),
// that reads only the admin API. The page shell and its assets carry no
// data and are served without the admin token; every fetch the page makes
// sends the token the user gives it as an Authorization header.
package ui

import (
	"embed"
	"encoding/json"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var files embed.FS

// types are the assets' content types.
var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
}

// csp lets the page load only its own assets and talk only to its own
// origin; nothing may frame it.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the page at prefix ("/_emulator/ui") and its assets
// under prefix + "/".
func Handler(prefix string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, prefix), "/")
		if name == "" {
			name = "index.html"
		}
		b, err := files.ReadFile("static/" + name)
		ct, known := types[path.Ext(name)]
		if err != nil || !known || strings.Contains(name, "/") {
			// The admin API's error shape.
			body, _ := json.Marshal(map[string]string{"error": "no inspector asset " + name})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write(append(body, '\n'))
			return
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		_, _ = w.Write(b)
	})
}

// IsShell reports whether a request is for the page shell or an asset:
// what is served without the admin token.
func IsShell(prefix string, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return r.URL.Path == prefix || strings.HasPrefix(r.URL.Path, prefix+"/")
}
