// Package emulator assembles tfcemu: the TFC API, the OIDC issuer, Vault and
// the admin API, on one virtual clock. Use it in-process from Go tests
// (New + Handler/VaultHandler with httptest, or New + Start) or through the
// tfcemu binary, which is a thin shell around it.
package emulator

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/identity"
	"github.com/tfcemu/tfcemu/emulator/internal/recovery"
	"github.com/tfcemu/tfcemu/emulator/internal/reqinfo"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/runs"
	"github.com/tfcemu/tfcemu/emulator/runs/cloudendpoints"
	"github.com/tfcemu/tfcemu/emulator/runs/executor"
	"github.com/tfcemu/tfcemu/emulator/tfc"
	"github.com/tfcemu/tfcemu/emulator/vault"
)

// Emulator is one running (or ready to run) tfcemu.
type Emulator struct {
	cfg    Config
	log    *slog.Logger
	clock  *clock.Clock
	issuer *identity.Issuer
	tfc    *tfc.Service
	vault  *vault.Server
	admin  *admin.API
	clouds []cloud

	// tfcHandler and vaultHandler serve the listeners, behind the host
	// and cross-site guard; tfcInternal is TFC without the guard, for the
	// emulated Vault's in-process calls (to app.terraform.io among others).
	tfcHandler, vaultHandler, tfcInternal, vaultInternal http.Handler
	// cloudsHandler serves the clouds listener (AWS STS, ...).
	cloudsHandler http.Handler
	// routers are the TFC, Vault and clouds listeners' routers, built
	// when first needed (buildHandlers).
	routers []*routing.Lazy

	mu       sync.Mutex
	tfcURL   string
	vaultURL string
	// cloudsURL is the clouds listener's URL once it listens.
	cloudsURL string
	servers   []*http.Server
	closed    bool
	persist   *stateFile
	// stopSweep ends Vault's background expiry sweep.
	stopSweep context.CancelFunc
	// executor runs Terraform for runs in --runs=execute; nil in manual.
	executor *executor.Executor
	journal  journal
	faults   faults
}

// New builds an emulator from cfg without listening.
func New(cfg Config) (*Emulator, error) {
	cfg, err := cfg.withDefaults()
	if cfg.StateFile == "" && testStateFile != nil {
		cfg.StateFile = testStateFile()
	}
	if err != nil {
		return nil, err
	}
	seed := cfg.Seed
	if cfg.OwnerToken != "" {
		if seed, err = seed.WithOwnerToken(cfg.OwnerToken); err != nil {
			return nil, err
		}
	}
	issuerURL := firstNonEmpty(cfg.Issuer, cfg.ExternalURL, "http://"+cfg.TFCListen)
	iss, err := identity.New(identity.Config{
		URL:           issuerURL,
		Clock:         cfg.Clock,
		Key:           cfg.SigningKey,
		PlanTTL:       cfg.PlanTokenTTL,
		ApplyTTL:      cfg.ApplyTokenTTL,
		NotBeforeSkew: cfg.TokenNotBeforeSkew,
	})
	if err != nil {
		return nil, err
	}
	e := &Emulator{
		cfg:      cfg,
		log:      cfg.Logger,
		clock:    cfg.Clock,
		issuer:   iss,
		tfcURL:   strings.TrimRight(cfg.ExternalURL, "/"),
		vaultURL: strings.TrimRight(cfg.VaultExternalURL, "/"),
	}
	e.tfc = tfc.New(tfc.Config{Seed: seed, Now: cfg.Clock.Now, RateLimit: cfg.RateLimit, Logger: cfg.Logger, Minter: iss,
		Builder: &runs.PhaseEnvironmentBuilder{Minter: iss, HTTPClient: e.httpClient()}})
	if cfg.Runs == RunsExecute {
		xc := executor.Config{Terraform: cfg.TerraformBin, Dir: cfg.RunsDir,
			HooksDir: cfg.HooksDir, PhaseTimeout: cfg.PhaseTimeout, Finished: e.saveState}
		if cfg.RunCloudEndpoints {
			xc.CloudEndpoints = func() cloudendpoints.Endpoints {
				i := e.Info()
				return cloudendpoints.Endpoints{AWSSTSURL: i.AWSSTSURL, GCPSTSURL: i.GCPSTSURL,
					GCPIAMCredentialsURL: i.GCPIAMCredentialsURL, AzureAuthorityURL: i.AzureAuthorityURL}
			}
		}
		if e.executor, err = executor.New(e.tfc, xc); err != nil {
			return nil, err
		}
		e.tfc.SetExecutor(e.executor)
	}
	e.vault = vault.New(vault.Config{RootToken: cfg.VaultRootToken, Now: cfg.Clock.Now, HTTPClient: e.httpClient(), Logger: cfg.Logger})
	if e.clouds, err = e.newClouds(seed); err != nil {
		return nil, err
	}
	e.admin = admin.New(admin.Config{
		Extra:     append(e.cloudsAdminRoutes(), e.inspectAdminRoutes()...),
		Clock:     e.clock,
		Issuer:    e.issuer,
		Directory: e.tfc,
		Runs:      e.tfc,
		Observe:   observe{e},
		Reset:     e.Reset,
		Services:  e.services,
		Info:      func() any { return e.Info() },
		Logger:    e.log,
		Token:     cfg.AdminToken,

		// The inspector's token explainer and the client that reads the
		// issuer's JWKS in process.
		Explain:    e.explainToken,
		HTTPClient: e.httpClient(),
	})
	e.buildHandlers()
	if cfg.StateFile != "" {
		if e.persist, err = openStateFile(cfg.StateFile, e); err != nil {
			return nil, err
		}
	}
	// Runs a previous process left waiting in their queues move on.
	e.tfc.WakeAll()
	return e, nil
}

// saveState saves the state file, if any, after a change made outside a
// request (an executed run's phase ending).
func (e *Emulator) saveState() {
	if e.persist != nil {
		if err := e.persist.sync(); err != nil {
			e.log.Error("state file: a run's change is not saved", "err", err)
		}
	}
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// middleware logs each request, recovers from panics with a 500 in the
// listener's error format, and saves the state file after a change: the
// response of a request that may change state is held until the state
// file has it, so an acknowledged write survives kill -9.
func (e *Emulator) middleware(service string, next http.Handler) http.Handler {
	guard := recovery.Guard{Log: e.log, Attrs: []any{"service", service},
		Write500: func(w http.ResponseWriter) { writeStatus(w, service, http.StatusInternalServerError, "") }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var held *heldResponse
		// A write's response waits for the state file. On Vault a read
		// may write too (creds make a lease and a token; a use of a
		// limited-use token counts), so every Vault response waits.
		if e.persist != nil && (service == "vault" || (r.Method != http.MethodGet && r.Method != http.MethodHead)) {
			held = &heldResponse{header: w.Header()}
			defer held.release(w)
		}
		// What the middleware keeps per request, in one allocation.
		x := &inflight{rec: statusRecorder{ResponseWriter: w, status: http.StatusOK}}
		rec := &x.rec
		if held != nil {
			rec.ResponseWriter = held
		}
		start := e.clock.Now()
		var notes *reqinfo.Notes
		if service == "clouds" {
			// Only the clouds note their decisions; the others skip the cost.
			notes = &x.notes
		}
		if service == "vault" {
			// The Vault listener's handlers (Vault's router, the
			// listener's 404) mark through the writer: no request copy.
			rec.info = &x.info
		} else {
			r = x.info.Track(r, notes)
		}
		var fault string // the injected fault that hit the request
		// Leases the virtual clock has expired are revoked before any
		// request (one look at Vault's expiry queue when none is due), so
		// an expired credential is refused everywhere at once.
		e.vault.SweepDue()
		aborted := false // the handler dropped the connection: nothing is journaled
		defer func() {
			if aborted {
				return
			}
			if e.log.Enabled(r.Context(), slog.LevelDebug) {
				// Checked first: the arguments alone cost allocations.
				e.log.Debug("request", "service", service, "method", r.Method, "path", r.URL.Path,
					"status", rec.status, "virtual_elapsed", e.clock.Now().Sub(start))
			}
			// A refused TFC or cloud request changed nothing; a refused
			// Vault request may have (a limited-use token's use).
			if held != nil && (rec.status < 400 || service == "vault") {
				if err := e.persist.sync(); err != nil {
					// Not on disk: the change is not acknowledged.
					status := http.StatusInternalServerError
					if errors.Is(err, errStateFileClosed) {
						status = http.StatusServiceUnavailable
					}
					held.replace(func(w http.ResponseWriter) { writeStatus(w, service, status, err.Error()) })
					rec.status = status
				}
			}
			if !strings.HasPrefix(r.URL.Path, admin.Prefix) {
				e.journal.add(JournalEntry{Time: start, Service: service, Method: r.Method, Path: r.URL.Path,
					Query: r.URL.RawQuery, Status: rec.status, Unmatched: x.info.Unmatched(), Notes: notes.List(), Fault: fault})
			}
		}()
		defer guard.Recover(rec, r, func() {
			aborted = true
			if held != nil {
				held.aborted = true
			}
		})
		if e.faults.apply(rec, r, service, &fault) {
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// inflight is what the middleware keeps of a request while it is
// served: its status, the journal's flag and notes.
type inflight struct {
	rec   statusRecorder
	info  reqinfo.Info
	notes reqinfo.Notes
}

// heldResponse keeps a response (its header is the real one's) until
// release writes it.
type heldResponse struct {
	header  http.Header
	status  int
	body    bytes.Buffer
	aborted bool // the handler dropped the connection: nothing is sent
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(b)
}

// replace discards the held response (its headers too) for the one write
// writes.
func (h *heldResponse) replace(write func(http.ResponseWriter)) {
	clear(h.header)
	h.status = 0
	h.body.Reset()
	write(h)
}

// release sends the held response to w.
func (h *heldResponse) release(w http.ResponseWriter) {
	if h.status == 0 || h.aborted {
		return // nothing was written: net/http answers 200 with no body
	}
	w.WriteHeader(h.status)
	_, _ = h.body.WriteTo(w)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	// info is the request's journal flag for handlers that mark
	// through the writer (reqinfo.MarkUnmatchedAt); nil where they
	// mark through the request's context.
	info *reqinfo.Info
}

// Started reports whether the response was started.
func (r *statusRecorder) Started() bool { return r.wrote }

// RequestInfo makes the recorder a reqinfo.Carrier.
func (r *statusRecorder) RequestInfo() *reqinfo.Info { return r.info }

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Handler serves the TFC listener: /api/v2, /.well-known and /_emulator.
func (e *Emulator) Handler() http.Handler { return e.tfcHandler }

// VaultHandler serves the Vault listener: /v1 and /_emulator.
func (e *Emulator) VaultHandler() http.Handler { return e.vaultHandler }

// SetURLs tells an emulator served by someone else (httptest) where its
// listeners are. An empty tfcURL leaves it unchanged. Unless Config.Issuer
// was set, the issuer follows the TFC URL.
func (e *Emulator) SetURLs(tfcURL, vaultURL string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if tfcURL != "" {
		e.tfcURL = strings.TrimRight(tfcURL, "/")
		if e.cfg.Issuer == "" {
			e.issuer.SetURL(e.tfcURL)
		}
	}
	if vaultURL != "" {
		e.vaultURL = strings.TrimRight(vaultURL, "/")
	}
}

// Start binds both listeners and serves them in the background.
func (e *Emulator) Start() error {
	tlsConf, productionTLS, err := e.serverTLS()
	if err != nil {
		return err
	}
	tfcLn, err := listen(e.cfg.TFCListen)
	if err != nil {
		return fmt.Errorf("tfc listener: %w", err)
	}
	vaultLn, err := listen(e.cfg.VaultListen)
	if err != nil {
		tfcLn.Close()
		return fmt.Errorf("vault listener: %w", err)
	}
	var cloudsLn net.Listener
	if addr := e.cfg.cloudsListen(); addr != "" {
		if cloudsLn, err = listen(addr); err != nil {
			tfcLn.Close()
			vaultLn.Close()
			return fmt.Errorf("clouds listener: %w", err)
		}
	}
	scheme := "http"
	if tlsConf != nil {
		scheme = "https"
		tfcLn, vaultLn = tls.NewListener(tfcLn, tlsConf), tls.NewListener(vaultLn, tlsConf)
		if cloudsLn != nil {
			cloudsLn = tls.NewListener(cloudsLn, tlsConf)
		}
	}
	tfcURL := e.cfg.ExternalURL
	if tfcURL == "" {
		tfcURL = scheme + "://" + dialable(tfcLn.Addr())
	}
	vaultURL := e.cfg.VaultExternalURL
	if vaultURL == "" {
		vaultURL = scheme + "://" + dialable(vaultLn.Addr())
	}
	e.SetURLs(tfcURL, vaultURL)
	serve := []struct {
		ln net.Listener
		h  http.Handler
	}{{tfcLn, e.tfcHandler}, {vaultLn, e.vaultHandler}}
	if cloudsLn != nil {
		e.SetCloudsURL(scheme + "://" + dialable(cloudsLn.Addr()))
		serve = append(serve, struct {
			ln net.Listener
			h  http.Handler
		}{cloudsLn, e.cloudsHandler})
	}
	if e.cfg.ProductionListen != "" {
		prodLn, err := listen(e.cfg.ProductionListen)
		if err != nil {
			tfcLn.Close()
			vaultLn.Close()
			if cloudsLn != nil {
				cloudsLn.Close()
			}
			return fmt.Errorf("production listener: %w", err)
		}
		serve = append(serve, struct {
			ln net.Listener
			h  http.Handler
		}{tls.NewListener(prodLn, productionTLS), e.tfcHandler})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	sweepCtx, stop := context.WithCancel(context.Background())
	e.stopSweep = stop
	go e.vault.RunSweeper(sweepCtx, time.Second)
	for _, s := range serve {
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: min(DefaultReadHeaderTimeout, e.cfg.ReadTimeout),
			ReadTimeout: e.cfg.ReadTimeout, WriteTimeout: e.cfg.WriteTimeout, IdleTimeout: e.cfg.IdleTimeout,
			ErrorLog: slog.NewLogLogger(e.log.Handler(), slog.LevelWarn)}
		e.servers = append(e.servers, srv)
		go func(ln net.Listener) {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				e.log.Error("listener stopped", "addr", ln.Addr().String(), "err", err)
			}
		}(s.ln)
	}
	return nil
}

// listen opens a TCP listener on addr. Without Multipath TCP: Go's
// listeners try it first where the kernel has it, which made each of a
// start's listeners cost a socket more, for clients that are on the same
// machine or a container network.
func listen(addr string) (net.Listener, error) {
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	return lc.Listen(context.Background(), "tcp", addr)
}

// dialable turns a listener address into one a client can dial: an
// unspecified host (0.0.0.0, ::) becomes 127.0.0.1.
func dialable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// Shutdown stops the listeners gracefully and saves the state file.
func (e *Emulator) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	servers := e.servers
	if e.stopSweep != nil {
		e.stopSweep()
	}
	e.mu.Unlock()
	var errs []error
	for _, s := range servers {
		errs = append(errs, s.Shutdown(ctx))
	}
	if e.executor != nil {
		// Running runs end canceled before the state is saved.
		errs = append(errs, e.executor.Close())
	}
	if e.persist != nil {
		errs = append(errs, e.persist.close())
	}
	return errors.Join(errs...)
}

// Close stops the emulator, waiting at most five seconds for requests.
func (e *Emulator) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return e.Shutdown(ctx)
}

// Reset returns every service to the seed, the clock to real time and the
// issuer to its starting key, and clears the journal and the faults.
func (e *Emulator) Reset() {
	if e.executor != nil {
		e.executor.CancelAll() // their runs are about to be gone
	}
	e.tfc.Reset()
	e.vault.Reset()
	e.resetClouds()
	e.clock.Reset()
	e.journal.Clear()
	e.faults.Delete("")
	e.issuer.ResetKeys()
}

// Clock is the emulator's virtual clock.
func (e *Emulator) Clock() *clock.Clock { return e.clock }

// Info is what a client needs to reach the emulator; it is also the JSON of
// --ready-file.
type Info struct {
	TFCURL     string `json:"tfc_url"`
	VaultURL   string `json:"vault_url"`
	Issuer     string `json:"issuer"`
	OwnerToken string `json:"owner_token"`
	VaultToken string `json:"vault_token"`
	// AWSSTSURL, GCPSTSURL, GCPIAMCredentialsURL and AzureAuthorityURL
	// are the clouds listener's URL (one listener serves every cloud's
	// paths); empty when it is off.
	AWSSTSURL            string `json:"aws_sts_url,omitempty"`
	GCPSTSURL            string `json:"gcp_sts_url,omitempty"`
	GCPIAMCredentialsURL string `json:"gcp_iamcredentials_url,omitempty"`
	AzureAuthorityURL    string `json:"azure_authority_url,omitempty"`
	// AdminToken is the admin API's bearer token; empty when it needs none.
	AdminToken string `json:"admin_token,omitempty"`
}

// Info reports the emulator's URLs and tokens.
func (e *Emulator) Info() Info {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, tok, _ := e.cfg.Seed.OwnerToken()
	if e.cfg.OwnerToken != "" {
		tok.Token = e.cfg.OwnerToken
	}
	return Info{
		TFCURL:     e.tfcURL,
		VaultURL:   e.vaultURL,
		Issuer:     e.issuer.URL(),
		OwnerToken: tok.Token,
		VaultToken: e.vault.RootToken(),
		AdminToken: e.cfg.AdminToken,

		AWSSTSURL: e.cloudsURL, GCPSTSURL: e.cloudsURL, GCPIAMCredentialsURL: e.cloudsURL, AzureAuthorityURL: e.cloudsURL,
	}
}

func (e *Emulator) services() map[string]string {
	i := e.Info()
	m := map[string]string{"tfc": i.TFCURL, "vault": i.VaultURL}
	if i.AWSSTSURL != "" {
		m["clouds"] = i.AWSSTSURL
	}
	return m
}

// observe adapts the emulator to the admin API's Observability.
type observe struct{ e *Emulator }

func (o observe) JournalEntries(limit int, unmatched bool) any {
	return o.e.journal.Entries(limit, unmatched)
}
func (o observe) ClearJournal()                               { o.e.journal.Clear() }
func (o observe) AddFault(f admin.Fault) (admin.Fault, error) { return o.e.faults.Add(f) }
func (o observe) Faults() []admin.Fault                       { return o.e.faults.List() }
func (o observe) DeleteFault(id string) bool                  { return o.e.faults.Delete(id) }
func (o observe) Snapshot() (json.RawMessage, error)          { return o.e.Snapshot() }
func (o observe) Restore(b json.RawMessage) error             { return o.e.Restore(b) }
