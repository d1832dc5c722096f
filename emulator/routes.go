package emulator

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/internal/guard"
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
// it does not route is Vault's {"errors":[]} 404. Vault's rows come first,
// so a request under them goes straight to Vault (routing.MountFirst),
// without the sweep Vault's ServeHTTP makes: the middleware has made it.
func (e *Emulator) vaultRoutes() http.Handler {
	r := routing.New(nil, routing.Options{NotFound: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqinfo.MarkUnmatchedAt(w, r) // through the writer, as the middleware expects of this listener
		vault.WriteErrors(w, http.StatusNotFound)
	})})
	h := routing.MountFirst(r, e.vault.Swept(), vaultMounts...)
	e.admin.Register(r)
	return h
}

// buildHandlers builds each listener's handler: the middleware around the
// host and cross-site guard around the listener's routes, and the same
// without the guard for the emulator's own in-process calls. The routers
// themselves are built by the first request that needs them or in the
// background once the listeners are up (warm).
func (e *Emulator) buildHandlers() {
	g := &guard.Guard{Hosts: e.knownHosts, Allowed: e.cfg.AllowedHosts}
	e.routers = []*routing.Lazy{
		routing.NewLazy(func() http.Handler { return e.tfcRoutes() }),
		routing.NewLazy(e.vaultRoutes),
		routing.NewLazy(func() http.Handler { return e.cloudsRoutes() }),
	}
	tfcRoutes, vaultRoutes, cloudsRoutes := e.routers[0], e.routers[1], e.routers[2]
	e.tfcHandler = e.middleware("tfc", g.Wrap(tfcRoutes, denyIn("tfc")))
	e.vaultHandler = e.middleware("vault", g.Wrap(vaultRoutes, denyIn("vault")))
	e.tfcInternal = e.middleware("tfc", tfcRoutes)
	e.vaultInternal = e.middleware("vault", vaultRoutes)
	e.cloudsHandler = e.middleware("clouds", g.Wrap(cloudsRoutes, denyIn("clouds")))
}

// Warm builds the routers not built yet, so that the first request does
// not wait for them (a request that comes first builds, or waits for,
// the one it needs), and what the clouds left for later. tfcemu serve
// calls it in the background once it has said it is ready: run during
// the start, its allocations and faults slowed the start by a tenth.
func (e *Emulator) Warm() {
	for _, r := range e.routers {
		r.Warm()
	}
	e.tfc.Warm()
	e.vault.Warm()
	e.admin.Warm()
	for _, c := range e.clouds {
		if w, ok := c.svc.(interface{ Warm() }); ok {
			w.Warm()
		}
	}
}

// knownHosts are the URLs the emulator is known by besides loopback: the
// external URL, the issuer and the Vault external URL.
func (e *Emulator) knownHosts() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	hosts := []string{e.tfcURL, e.vaultURL, e.cloudsURL, e.issuer.URL(), e.cfg.ExternalURL, e.cfg.VaultExternalURL, e.cfg.Issuer}
	if e.cfg.ProductionListen != "" {
		// The production listener answers as TFC's production address.
		hosts = append(hosts, "https://"+productionHost)
	}
	return hosts
}

// denyIn writes the guard's refusals in the format of the API the path
// belongs to: the admin API's under /_emulator, otherwise the listener's.
func denyIn(service string) guard.Deny {
	return func(w http.ResponseWriter, r *http.Request, status int, msg string) {
		if r.URL.Path == admin.Prefix || strings.HasPrefix(r.URL.Path, admin.Prefix+"/") {
			admin.WriteError(w, status, msg)
			return
		}
		writeStatus(w, service, status, msg)
	}
}

// writeStatus answers with an error status in the listener's format: the
// TFC writer's JSON:API document, or Vault's {"errors":[...]}.
func writeStatus(w http.ResponseWriter, service string, status int, detail string) {
	if service == "clouds" {
		writeCloudsError(w, status, firstNonEmpty(detail, http.StatusText(status)))
		return
	}
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
// listeners), each cloud (api "aws", ...: on the clouds listener) and
// Vault (its mount point, or its paths if it lists them).
func (e *Emulator) Routes() []Route {
	rows := e.tfc.Routes()
	rows = append(rows, routing.Inventory("issuer", routing.New(e.issuer.Routes(nil), routing.Options{}))...)
	rows = append(rows, e.admin.Routes()...)
	for _, c := range e.clouds {
		rows = append(rows, routing.Inventory(c.name, routing.New(c.svc.Routes(), routing.Options{}))...)
	}
	if l, ok := any(e.vault).(vaultRouteLister); ok {
		return append(rows, l.Routes()...)
	}
	vr := routing.NewRouter()
	e.mountVault(vr)
	return append(rows, routing.Inventory("vault", vr)...)
}
