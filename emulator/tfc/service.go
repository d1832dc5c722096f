package tfc

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/fixtures"
)

// DefaultRateLimit is TFC's limit: 30 requests a second per user.
const DefaultRateLimit = 30

// APIVersion is what TFP-API-Version reports.
const APIVersion = "2.6"

// Config configures the TFC API.
type Config struct {
	Seed *fixtures.Seed
	// Now is the virtual clock.
	Now func() time.Time
	// RateLimit is requests per second per user; 0 or less disables rate
	// limiting (and the X-RateLimit-Limit header that makes go-tfe throttle
	// itself).
	RateLimit int
	Logger    *slog.Logger
	// Minter mints module test run tokens; nil runs tests without them.
	Minter Minter
	// Builder computes run phase environments; nil leaves them empty.
	Builder EnvironmentBuilder
}

// Service is the emulated TFC API.
type Service struct {
	store   Store
	now     func() time.Time
	log     *slog.Logger
	limiter *rateLimiter
	// router is built once, by Warm (the emulator calls it in the
	// background once its listeners are up: compiling the route table's
	// patterns is most of a start's work) or by the first request, whichever
	// comes first; apiRouter waits for it.
	router     *mux.Router
	handler    http.Handler // router's rows, split by segment (routing.Bucketed)
	routerOnce sync.Once
	minter     Minter
	builder    EnvironmentBuilder
	// executor, when set, executes runs with a configuration version
	// (run_execution.go); logSecret signs their log URLs.
	executor  RunExecutor
	logSecret []byte
}

// New returns the TFC API loaded with cfg.Seed.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: NewMemoryStore(cfg.Seed, cfg.Now), now: cfg.Now, log: cfg.Logger, minter: cfg.Minter, builder: cfg.Builder}
	if cfg.RateLimit > 0 {
		s.limiter = newRateLimiter(cfg.RateLimit)
	}
	return s
}

// Warm builds the API's router now, so that the first request does not
// wait for it.
func (s *Service) Warm() { s.apiRouter() }

// apiRouter is the API's router, built on first use.
func (s *Service) apiRouter() *mux.Router {
	s.routerOnce.Do(func() { s.router, s.handler = s.newRouter(s.routes()) })
	return s.router
}

// newRouter builds the API's router from a route table: a path no row
// knows is TFC's JSON:API 404, a known path with another method a 405.
func (s *Service) newRouter(table []route) (*mux.Router, http.Handler) {
	rows := make([]routing.Route, 0, len(table))
	for _, rt := range table {
		rows = append(rows, routing.Route{Method: rt.method, Path: apiPrefix + rt.path, Handler: s.adapt(rt)})
	}
	return routing.Bucketed(rows, routing.Options{
		NotFound: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.commonHeaders(w)
			NotFound(w, r)
		}),
		MethodNotAllowed: func(w http.ResponseWriter, r *http.Request, allow []string) {
			s.commonHeaders(w)
			MethodNotAllowed(w, r, allow)
		},
	})
}

// Reset throws away every change and loads the seed again.
func (s *Service) Reset() {
	s.store.Reset()
	if s.limiter != nil {
		s.limiter.reset()
	}
}

// Register adds the TFC API, TFC's service discovery and the archivist
// object routes to a listener's router.
func (s *Service) Register(r *mux.Router) {
	routing.Add(r, s.listenerRoutes())
	routing.Mount(r, apiPrefix+"/", s)
}

// listenerRoutes are the TFC routes outside /api/v2: service discovery
// and the archivist objects.
func (s *Service) listenerRoutes() []routing.Route {
	return []routing.Route{
		{Method: http.MethodGet, Path: "/.well-known/terraform.json", Handler: http.HandlerFunc(serviceDiscovery)},
		{Method: http.MethodGet, Path: archivistPrefix + "{key}", Handler: s.archivist(s.downloadObject)},
		{Method: http.MethodPut, Path: archivistPrefix + "{key}", Handler: s.archivist(s.uploadObject)},
	}
}

// Routes is the inventory of the TFC API (api "tfc", under /api/v2) and of
// the TFC routes beside it (service discovery, api "tfc"; the hosted
// objects, api "archivist").
func (s *Service) Routes() []routing.Row {
	rows := routing.Inventory("tfc", s.apiRouter())
	for _, row := range routing.Inventory("tfc", routing.New(s.listenerRoutes(), routing.Options{})) {
		if strings.HasPrefix(row.Path, archivistPrefix) {
			row.API = "archivist"
		}
		rows = append(rows, row)
	}
	return rows
}

// ServeHTTP dispatches to the route table; a path it does not know is
// TFC's JSON:API 404, a known path with another method a JSON:API 405.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.apiRouter()
	s.handler.ServeHTTP(w, r)
}

// apiPrefix is where the route table's paths live.
const apiPrefix = "/api/v2"

// route is one row of the route table: method, path under /api/v2 and the
// pure handler.
type route struct {
	method string
	path   string
	handle handler
}

// publicRoutes need no token.
var publicRoutes = map[string]bool{"GET /ping": true}

// call is one authenticated request.
type call struct {
	r   *http.Request
	p   principal
	now time.Time
}

func (c *call) path(name string) string { return c.r.PathValue(name) }

// wsRef names a workspace as a request does: by id, or by organization
// and name.
type wsRef struct{ id, org, name string }

// workspaceRef is the workspace the request's path names.
func (c *call) workspaceRef() wsRef {
	return wsRef{id: c.path("id"), org: c.path("org"), name: c.path("name")}
}

// modulePath names a registry module by its path parts.
type modulePath struct{ org, registry, namespace, name, provider string }

// modulePath is the registry module the request's path names.
func (c *call) modulePath() modulePath {
	return modulePath{org: c.path("org"), registry: c.path("registry"), namespace: c.path("namespace"), name: c.path("name"), provider: c.path("provider")}
}

// rawBody is a handler result that is not JSON:API, such as a
// configuration archive: written as is with its content type.
type rawBody struct {
	ContentType string
	Data        []byte
}

// handler is a pure TFC handler: it returns a status and a document, or an
// error that writeError renders; it never touches the writer.
type handler func(c *call) (int, any, error)

func (s *Service) commonHeaders(w http.ResponseWriter) {
	w.Header().Set("TFP-API-Version", APIVersion)
	w.Header().Set("TFP-AppName", "HCP Terraform")
	if s.limiter != nil {
		w.Header().Set("X-RateLimit-Limit", fmt.Sprint(s.limiter.limit))
	}
}

func (s *Service) adapt(rt route) http.Handler {
	public := publicRoutes[rt.method+" "+rt.path]
	return s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.commonHeaders(w)
		c := &call{r: r, now: s.now().Truncate(time.Millisecond)}
		if !public {
			p, err := s.authenticate(r, c.now)
			if err != nil {
				writeError(w, err)
				return
			}
			c.p = p
			if s.limiter != nil {
				ok, remaining, reset := s.limiter.allow(p.rateKey(), s.now())
				rateHeaders(w, s.limiter.limit, remaining, reset, !ok)
				if !ok {
					writeError(w, errRateLimited())
					return
				}
			}
		}
		status, body, err := rt.handle(c)
		if err != nil {
			s.logIfInternal(r, err)
			writeError(w, err)
			return
		}
		if body == nil {
			w.WriteHeader(status)
			return
		}
		if raw, ok := body.(rawBody); ok {
			w.Header().Set("Content-Type", raw.ContentType)
			w.WriteHeader(status)
			_, _ = w.Write(raw.Data)
			return
		}
		writeJSON(w, status, body)
	}))
}

func (s *Service) logIfInternal(r *http.Request, err error) {
	switch err.(type) {
	case *Error, Errors:
	default:
		s.log.Error("tfc: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// serviceDiscovery is /.well-known/terraform.json as app.terraform.io
// serves it, for Terraform CLI and the tfe provider.
func serviceDiscovery(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"login.v1":{"client":"terraform-cli","grant_types":["authz_code"],"authz":"/app/settings/tokens?source=terraform-login","token":"/api/v2/oauth/token","ports":[10000,10010]},"modules.v1":"/api/registry/v1/modules/","motd.v1":"/api/terraform/motd","state.v2":"/api/v2/","tfe.v2":"/api/v2/","tfe.v2.1":"/api/v2/","tfe.v2.2":"/api/v2/","versions.v1":"https://checkpoint-api.hashicorp.com/v1/versions/"}` + "\n"))
}

// ping answers go-tfe's first request: 204, with the headers it reads.
func (s *Service) ping(*call) (int, any, error) { return http.StatusNoContent, nil, nil }

// page is the requested page of a list.
type page struct{ number, size int }

const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// parsePage reads page[number] and page[size]; the size is capped at 100.
func parsePage(r *http.Request) (page, error) {
	p := page{number: 1, size: defaultPageSize}
	q := r.URL.Query()
	for name, dst := range map[string]*int{"page[number]": &p.number, "page[size]": &p.size} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			e := badRequest(fmt.Sprintf("%s must be a positive integer", name))
			e.Source = &Source{Parameter: name}
			return p, e
		}
		*dst = n
	}
	if p.size > maxPageSize {
		p.size = maxPageSize
	}
	return p, nil
}

// paginate cuts one page out of resources and builds the list document.
func paginate(r *http.Request, all []Resource) (ListDocument, error) {
	pg, err := parsePage(r)
	if err != nil {
		return ListDocument{}, err
	}
	total := len(all)
	items := []Resource{}
	if pg.number <= pageCount(total, pg.size) { // also keeps (number-1)*size from overflowing
		from := (pg.number - 1) * pg.size
		items = all[from:min(from+pg.size, total)]
	}
	return pageDocument(r, pg, items, total), nil
}

// pageCount is how many pages total entries fill (at least one).
func pageCount(total, size int) int {
	return max(1, (total+size-1)/size)
}

// holds reports whether the i-th (from 0) matching entry is on the page.
func (pg page) holds(i int) bool {
	return i/pg.size == pg.number-1
}

// pageDocument is the list document of one page: items, the page's
// entries out of total matching ones.
func pageDocument(r *http.Request, pg page, items []Resource, total int) ListDocument {
	pages := pageCount(total, pg.size)
	meta := Pagination{CurrentPage: pg.number, PageSize: pg.size, TotalPages: pages, TotalCount: total}
	if pg.number > 1 {
		prev := min(pg.number-1, pages)
		meta.PrevPage = &prev
	}
	if pg.number < pages {
		next := pg.number + 1
		meta.NextPage = &next
	}
	link := func(n int) string { return pageLink(r, n, pg.size) }
	links := map[string]string{"self": link(pg.number), "first": link(1), "last": link(pages)}
	if meta.PrevPage != nil {
		links["prev"] = link(*meta.PrevPage)
	}
	if meta.NextPage != nil {
		links["next"] = link(*meta.NextPage)
	}
	return ListDocument{Data: items, Links: links, Meta: &ListMeta{Pagination: meta}}
}

func pageLink(r *http.Request, number, size int) string {
	q := r.URL.Query()
	q.Set("page[number]", strconv.Itoa(number))
	q.Set("page[size]", strconv.Itoa(size))
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// includes reads the include parameter; an empty one (go-tfe sends
// include= on variable set lists) means none. Values outside allowed are
// TFC's 400, which go-tfe maps to ErrInvalidIncludeValue.
func includes(r *http.Request, allowed ...string) (map[string]bool, error) {
	out := map[string]bool{}
	raw := r.URL.Query().Get("include")
	if raw == "" {
		return out, nil
	}
	for _, v := range strings.Split(raw, ",") {
		if !slices.Contains(allowed, v) {
			e := badRequest(fmt.Sprintf("Invalid include parameter: %s", v))
			e.Source = &Source{Parameter: "include"}
			return nil, e
		}
		out[v] = true
	}
	return out, nil
}

// view runs fn read-only and returns its result as a handler would.
func (s *Service) view(status int, fn func(*State) (any, error)) (int, any, error) {
	return respondWith(s.store.View, status, fn)
}

// update runs fn under the write lock and returns its result as a handler
// would.
func (s *Service) update(status int, fn func(*State) (any, error)) (int, any, error) {
	return respondWith(s.store.Update, status, fn)
}

// respondWith runs fn in a store transaction and shapes a handler result.
func respondWith(tx func(func(*State) error) error, status int, fn func(*State) (any, error)) (int, any, error) {
	var body any
	err := tx(func(st *State) error {
		var err error
		body, err = fn(st)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return status, body, nil
}

// searchParams reads q (lowercased, for substring search) and
// filter[names] (comma-separated exact names; nil when absent).
func searchParams(r *http.Request) (string, map[string]bool) {
	q := strings.ToLower(r.URL.Query().Get("q"))
	f := r.URL.Query().Get("filter[names]")
	if f == "" {
		return q, nil
	}
	names := map[string]bool{}
	for _, n := range strings.Split(f, ",") {
		names[n] = true
	}
	return q, names
}
