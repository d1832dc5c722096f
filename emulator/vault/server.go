package vault

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
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

	"github.com/tfcemu/tfcemu/emulator/internal/reqinfo"
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
	hmacKey  []byte             // signs service token IDs
	// sysMount and tokenMount are the sys/ and auth/token/ entries of the
	// mount tables.
	sysMount, tokenMount *mount

	sweeping atomic.Bool
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
	s := &Server{cfg: cfg, clusterName: "vault-cluster-" + id[:8], clusterID: id, hmacKey: key}
	s.Reset()
	return s
}

// Reset makes the server a fresh dev server again: its default mounts,
// the root token, no leases, and no policy but default.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mounts = devMounts(s.cfg)
	s.sysMount, s.tokenMount = builtinMounts()
	s.leases = map[string]*lease{}
	s.policies = map[string]*policy{"default": defaultPolicy}
	s.tokens = map[string]*token{s.cfg.RootToken: {
		// A dev server makes its root token with auth/token/create.
		ID: s.cfg.RootToken, Accessor: randomBase62(24), Policies: []string{"root"}, DisplayName: "token",
		Path: "auth/token/create", CreationTime: s.cfg.Now(), IssueTime: s.cfg.Now(),
	}}
}

// defaultPolicy is Vault's built-in default policy, parsed once.
var defaultPolicy = mustParsePolicy("default", defaultPolicyText)

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
	now   time.Time
}

// ServeHTTP parses a Vault request and routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Vault's listener adds HSTS to every response by default, and every
	// answer, 204s included, is JSON.
	w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	w.Header().Set("Content-Type", "application/json")
	s.Sweep(r.Context())
	req, status, msg := s.parse(r)
	if status != 0 {
		if msg == "" {
			writeErrors(w, status)
		} else {
			writeErrors(w, status, msg)
		}
		return
	}
	s.route(w, req)
}

func (s *Server) parse(r *http.Request) (*request, int, string) {
	req := &request{path: strings.TrimPrefix(r.URL.Path, "/v1/"), http: r, now: s.cfg.Now(), data: map[string]any{}}
	req.token = r.Header.Get("X-Vault-Token")
	if req.token == "" {
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			req.token = strings.TrimSpace(bearer)
		}
	}
	query := r.URL.Query()
	switch r.Method {
	case http.MethodGet:
		req.op = logical.ReadOperation
		if l := query.Get("list"); l != "" {
			list, err := strconv.ParseBool(l)
			if err != nil {
				return nil, http.StatusBadRequest, ""
			}
			if list {
				req.op = logical.ListOperation
				query.Del("list")
			}
		}
		addQuery(req.data, query)
	case "LIST":
		req.op = logical.ListOperation
		addQuery(req.data, query)
	case http.MethodDelete:
		req.op = logical.DeleteOperation
		addQuery(req.data, query)
	case http.MethodHead, http.MethodOptions:
		// No backend serves these operations: 405 after the token check.
		req.op = logical.HeaderOperation
		addQuery(req.data, query)
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		req.op = logical.UpdateOperation
		if r.Method == http.MethodPatch {
			req.op = logical.PatchOperation
			ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil {
				return nil, http.StatusBadRequest, err.Error()
			}
			if ct != "application/merge-patch+json" {
				return nil, http.StatusUnsupportedMediaType, "PATCH requires Content-Type of application/merge-patch+json, provided " + ct
			}
		}
		data, status, msg := parseBody(r)
		if status != 0 {
			return nil, status, msg
		}
		req.data = data
		// Vault refuses writes to a path ending in "/" on every path, sys/
		// included, before it looks at the token (request_handling.go).
		if strings.HasSuffix(req.path, "/") {
			return nil, http.StatusBadRequest, "cannot write to a path ending in '/'"
		}
	default:
		return nil, http.StatusMethodNotAllowed, ""
	}
	if req.op == logical.ListOperation && !strings.HasSuffix(req.path, "/") {
		req.path += "/"
	}
	return req, 0, ""
}

// addQuery is Vault's parseQuery: one value is a string, a repeated key a
// list of them.
func addQuery(dst map[string]any, q url.Values) {
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
}

// route authenticates and dispatches a request to sys, the token store, or
// the mount with the longest matching path.
func (s *Server) route(w http.ResponseWriter, req *request) {
	if req.path == "sys/health" || req.path == "sys/seal-status" || req.path == "sys/leader" {
		s.health(w, req)
		return
	}
	if req.path == uiMountsPath || strings.HasPrefix(req.path, uiMountsPath+"/") {
		s.uiMounts(w, req)
		return
	}
	m, rel := s.mountFor(req.path)
	unauth := m != nil && contains(m.backend.Unauthenticated(), strings.TrimSuffix(rel, "/"))
	var tok *token
	if !unauth {
		var status int
		var msg string
		tok, status, msg = s.checkToken(req, m, rel)
		if status != 0 {
			writeErrors(w, status, msg)
			return
		}
	}
	switch {
	case strings.HasPrefix(req.path, "sys/"):
		s.sys(w, req, tok)
	case strings.HasPrefix(req.path, "auth/token/"):
		s.tokenStore(w, req, tok)
	case m == nil:
		reqinfo.MarkUnmatched(req.http)
		writeErrors(w, http.StatusNotFound, "no handler for route "+quote(strings.TrimSuffix(req.path, "/"))+". route entry not found.")
	case s.isTainted(m):
		writeErrors(w, http.StatusNotFound, "no handler for route "+quote(strings.TrimSuffix(req.path, "/"))+". route entry is tainted.")
	default:
		s.serveMount(w, req, m, rel, tok)
	}
}

// serveMount hands a request to a backend and registers any lease or token
// it returns.
func (s *Server) serveMount(w http.ResponseWriter, req *request, m *mount, rel string, tok *token) {
	ctx := req.http.Context()
	lreq := &logical.Request{Operation: req.op, Path: rel, MountPoint: m.path, Data: req.data, RemoteAddr: req.http.RemoteAddr}
	if tok != nil {
		lreq.ClientToken = tok.ID
	}
	resp, err := m.backend.HandleRequest(ctx, lreq)
	if errors.Is(err, logical.ErrAbortConnection) {
		panic(http.ErrAbortHandler)
	}
	if _, help := req.data["help"]; help && req.op == logical.ReadOperation && err == nil && resp != nil && !resp.IsError() {
		// path-help answers with the help document itself, no envelope.
		writeVault(w, http.StatusOK, resp.Data)
		return
	}
	env := newEnvelope()
	login := m.auth && contains(m.backend.Unauthenticated(), strings.TrimSuffix(rel, "/"))
	if !login {
		// Vault's core sets mount_type on every non-login response
		// (vault/request_handling.go handleRequest); logins leave it "".
		env.MountType = m.typ
	}
	if err == nil && !resp.IsError() && resp != nil {
		if resp.Secret != nil {
			tokenID := ""
			if tok != nil {
				tokenID = tok.ID
			}
			l, warn, lerr := s.registerLease(m, req.path, tokenID, resp.Secret, req.now)
			if lerr != nil {
				err = lerr
			} else {
				env.LeaseID, env.Renewable, env.LeaseDuration = l.ID, l.Secret.Renewable, int(l.ttl(req.now).Seconds())
				resp.Warnings = append(resp.Warnings, warn...)
			}
		}
		if resp.Auth != nil && err == nil {
			block, warn, aerr := s.issueToken(m, resp.Auth, req.now)
			if aerr != nil {
				resp, err = logical.ErrorResponse("%s", aerr.Error()), nil
			} else {
				env.Auth = block
				resp.Warnings = append(resp.Warnings, warn...)
				writeLogin(w, env, resp)
				return
			}
		}
	}
	respond(w, req.op, resp, err, !login, env)
}

func writeLogin(w http.ResponseWriter, env envelope, resp *logical.Response) {
	if len(resp.Data) > 0 {
		env.Data = resp.Data
	}
	env.Warnings = resp.Warnings
	writeVault(w, http.StatusOK, env)
}

// Sweep revokes the leases the virtual clock has expired. Every request
// runs it first, so a token whose lease ran out is gone from TFC before
// anyone can use it again. It does not re-enter itself: revocation calls
// TFC, which may come back through the emulator's own handler.
func (s *Server) Sweep(ctx context.Context) {
	if !s.sweeping.CompareAndSwap(false, true) {
		return
	}
	defer s.sweeping.Store(false)
	now := s.cfg.Now()
	for _, l := range s.expiredLeases(now) {
		if err := s.revokeLease(ctx, l); err != nil {
			s.cfg.Logger.Warn("vault: revoking expired lease failed; will retry", "lease_id", l.ID, "err", err)
		}
	}
	s.expireTokens(ctx, now)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
