package emulator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator"
)

// serveListeners serves a fresh emulator's TFC and Vault listeners.
func serveListeners(t *testing.T) (tfcSrv, vaultSrv *httptest.Server) {
	t.Helper()
	e, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tfcSrv = httptest.NewServer(e.Handler())
	t.Cleanup(tfcSrv.Close)
	vaultSrv = httptest.NewServer(e.VaultHandler())
	t.Cleanup(vaultSrv.Close)
	return tfcSrv, vaultSrv
}

// TestListenersAnswerUnroutedRequestsInTheirFormat: on the TFC listener a
// known path with another method is a 405 with Allow in the JSON:API
// format of the API that owns the path (TFC, archivist, issuer) or in the
// admin API's; an unknown path is TFC's JSON:API 404; Vault keeps every
// path under /v1/ and its own 404 elsewhere.
func TestListenersAnswerUnroutedRequestsInTheirFormat(t *testing.T) {
	tfcSrv, vaultSrv := serveListeners(t)
	tfc405 := `{"errors":[{"status":"405","title":"method not allowed"}]}`
	cases := []struct {
		name, base, method, path string
		status                   int
		allow, contentType, body string
	}{
		{"TFC API", tfcSrv.URL, "PUT", "/api/v2/organizations/my-org", 405, "DELETE, GET, HEAD, PATCH", "application/vnd.api+json", tfc405},
		{"archivist", tfcSrv.URL, "DELETE", "/_archivist/v1/object/v1-abc", 405, "GET, HEAD, PUT", "application/vnd.api+json", tfc405},
		{"issuer", tfcSrv.URL, "POST", "/.well-known/jwks", 405, "GET, HEAD", "application/vnd.api+json", tfc405},
		{"service discovery", tfcSrv.URL, "DELETE", "/.well-known/terraform.json", 405, "GET, HEAD", "application/vnd.api+json", tfc405},
		{"admin", tfcSrv.URL, "DELETE", "/_emulator/clock", 405, "GET, HEAD, POST", "application/json",
			`{"error":"DELETE is not allowed on /_emulator/clock; allowed: GET, HEAD, POST"}` + "\n"},
		{"admin on vault", vaultSrv.URL, "PUT", "/_emulator/health", 405, "GET, HEAD", "application/json",
			`{"error":"PUT is not allowed on /_emulator/health; allowed: GET, HEAD"}` + "\n"},
		{"unknown admin route", tfcSrv.URL, "GET", "/_emulator/nothing", 404, "", "application/json",
			`{"error":"no admin route GET /_emulator/nothing"}` + "\n"},
		{"unknown TFC path", tfcSrv.URL, "GET", "/nothing", 404, "", "application/vnd.api+json",
			`{"errors":[{"status":"404","title":"not found"}]}`},
		{"unknown API path", tfcSrv.URL, "GET", "/api/v2/nothing", 404, "", "application/vnd.api+json",
			`{"errors":[{"status":"404","title":"not found"}]}`},
		{"vault health", vaultSrv.URL, "GET", "/v1/sys/health", 200, "", "application/json", ""},
		{"unknown vault path", vaultSrv.URL, "GET", "/nothing", 404, "", "application/json", `{"errors":[]}` + "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, tc.base+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) || (tc.body != "" && string(b) != tc.body) {
				t.Fatalf("got %d Allow=%q %s %s\nwant %d Allow=%q %s %s", resp.StatusCode, resp.Header.Get("Allow"),
					resp.Header.Get("Content-Type"), b, tc.status, tc.allow, tc.contentType, tc.body)
			}
		})
	}
}

// TestRouteInventory lists every API, each row a method and a path.
func TestRouteInventory(t *testing.T) {
	e, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	have := map[emulator.Route]bool{}
	for _, r := range e.Routes() {
		have[r] = true
	}
	for _, want := range []emulator.Route{
		{API: "tfc", Method: "GET", Path: "/api/v2/ping"},
		{API: "tfc", Method: "POST", Path: "/api/v2/organizations/{org}/workspaces"},
		{API: "tfc", Method: "GET", Path: "/.well-known/terraform.json"},
		{API: "archivist", Method: "PUT", Path: "/_archivist/v1/object/{key}"},
		{API: "issuer", Method: "GET", Path: "/.well-known/jwks"},
		{API: "admin", Method: "POST", Path: "/_emulator/clock"},
		{API: "admin", Method: "PUT", Path: "/_emulator/aws/roles/{name}"},
		{API: "aws", Method: "POST", Path: "/"},
		{API: "vault", Method: "GET", Path: "/v1/sys/health"},
		{API: "vault", Method: "LIST", Path: "/v1/sys/policies/acl/?"},
		{API: "vault", Method: "POST", Path: "/v1/auth/token/create/?"},
		{API: "vault", Method: "GET", Path: "/v1/terraform/creds/(?P<name>\\w(([\\w-.]+)?\\w)?)"},
		{API: "vault", Method: "POST", Path: "/v1/auth/jwt/login"},
	} {
		if !have[want] {
			t.Errorf("inventory lacks %+v", want)
		}
	}
}

// TestFaultsRenderInTheListenersFormat: an injected fault on a TFC path is
// written by the TFC writer (JSON:API), on a Vault path by Vault's
// ({"errors":[...]}).
func TestFaultsRenderInTheListenersFormat(t *testing.T) {
	tfcSrv, vaultSrv := serveListeners(t)
	do := func(method, url, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, tc := range []struct {
		base, prefix, path, contentType, body string
	}{
		{tfcSrv.URL, "/api/v2/ping", "/api/v2/ping", "application/vnd.api+json",
			`{"errors":[{"status":"503","title":"service unavailable","detail":"injected fault %s"}]}`},
		{vaultSrv.URL, "/v1/sys/health", "/v1/sys/health", "application/json", `{"errors":["injected fault %s"]}` + "\n"},
	} {
		resp, body := do("POST", tc.base+"/_emulator/faults", `{"path_prefix":"`+tc.prefix+`","status":503,"count":1}`)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("add fault: %d %s", resp.StatusCode, body)
		}
		id := body[strings.Index(body, "fault-"):]
		id = id[:strings.IndexByte(id, '"')]
		resp, body = do("GET", tc.base+tc.path, "")
		if want := strings.Replace(tc.body, "%s", id, 1); resp.StatusCode != 503 || resp.Header.Get("Content-Type") != tc.contentType || body != want {
			t.Fatalf("%s: got %d %q %s, want %s", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body, want)
		}
	}
}
