package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/tfcemu/tfcemu/emulator/admin/ui"
	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/identity"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// Prefix is the reserved path prefix of the admin API.
const Prefix = "/_emulator"

// UIPath is the inspector's page; its assets are under UIPath + "/".
const UIPath = Prefix + "/ui"

// MaxBodyBytes bounds admin request bodies, as every API of the emulator.
const MaxBodyBytes = 1 << 20

// MaxSnapshotBytes bounds a PUT /_emulator/snapshot body, which holds the
// whole state (about 1.6 KiB a workspace with a variable): a limit of its
// own, well above MaxBodyBytes.
const MaxSnapshotBytes = 1 << 30

// Issuer is what the admin API needs of the OIDC issuer.
type Issuer interface {
	URL() string
	KeyIDs() []string
	RotateKey() (string, error)
	MintWorkspaceRun(identity.WorkspaceRun) (identity.Token, error)
	MintModuleTest(identity.ModuleTestRun) (identity.Token, error)
}

// Directory resolves the TFC names a token is minted for.
type Directory interface {
	LookupOrganization(name string) (tfc.Organization, error)
	LookupWorkspace(org, name string) (tfc.WorkspaceIdentity, error)
}

// Runs is what the admin API needs of runs and agents.
type Runs interface {
	TestRunEnvironment(id string) (tfc.RunEnvironment, error)
	PhaseEnvironmentOf(id, phase string) (tfc.RunView, *tfc.PhaseEnvironment, []string, error)
	AdvanceRun(ctx context.Context, id, until string) (string, error)
	AppendRunLog(id, phase string, lines []string) error
	FailRunPhase(id, phase, message string) error
	RegisterAgent(poolID, name, version string) (string, error)
	QueueRun(ctx context.Context, org, workspace, agentVersion string) (string, error)
}

// Config wires the admin API to the rest of the emulator.
type Config struct {
	Clock     *clock.Clock
	Issuer    Issuer
	Directory Directory
	Runs      Runs
	Observe   Observability
	// Reset returns every service to the seed.
	Reset func()
	// Services reports the base URL of each listener, for health.
	Services func() map[string]string
	// Info reports URLs and tokens (what --ready-file holds), for tools
	// such as tfcemu agent.
	Info   func() any
	Logger *slog.Logger
	// Extra are more routes under Prefix, paths included (the clouds'
	// admin routes under /_emulator/<cloud>), behind the same token.
	Extra []routing.Route
	// Token, when set, is the bearer token every admin route but
	// GET /_emulator/health and the inspector's page shell requires
	// (--admin-token).
	Token string
	// MaxSnapshotBytes bounds a snapshot PUT; 0 is MaxSnapshotBytes.
	MaxSnapshotBytes int64
	// HTTPClient fetches the issuer's JWKS for POST /_emulator/tokens/explain
	// (the emulator's in-process client); nil means http.DefaultClient.
	HTTPClient *http.Client
	// Explain evaluates a token against the configured trusts for
	// POST /_emulator/tokens/explain; nil explains only the token itself.
	Explain Explainer
}

// API is the admin API.
type API struct {
	cfg Config
	// router is built once, on first use (a request, Routes or Warm):
	// compiling its patterns is a good part of a start's work, and both
	// listeners share it.
	router     *mux.Router
	routerOnce sync.Once
}

// New returns the admin API for cfg.
func New(cfg Config) *API {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &API{cfg: cfg}
}

// routes is the one route table of this API.
func (a *API) routes() []routing.Route {
	return append([]routing.Route{
		{Method: "GET", Path: Prefix + "/health", Handler: a.adapt(a.health)},
		{Method: "GET", Path: Prefix + "/info", Handler: a.adapt(a.info)},
		{Method: "POST", Path: Prefix + "/reset", Handler: a.adapt(a.reset)},
		{Method: "GET", Path: Prefix + "/clock", Handler: a.adapt(a.getClock)},
		{Method: "POST", Path: Prefix + "/clock", Handler: a.adapt(a.postClock)},
		{Method: "POST", Path: Prefix + "/keys/rotate", Handler: a.adapt(a.rotateKeys)},
		{Method: "GET", Path: Prefix + "/keys", Handler: a.adapt(a.listKeys)},
		{Method: "POST", Path: Prefix + "/workload-identity-tokens", Handler: a.adapt(a.mintToken)},
		{Method: "GET", Path: Prefix + "/runs/{id}/environment", Handler: a.adapt(a.runEnvironment)},
		{Method: "GET", Path: Prefix + "/runs/{id}/log", Handler: http.HandlerFunc(a.runLog)},
		{Method: "POST", Path: Prefix + "/runs", Handler: a.adapt(a.queueRun)},
		{Method: "POST", Path: Prefix + "/runs/{id}/advance", Handler: a.adapt(a.advanceRun)},
		{Method: "POST", Path: Prefix + "/runs/{id}/log", Handler: a.adapt(a.appendLog)},
		{Method: "POST", Path: Prefix + "/runs/{id}/fail", Handler: a.adapt(a.failPhase)},
		{Method: "POST", Path: Prefix + "/agent-pools/{id}/agents", Handler: a.adapt(a.registerAgent)},
		{Method: "GET", Path: Prefix + "/requests", Handler: a.adapt(a.requests)},
		{Method: "DELETE", Path: Prefix + "/requests", Handler: a.adapt(a.clearRequests)},
		{Method: "GET", Path: Prefix + "/faults", Handler: a.adapt(a.listFaults)},
		{Method: "POST", Path: Prefix + "/faults", Handler: a.adapt(a.addFault)},
		{Method: "DELETE", Path: Prefix + "/faults", Handler: a.adapt(a.deleteFaults)},
		{Method: "DELETE", Path: Prefix + "/faults/{id}", Handler: a.adapt(a.deleteFault)},
		{Method: "GET", Path: Prefix + "/snapshot", Handler: a.adapt(a.getSnapshot)},
		{Method: "PUT", Path: Prefix + "/snapshot", Handler: a.adapt(a.putSnapshot)},
		{Method: "POST", Path: Prefix + "/tokens/explain", Handler: a.adapt(a.explainToken)},
		{Method: "GET", Path: UIPath, Handler: ui.Handler(UIPath)},
		{Method: "GET", Path: UIPath + "/{asset}", Handler: ui.Handler(UIPath)},
	}, a.cfg.Extra...)
}

// Router is the admin API's router: a path under Prefix no row knows is a
// 404, a known path with another method a 405 with Allow, both in the
// admin API's JSON error body. It is built on the first call.
func (a *API) Router() *mux.Router {
	a.routerOnce.Do(func() { a.router = a.newRouter() })
	return a.router
}

// Warm builds the router now, so that the first request does not wait for
// it (the emulator calls it in the background once its listeners are up).
func (a *API) Warm() { a.Router() }

// newRouter builds the router from the route table.
func (a *API) newRouter() *mux.Router {
	return routing.New(a.routes(), routing.Options{
		NotFound: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.respond(w)(failure(http.StatusNotFound, fmt.Sprintf("no admin route %s %s", r.Method, r.URL.Path)))
		}),
		MethodNotAllowed: func(w http.ResponseWriter, r *http.Request, allow []string) {
			a.respond(w)(failure(http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", "))))
		},
	})
}

// Register mounts the admin API under Prefix on a listener's router,
// behind the admin token when one is set. The router is built on the first
// request (or Warm), not here.
func (a *API) Register(r *mux.Router) {
	routing.Mount(r, Prefix+"/", a.authorize(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.Router().ServeHTTP(w, r)
	})))
}

// authorize requires Config.Token as a bearer token on every request but
// the health check and the inspector's page shell and assets (GET or HEAD:
// they hold no data), compared in constant time.
func (a *API) authorize(next http.Handler) http.Handler {
	if a.cfg.Token == "" {
		return next
	}
	want := sha256.Sum256([]byte(a.cfg.Token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.URL.Path == Prefix+"/health" && (r.Method == http.MethodGet || r.Method == http.MethodHead)) || ui.IsShell(UIPath, r) {
			next.ServeHTTP(w, r)
			return
		}
		scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tfcemu admin"`)
			a.respond(w)(failure(http.StatusUnauthorized, "the admin API needs the admin token (--admin-token) in an Authorization: Bearer header"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Routes is the admin API's route inventory.
func (a *API) Routes() []routing.Row { return routing.Inventory("admin", a.Router()) }

// handler is a pure admin handler: it returns a status and a JSON body and
// never touches the writer.
type handler func(*http.Request) (int, any)

func (a *API) adapt(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.respond(w)(h(r)) })
}

// tooLarge is a body over a limit (MaxBodyBytes, or MaxSnapshotBytes for
// a snapshot): a 413, as TFC and Vault answer.
type tooLarge int64

func (t tooLarge) Error() string {
	return fmt.Sprintf("request bodies are limited to %d bytes", int64(t))
}

// decodeFailed is the answer to a decode error: 413 for an oversized body,
// 400 for the rest.
func decodeFailed(err error) (int, any) {
	if errors.As(err, new(tooLarge)) {
		return failure(http.StatusRequestEntityTooLarge, err.Error())
	}
	return badRequest("%v", err)
}

// decode reads a strict JSON body into v: one object, no unknown fields,
// at most MaxBodyBytes (tooLarge beyond). An empty body decodes as {}
// when allowEmpty.
func decode(r *http.Request, v any, allowEmpty bool) error {
	return decodeLimit(r, v, allowEmpty, MaxBodyBytes)
}

// decodeLimit is decode with a body limit of its own.
func decodeLimit(r *http.Request, v any, allowEmpty bool, limit int64) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return fmt.Errorf("reading body: %v", err)
	}
	if int64(len(body)) > limit {
		return tooLarge(limit)
	}
	if strings.TrimSpace(string(body)) == "" {
		if allowEmpty {
			return nil
		}
		return errors.New("a JSON object body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Errorf("field %q must be %s, not %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return fmt.Errorf("invalid JSON body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return errors.New("invalid JSON body: more than one value")
	}
	return nil
}

// Health is the body of GET /_emulator/health.
type Health struct {
	Status   string            `json:"status"`
	Issuer   string            `json:"issuer"`
	Now      string            `json:"now"`
	Services map[string]string `json:"services,omitempty"`
}

func (a *API) health(*http.Request) (int, any) {
	h := Health{Status: "ok", Issuer: a.cfg.Issuer.URL(), Now: a.cfg.Clock.Now().Format(timeFormat)}
	if a.cfg.Services != nil {
		h.Services = a.cfg.Services()
	}
	return http.StatusOK, h
}

func (a *API) info(*http.Request) (int, any) {
	if a.cfg.Info == nil {
		return failure(http.StatusNotFound, "no info")
	}
	return http.StatusOK, a.cfg.Info()
}

func (a *API) reset(*http.Request) (int, any) {
	a.cfg.Reset()
	return http.StatusOK, map[string]string{"status": "reset"}
}

// Keys is the body of the key routes.
type Keys struct {
	Active string   `json:"active"`
	KeyIDs []string `json:"kids"`
}

func (a *API) keys() Keys {
	kids := a.cfg.Issuer.KeyIDs()
	return Keys{Active: kids[len(kids)-1], KeyIDs: kids}
}

func (a *API) listKeys(*http.Request) (int, any) { return http.StatusOK, a.keys() }

func (a *API) rotateKeys(r *http.Request) (int, any) {
	var none struct{}
	if err := decode(r, &none, true); err != nil {
		return decodeFailed(err)
	}
	if _, err := a.cfg.Issuer.RotateKey(); err != nil {
		return failure(http.StatusInternalServerError, "rotate key: "+err.Error())
	}
	return http.StatusOK, a.keys()
}
