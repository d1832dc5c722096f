package emulator

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tfcemu/tfcemu/emulator/internal/reqinfo"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/tfc"
	"github.com/tfcemu/tfcemu/emulator/vault"
)

// Route is one row of the emulator's route inventory: which API serves a
// method on a path template.
type Route = routing.Row

// vaultMounts are where Vault's API is mounted on the Vault listener, all
// served by Vault's own router: its built-in backends (sys/, auth/token/)
// and, under /v1/, the secrets engines and auth methods enabled at run
// time.
var vaultMounts = []string{"/v1/sys/", "/v1/auth/token/", "/v1/"}

// mountVault hands Vault's paths to Vault.
func (e *Emulator) mountVault(r *mux.Router) {
	for _, prefix := range vaultMounts {
		routing.Mount(r, prefix, e.vault)
	}
}

// tfcRoutes is the TFC listener: the issuer's well-known documents, the
// TFC API with its service discovery and archivist objects, and the admin
// API. What it does not route is TFC's JSON:API 404 or 405.
func (e *Emulator) tfcRoutes() *mux.Router {
	r := routing.New(e.issuer.Routes(func(w http.ResponseWriter, _ error) {
		tfc.WriteStatus(w, http.StatusInternalServerError, "")
	}), routing.Options{NotFound: http.HandlerFunc(tfc.NotFound), MethodNotAllowed: tfc.MethodNotAllowed})
	e.tfc.Register(r)
	e.admin.Register(r)
	return r
}

// vaultRoutes is the Vault listener: Vault's API and the admin API. What
// it does not route is Vault's {"errors":[]} 404.
func (e *Emulator) vaultRoutes() *mux.Router {
	r := routing.New(nil, routing.Options{NotFound: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqinfo.MarkUnmatched(r)
		vault.WriteErrors(w, http.StatusNotFound)
	})})
	e.mountVault(r)
	e.admin.Register(r)
	return r
}

// writeStatus answers with an error status in the listener's format: the
// TFC writer's JSON:API document, or Vault's {"errors":[...]}.
func writeStatus(w http.ResponseWriter, service string, status int, detail string) {
	if service == "vault" {
		msg := detail
		if msg == "" {
			msg = "internal error"
		}
		vault.WriteErrors(w, status, msg)
		return
	}
	tfc.WriteStatus(w, status, detail)
}

// vaultRouteLister is what Vault offers if its router can list its paths.
type vaultRouteLister interface{ Routes() []routing.Row }

// Routes is the inventory of every API the emulator serves: TFC (api
// "tfc"), the archivist objects, the issuer, the admin API (on both
// listeners) and Vault (its mount point, or its paths if it lists them).
func (e *Emulator) Routes() []Route {
	rows := e.tfc.Routes()
	rows = append(rows, routing.Inventory("issuer", routing.New(e.issuer.Routes(nil), routing.Options{}))...)
	rows = append(rows, e.admin.Routes()...)
	if l, ok := any(e.vault).(vaultRouteLister); ok {
		return append(rows, l.Routes()...)
	}
	vr := routing.NewRouter()
	e.mountVault(vr)
	return append(rows, routing.Inventory("vault", vr)...)
}
