package vault

import (
	"net/http"
	"slices"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/vault/cubbyhole"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// methodsOf are the HTTP methods that reach an operation.
var methodsOf = map[logical.Operation][]string{
	logical.ReadOperation:   {http.MethodGet},
	logical.ListOperation:   {"LIST"},
	logical.UpdateOperation: {http.MethodPost, http.MethodPut},
	logical.CreateOperation: {http.MethodPost, http.MethodPut},
	logical.DeleteOperation: {http.MethodDelete},
}

// pathLister is a backend that can list its path table.
type pathLister interface{ Paths() []*logical.Path }

// Routes is the inventory of the Vault API: the HTTP-level handlers, then
// every path of the system backend, the token store and each mountable
// engine and method (under /v1/<type>/, its default mount path), one row
// per HTTP method, the path as Vault's regexp pattern.
func (s *Server) Routes() []routing.Row {
	var rows []routing.Row
	for _, h := range httpOnly {
		for _, m := range h.methods {
			rows = append(rows, routing.Row{API: "vault", Method: m, Path: "/v1/" + h.path})
		}
	}
	add := func(prefix string, b logical.Backend) {
		pl, ok := b.(pathLister)
		if !ok {
			return
		}
		for _, p := range pl.Paths() {
			pattern := strings.TrimSuffix(strings.TrimPrefix(p.Pattern, "^"), "$")
			var methods []string
			for op := range p.Operations {
				for _, m := range methodsOf[op] {
					if !slices.Contains(methods, m) {
						methods = append(methods, m)
					}
				}
			}
			slices.Sort(methods)
			for _, m := range methods {
				rows = append(rows, routing.Row{API: "vault", Method: m, Path: "/v1/" + prefix + pattern})
			}
		}
	}
	add("sys/", s.sysBackend)
	add("auth/token/", s.tokenBackend)
	add("cubbyhole/", cubbyhole.Factory(logical.Config{}))
	cfg := logical.Config{Now: s.cfg.Now, HTTPClient: s.cfg.HTTPClient, System: system{&mount{}}}
	for _, typ := range sortedTypes(secretEngines) {
		add(typ+"/", secretEngines[typ](cfg))
	}
	for _, typ := range sortedTypes(authMethods) {
		add("auth/"+typ+"/", authMethods[typ](cfg))
	}
	return rows
}

func sortedTypes(m map[string]logical.Factory) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
