package emulator

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/emulator/clouds/aws"
	"github.com/tfcemu/tfcemu/emulator/clouds/azure"
	"github.com/tfcemu/tfcemu/emulator/clouds/gcp"
	"github.com/tfcemu/tfcemu/emulator/internal/reqinfo"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/fixtures"
)

// DefaultCloudsListen is the clouds listener's default address: AWS STS,
// and at the same URL GCP STS, IAM Credentials and Microsoft Entra.
const DefaultCloudsListen = "127.0.0.1:8300"

// CloudsOff as Config.CloudsListen turns the clouds listener off.
const CloudsOff = "off"

// cloudService is what every emulated cloud (emulator/clouds/<name>)
// offers, as /work/shared CLOUDS-CONTRACT lays out: its own API at the
// root of the clouds listener, admin routes under /_emulator/<name>, a
// snapshot section, a reset to its seed and its decision log.
type cloudService interface {
	Routes() []routing.Route
	AdminRoutes() []routing.Route
	Snapshot() (json.RawMessage, error)
	Restore(json.RawMessage) error
	Reset()
	Decisions() []clouds.Decision
}

// cloud is one emulated cloud with its name (its admin prefix, snapshot
// section and seed section).
type cloud struct {
	name string
	svc  cloudService
}

// newClouds builds the emulated clouds from the seed. Adding a cloud is one
// entry here.
func (e *Emulator) newClouds(seed *fixtures.Seed) ([]cloud, error) {
	a := aws.New(aws.Config{Now: e.clock.Now, HTTPClient: e.httpClient(), Issuer: e.issuer.URL})
	if err := a.ApplySeed(seed.AWS); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	g, err := gcp.NewSeeded(gcp.Config{Now: e.clock.Now, HTTPClient: e.httpClient(), Issuer: e.issuer.URL}, seed.GCPSeed())
	if err != nil {
		return nil, fmt.Errorf("seed: gcp: %w", err)
	}
	z, err := azure.NewSeeded(azure.Config{Now: e.clock.Now, HTTPClient: e.httpClient(), Issuer: e.issuer.URL}, seed.AzureSeed())
	if err != nil {
		return nil, fmt.Errorf("seed: azure: %w", err)
	}
	return []cloud{{"aws", a}, {"gcp", g}, {"azure", z}}, nil
}

// cloudsAdminRoutes are the clouds' admin routes under /_emulator/<name>.
func (e *Emulator) cloudsAdminRoutes() []routing.Route {
	var out []routing.Route
	for _, c := range e.clouds {
		for _, rt := range c.svc.AdminRoutes() {
			rt.Path = admin.Prefix + "/" + c.name + rt.Path
			out = append(out, rt)
		}
	}
	return out
}

// cloudsRoutes is the clouds listener: every cloud's API at the root and
// the admin API. What no cloud routes is a JSON 404.
func (e *Emulator) cloudsRoutes() *mux.Router {
	var table []routing.Route
	for _, c := range e.clouds {
		table = append(table, c.svc.Routes()...)
	}
	r := routing.New(table, routing.Options{
		NotFound: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reqinfo.MarkUnmatched(r)
			writeCloudsError(w, http.StatusNotFound, fmt.Sprintf("no cloud API at %s %s", r.Method, r.URL.Path))
		}),
		MethodNotAllowed: func(w http.ResponseWriter, r *http.Request, allow []string) {
			writeCloudsError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		},
	})
	e.admin.Register(r)
	return r
}

// writeCloudsError answers what no cloud owns in the admin API's shape.
func writeCloudsError(w http.ResponseWriter, status int, msg string) {
	admin.WriteError(w, status, msg)
}

// cloudsListen is the clouds listener's address: CloudsListen, or by
// default 127.0.0.1:8300 (port 0 when the TFC listener asks for port 0,
// so tests that pick free ports do not collide on 8300); "" when off.
func (c Config) cloudsListen() string {
	switch c.CloudsListen {
	case CloudsOff:
		return ""
	case "":
		if _, port, err := net.SplitHostPort(c.TFCListen); err == nil && port == "0" {
			return "127.0.0.1:0"
		}
		return DefaultCloudsListen
	}
	return c.CloudsListen
}

// CloudsHandler serves the clouds listener (AWS STS, GCP STS and IAM
// Credentials, Microsoft Entra, and the admin API).
func (e *Emulator) CloudsHandler() http.Handler { return e.cloudsHandler }

// SetCloudsURL tells an emulator served by someone else (httptest) where
// its clouds listener is.
func (e *Emulator) SetCloudsURL(u string) {
	e.mu.Lock()
	e.cloudsURL = strings.TrimRight(u, "/")
	e.mu.Unlock()
}

// resetClouds returns each cloud to its seed.
func (e *Emulator) resetClouds() {
	for _, c := range e.clouds {
		c.svc.Reset()
	}
}
