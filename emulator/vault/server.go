package vault

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/tfcemu/tfcemu/emulator/ids"
	"github.com/tfcemu/tfcemu/emulator/internal/entrylog"
	"github.com/tfcemu/tfcemu/emulator/internal/reqinfo"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/vault/jwtauth"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
	"github.com/tfcemu/tfcemu/emulator/vault/terraform"
)

// Version is the Vault version the emulator reports.
const Version = "1.21.0"

// BuildDate is what sys/seal-status reports as the build date: the time of
// the v1.21.0 tag's commit (a locally built binary reports its build time).
const BuildDate = "2025-10-22T02:33:18Z"

// DefaultLeaseTTL is Vault's system default and maximum lease TTL (768h),
// dev mode included.
const DefaultLeaseTTL = 768 * time.Hour

// MaxBodyBytes bounds request bodies.
const MaxBodyBytes = 1 << 20

// secretEngines and authMethods are the mount types the emulator has.
var (
	secretEngines = map[string]logical.Factory{"terraform": terraform.Factory}
	authMethods   = map[string]logical.Factory{"jwt": jwtauth.Factory, "oidc": jwtauth.Factory}
)

// Config configures the emulated Vault.
type Config struct {
	RootToken string
	// Now is the virtual clock.
	Now func() time.Time
	// HTTPClient is what backends use to reach TFC and OIDC issuers.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Server is the emulated Vault: one core with its mounts, tokens and leases.
type Server struct {
	cfg         Config
	clusterName string
	clusterID   string

	mu       sync.RWMutex
	mounts   map[string]*mount  // by path with trailing slash; auth mounts under "auth/"
	tokens   map[string]*token  // by token id
	leases   map[string]*lease  // by lease id
	policies map[string]*policy // ACL policies by name ("root" is implicit)
	// acls are the compiled ACLs by policy set (aclFor).
	aclMu   sync.Mutex
	acls    map[string]*compiledACL
	hmacKey []byte // signs service token IDs
	// sysMount and tokenMount are the sys/ and auth/token/ mounts, served
	// by the core's own backends (sysBackend, tokenBackend: their path
	// tables are compiled once, in New).
	sysMount, tokenMount     *mount
	sysBackend, tokenBackend logical.Backend
	// expiry orders leases and tokens by expiry time for the sweep.
	expiry *expiryQueue
	// http is the listener's router: Vault's HTTP-level handlers
	// (sys/health, sys/seal-status, sys/leader) and /v1/{path} for the
	// logical paths; built when first needed or by Warm.
	http *routing.Lazy

	sweeping atomic.Bool

	// marks are the tokens and leases changed since the state file last
	// took Vault's changes (changes.go), marked under mu with the change;
	// gen counts the changes (changes.go: Generation).
	marks *entrylog.Marks
	gen   atomic.Uint64
	// logged is, per snapshot member other than tokens and leases, what
	// the state file last took (changes.go), under logMu.
	logMu  sync.Mutex
	logged map[string][]byte
}

// New returns a Vault with the root token and the system mount.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	id := uuid.NewString()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	s := &Server{cfg: cfg, clusterName: "vault-cluster-" + id[:8], clusterID: id, hmacKey: key, marks: entrylog.NewMarks()}
	s.sysBackend, s.tokenBackend = s.newSysBackend(), s.newTokenBackend()
	s.http = routing.NewLazy(func() http.Handler { return s.newHTTPRouter() })
	s.Reset()
	return s
}

// Reset makes the server a fresh dev server again: its default mounts,
// the root token, no leases, and no policy but default.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marks.MarkAll()
	s.gen.Add(1)
	s.mounts = devMounts(s.cfg)
	s.sysMount, s.tokenMount = builtinMounts()
	s.sysMount.backend, s.tokenMount.backend = s.sysBackend, s.tokenBackend
	s.leases = map[string]*lease{}
	s.expiry = newExpiryQueue()
	s.policies = map[string]*policy{"default": defaultPolicy}
	s.tokens = map[string]*token{s.cfg.RootToken: {
		// A dev server makes its root token with auth/token/create.
		ID: s.cfg.RootToken, Accessor: ids.Random(24), Policies: []string{"root"}, DisplayName: "token",
		Path: "auth/token/create", CreationTime: s.cfg.Now(), IssueTime: s.cfg.Now(),
	}}
}

// defaultPolicy is Vault's built-in default policy: defaultPolicyText
// parsed, written out so that a start does not parse it (HCL parsing was
// two thousand allocations at init; TestDefaultPolicyIsItsText keeps the
// two equal). The identity/entity paths are templated, which the
// emulator's ACLs leave out.
var defaultPolicy = &policy{Name: "default", Raw: defaultPolicyText, Paths: []pathRule{
	{Path: "auth/token/lookup-self", Caps: capRead},
	{Path: "auth/token/renew-self", Caps: capUpdate},
	{Path: "auth/token/revoke-self", Caps: capUpdate},
	{Path: "sys/capabilities-self", Caps: capUpdate},
	{Path: "sys/internal/ui/resultant-acl", Caps: capRead},
	{Path: "sys/renew", Caps: capUpdate},
	{Path: "sys/leases/renew", Caps: capUpdate},
	{Path: "sys/leases/lookup", Caps: capUpdate},
	{Path: "cubbyhole/", IsPrefix: true, Caps: capCreate | capRead | capUpdate | capDelete | capList},
	{Path: "sys/wrapping/wrap", Caps: capUpdate},
	{Path: "sys/wrapping/lookup", Caps: capUpdate},
	{Path: "sys/wrapping/unwrap", Caps: capUpdate},
	{Path: "sys/tools/hash", Caps: capUpdate},
	{Path: "sys/tools/hash/", IsPrefix: true, Caps: capUpdate},
	{Path: "sys/control-group/request", Caps: capUpdate},
	{Path: "identity/oidc/provider/+/authorize", SegmentWildcards: true, Caps: capRead | capUpdate},
}}

// RootToken is the token with the root policy.
func (s *Server) RootToken() string { return s.cfg.RootToken }

// Register adds Vault's API to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("/v1/", s)
}

// request is one parsed HTTP request to /v1/.
type request struct {
	op    logical.Operation
	path  string
	data  map[string]any
	token string
	http  *http.Request
	// now is the virtual time of the request, read at its first use
	// (time: the token check of a token that expires, a login before its
	// method runs, a lease when the backend returns one), so a request
	// that needs none (a root token's read) reads no clock.
	now    time.Time
	nowSet bool
	// backend is what serveMount hands the backend, allocated with the
	// request.
	backend logical.Request
}

// time is the request's virtual time: the clock read at its first call.
func (r *request) time(s *Server) time.Time {
	if !r.nowSet {
		r.now, r.nowSet = s.cfg.Now(), true
	}
	return r.now
}

// httpOnly are the paths Vault serves with HTTP handlers of their own
// rather than as logical paths, with the methods they take; any other
// method is a 405 with no message. sys/health answers HEAD with its
// status alone.
var httpOnly = []struct {
	path    string
	methods []string
}{
	{"sys/health", []string{http.MethodGet, http.MethodHead}},
	{"sys/seal-status", []string{http.MethodGet}},
	{"sys/leader", []string{http.MethodGet}},
}

// newHTTPRouter is the listener's route table on gorilla/mux.
func (s *Server) newHTTPRouter() *mux.Router {
	r := mux.NewRouter().SkipClean(true)
	for _, h := range httpOnly {
		r.Path("/v1/" + h.path).Methods(h.methods...).Handler(s.httpHandler(h.path))
		r.Path("/v1/" + h.path).HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeErrors(w, http.StatusMethodNotAllowed)
		})
	}
	r.PathPrefix("/v1/").HandlerFunc(s.serveLogical)
	return r
}

// ServeHTTP serves the Vault API. Leases and tokens the virtual clock has
// expired are revoked first (a look at the expiry queue's head when
// nothing is due).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.SweepDue()
	s.serve(w, r)
}

// Swept serves the Vault API without ServeHTTP's sweep, for a caller that
// calls SweepDue before every request itself (the emulator's middleware).
func (s *Server) Swept() http.Handler { return http.HandlerFunc(s.serve) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// Vault's listener adds HSTS to every response by default, and every
	// answer, 204s included, is JSON.
	h := w.Header()
	h["Strict-Transport-Security"] = hsts
	h["Content-Type"] = applicationJSON
	// The request may have changed anything (a read too: creds make a
	// lease), whichever way it is served.
	defer s.gen.Add(1)
	if logicalPath(r.URL.Path) {
		// What the router's /v1/ row would serve, without its walk over
		// the rows before it and its two request copies.
		s.serveLogical(w, r)
		return
	}
	s.http.ServeHTTP(w, r)
}

// logicalPath reports whether the router serves path with its /v1/ row:
// under /v1/ and none of the HTTP-level paths (rows that match their
// path exactly).
func logicalPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/v1/")
	if !ok {
		return false
	}
	for _, h := range httpOnly {
		if rest == h.path {
			return false
		}
	}
	return true
}

// serveLogical parses a request to a logical path and routes it.
func (s *Server) serveLogical(w http.ResponseWriter, r *http.Request) {
	req, err := s.parse(r)
	if err != nil {
		respond(w, nil, nil, err, envelope{})
		return
	}
	s.route(w, req)
}

func (s *Server) parse(r *http.Request) (*request, error) {
	// data stays nil (read as empty) unless the query or body has some.
	req := &request{path: strings.TrimPrefix(r.URL.Path, "/v1/"), http: r}
	// Header.Get without canonicalising keys already canonical.
	req.token = firstValue(r.Header["X-Vault-Token"])
	if req.token == "" {
		if bearer, ok := strings.CutPrefix(firstValue(r.Header["Authorization"]), "Bearer "); ok {
			req.token = strings.TrimSpace(bearer)
		}
	}
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	switch r.Method {
	case http.MethodGet:
		req.op = logical.ReadOperation
		if l := query.Get("list"); l != "" {
			list, err := strconv.ParseBool(l)
			if err != nil {
				return nil, logical.NewCodedError(http.StatusBadRequest, "")
			}
			if list {
				req.op = logical.ListOperation
				query.Del("list")
			}
		}
		req.data = withQuery(query)
	case "LIST":
		req.op = logical.ListOperation
		req.data = withQuery(query)
	case http.MethodDelete:
		req.op = logical.DeleteOperation
		req.data = withQuery(query)
	case http.MethodHead, http.MethodOptions:
		// No backend serves these operations: 405 after the token check.
		req.op = logical.HeaderOperation
		req.data = withQuery(query)
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		req.op = logical.UpdateOperation
		if r.Method == http.MethodPatch {
			req.op = logical.PatchOperation
			ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil {
				return nil, logical.NewCodedError(http.StatusBadRequest, err.Error())
			}
			if ct != "application/merge-patch+json" {
				return nil, logical.NewCodedError(http.StatusUnsupportedMediaType, "PATCH requires Content-Type of application/merge-patch+json, provided "+ct)
			}
		}
		data, err := parseBody(r)
		if err != nil {
			return nil, err
		}
		req.data = data
		// Vault refuses writes to a path ending in "/" on every path, sys/
		// included, before it looks at the token (request_handling.go).
		if strings.HasSuffix(req.path, "/") {
			return nil, logical.NewCodedError(http.StatusBadRequest, "cannot write to a path ending in '/'")
		}
	default:
		return nil, logical.NewCodedError(http.StatusMethodNotAllowed, "")
	}
	if req.op == logical.ListOperation && !strings.HasSuffix(req.path, "/") {
		req.path += "/"
	}
	return req, nil
}

// firstValue is a header's first value, "" for none (Header.Get's).
func firstValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// withQuery is Vault's parseQuery: one value is a string, a repeated key
// a list of them; nil for a query with none.
func withQuery(q url.Values) map[string]any {
	if len(q) == 0 {
		return nil
	}
	dst := make(map[string]any, len(q))
	for k, v := range q {
		switch len(v) {
		case 0:
		case 1:
			dst[k] = v[0]
		default:
			list := make([]any, len(v))
			for i, x := range v {
				list[i] = x
			}
			dst[k] = list
		}
	}
	return dst
}

// route authenticates and dispatches a request to the mount with the
// longest matching path (sys/ and auth/token/ included), then registers
// any lease or token the backend returns and renders the answer.
func (s *Server) route(w http.ResponseWriter, req *request) {
	m, rel := s.mountFor(req.path)
	unauth := m != nil && isUnauthenticated(m.backend.Unauthenticated(), rel)
	var tok *token
	if !unauth {
		var err error
		if tok, err = s.checkToken(req, m, rel); err != nil {
			respond(w, req, nil, err, envelope{})
			return
		}
	}
	switch {
	case m == nil:
		reqinfo.MarkUnmatchedAt(w, req.http)
		s.endUse(req, tok)
		respond(w, req, nil, logical.NewCodedError(http.StatusNotFound, "no handler for route "+quote(strings.TrimSuffix(req.path, "/"))+". route entry not found."), envelope{})
		return
	case s.isTainted(m):
		s.endUse(req, tok)
		respond(w, req, nil, logical.NewCodedError(http.StatusNotFound, "no handler for route "+quote(strings.TrimSuffix(req.path, "/"))+". route entry is tainted."), envelope{})
		return
	}
	s.serveMount(w, req, m, rel, tok, unauth)
}

// isUnauthenticated reports whether rel is one of a backend's
// unauthenticated paths (a trailing '*' is a prefix).
func isUnauthenticated(paths []string, rel string) bool {
	rel = strings.TrimSuffix(rel, "/")
	for _, p := range paths {
		if pre, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(rel+"/", pre) || p == rel {
			return true
		}
	}
	return false
}

// serveMount hands a request to a backend and registers any lease or token
// it returns.
func (s *Server) serveMount(w http.ResponseWriter, req *request, m *mount, rel string, tok *token, login bool) {
	ctx := req.http.Context()
	if _, ok := m.backend.(builtin); ok {
		// Only the core's own backends read the caller.
		ctx = context.WithValue(ctx, callerKey{}, tok)
	}
	lreq := &req.backend
	*lreq = logical.Request{Operation: req.op, Path: rel, MountPoint: m.path, Data: req.data, RemoteAddr: req.http.RemoteAddr}
	if tok != nil {
		lreq.ClientToken = tok.ID
	} else if login {
		lreq.ClientToken = req.token
	}
	if login {
		// A login's token is minted at the time it came in, not after
		// the method's checks (a JWT's keys fetched, say).
		req.time(s)
	}
	resp, err := m.backend.HandleRequest(ctx, lreq)
	env := newEnvelope()
	if !login {
		// Vault's core sets mount_type on every non-login response
		// (vault/request_handling.go handleRequest); logins leave it "".
		env.MountType = m.typ
	}
	if err == nil && resp != nil && !resp.IsError() {
		switch {
		case resp.Secret != nil && resp.Secret.LeaseID != "":
			// A renewal: the lease exists.
			env.LeaseID, env.Renewable, env.LeaseDuration = resp.Secret.LeaseID, resp.Secret.Renewable, int(resp.Secret.TTL.Seconds())
		case resp.Secret != nil:
			tokenID := ""
			if tok != nil {
				tokenID = tok.ID
			}
			l, warn, lerr := s.registerLease(m, req.path, tokenID, resp.Secret, req.time(s))
			if lerr != nil {
				err = lerr
			} else {
				env.LeaseID, env.Renewable, env.LeaseDuration = l.ID, l.Secret.Renewable, int(l.ttl(req.time(s)).Seconds())
				resp.Warnings = append(resp.Warnings, warn...)
			}
		}
		if resp.Auth != nil && err == nil {
			auth := resp.Auth
			if auth.Accessor == "" { // a login: the core mints the token
				issued, warn, aerr := s.issueToken(m, auth, req.time(s))
				if aerr != nil {
					resp, err = logical.ErrorResponse("%s", aerr.Error()), nil
				} else {
					auth = issued
					resp.Warnings = append(resp.Warnings, warn...)
				}
			}
			if err == nil && !resp.IsError() {
				env.Auth = authBlockOf(auth)
			}
		}
	}
	if s.endUse(req, tok) && env.LeaseID != "" && err == nil {
		// The token's revocation revoked the lease with it (Vault's
		// handleRequest answers so).
		resp = logical.ErrorResponse("%s", "Secret cannot be returned; token had one use left, so leased credentials were immediately revoked.")
		env.LeaseID, env.Renewable, env.LeaseDuration = "", false, 0
	}
	respond(w, req, resp, err, env)
}

// Sweep revokes the leases and tokens the virtual clock has expired,
// with a context of its own (no client's hang-up cancels a revocation).
// It does not re-enter itself: revocation calls TFC, which may come back
// through the emulator's own handler.
func (s *Server) Sweep(ctx context.Context) {
	if !s.sweeping.CompareAndSwap(false, true) {
		return
	}
	defer s.sweeping.Store(false)
	ctx = context.WithoutCancel(ctx)
	now := s.cfg.Now()
	for _, l := range s.expiredLeases(now) {
		if err := s.revokeLease(ctx, l); err != nil {
			s.cfg.Logger.Warn("vault: revoking expired lease failed; will retry", "lease_id", l.ID, "err", err)
		}
	}
	s.expireTokens(ctx, now)
}

// SweepDue sweeps if the head of the expiry queue is due: every request
// of both listeners calls it, so a credential whose lease ran out is
// revoked in TFC before anyone can use it again, and a request costs one
// look at the queue's head when nothing is due (and no clock read when
// nothing is queued).
func (s *Server) SweepDue() {
	s.mu.RLock()
	next, queued := s.expiry.next()
	s.mu.RUnlock()
	if queued && !s.cfg.Now().Before(next) {
		s.Sweep(context.Background())
	}
}

// RunSweeper sweeps every interval of real time until ctx ends, so
// leases expire while no request comes.
func (s *Server) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.SweepDue()
		}
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Warm builds the listener's router and compiles the built-in backends'
// path tables now, so that the first request does not (the emulator calls it in the background once its
// listeners are up; a request that comes first compiles or waits).
func (s *Server) Warm() {
	s.http.Warm()
	for _, b := range []logical.Backend{s.sysBackend, s.tokenBackend} {
		if t, ok := b.(interface{ HelpTable() []logical.PathHelp }); ok {
			t.HelpTable()
		}
	}
}
