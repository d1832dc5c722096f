package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/identity"
	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// Prefix is the reserved path prefix of the admin API.
const Prefix = "/_emulator"

// MaxBodyBytes bounds admin request bodies, as every API of the emulator.
const MaxBodyBytes = 1 << 20

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
}

// API is the admin API.
type API struct{ cfg Config }

// New returns the admin API for cfg.
func New(cfg Config) *API {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &API{cfg: cfg}
}

// Register adds the admin routes to mux: the one route table of this API.
func (a *API) Register(mux *http.ServeMux) {
	for pattern, h := range map[string]handler{
		"GET " + Prefix + "/health":                    a.health,
		"GET " + Prefix + "/info":                      a.info,
		"POST " + Prefix + "/reset":                    a.reset,
		"GET " + Prefix + "/clock":                     a.getClock,
		"POST " + Prefix + "/clock":                    a.postClock,
		"POST " + Prefix + "/keys/rotate":              a.rotateKeys,
		"GET " + Prefix + "/keys":                      a.listKeys,
		"POST " + Prefix + "/workload-identity-tokens": a.mintToken,
		"GET " + Prefix + "/runs/{id}/environment":     a.runEnvironment,
		"POST " + Prefix + "/runs":                     a.queueRun,
		"POST " + Prefix + "/runs/{id}/advance":        a.advanceRun,
		"POST " + Prefix + "/runs/{id}/log":            a.appendLog,
		"POST " + Prefix + "/runs/{id}/fail":           a.failPhase,
		"POST " + Prefix + "/agent-pools/{id}/agents":  a.registerAgent,
		"GET " + Prefix + "/requests":                  a.requests,
		"DELETE " + Prefix + "/requests":               a.clearRequests,
		"GET " + Prefix + "/faults":                    a.listFaults,
		"POST " + Prefix + "/faults":                   a.addFault,
		"DELETE " + Prefix + "/faults":                 a.deleteFaults,
		"DELETE " + Prefix + "/faults/{id}":            a.deleteFault,
		"GET " + Prefix + "/snapshot":                  a.getSnapshot,
		"PUT " + Prefix + "/snapshot":                  a.putSnapshot,
	} {
		mux.Handle(pattern, a.adapt(h))
	}
	mux.HandleFunc("GET "+Prefix+"/runs/{id}/log", a.runLog)
	mux.Handle(Prefix+"/", a.adapt(func(r *http.Request) (int, any) {
		return http.StatusNotFound, errorBody(fmt.Sprintf("no admin route %s %s", r.Method, r.URL.Path))
	}))
}

// handler is a pure admin handler: it returns a status and a JSON body and
// never touches the writer.
type handler func(*http.Request) (int, any)

func (a *API) adapt(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := h(r)
		w.Header().Set("Content-Type", "application/json")
		if body == nil {
			w.WriteHeader(status)
			return
		}
		b, err := json.Marshal(body)
		if err != nil {
			a.cfg.Logger.Error("admin: encode response", "err", err)
			status, b = http.StatusInternalServerError, []byte(`{"error":"encode response"}`)
		}
		w.WriteHeader(status)
		_, _ = w.Write(append(b, '\n'))
	})
}

// Error is the admin API's error body.
type Error struct {
	Error string `json:"error"`
}

func errorBody(msg string) Error { return Error{Error: msg} }

func badRequest(format string, a ...any) (int, any) {
	return http.StatusBadRequest, errorBody(fmt.Sprintf(format, a...))
}

// decode reads a strict JSON body into v: one object, no unknown fields,
// at most MaxBodyBytes. An empty body decodes as {} when allowEmpty.
func decode(r *http.Request, v any, allowEmpty bool) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return fmt.Errorf("reading body: %v", err)
	}
	if len(body) > MaxBodyBytes {
		return fmt.Errorf("body larger than %d bytes", MaxBodyBytes)
	}
	if strings.TrimSpace(string(body)) == "" {
		if allowEmpty {
			return nil
		}
		return errors.New("a JSON object body is required")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
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
		return http.StatusNotFound, errorBody("no info")
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
		return badRequest("%v", err)
	}
	if _, err := a.cfg.Issuer.RotateKey(); err != nil {
		return http.StatusInternalServerError, errorBody("rotate key: " + err.Error())
	}
	return http.StatusOK, a.keys()
}
