package azure

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/clouds/internal/cloudtest"
	"github.com/tfcemu/tfcemu/emulator/identity"
)

var t0 = time.Date(2026, 4, 20, 20, 22, 2, 0, time.UTC)

const armScope = "https://management.azure.com/.default"

// env is an Entra service on an httptest TLS server (azidentity requires
// https), trusting an emulator issuer.
type env struct {
	t      *testing.T
	clock  *clock.Clock
	issuer *identity.Issuer
	svc    *Service
	srv    *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c := clock.NewAt(t0)
	issuer, issSrv := cloudtest.Issuer(t, c)
	svc := New(Config{Now: c.Now, HTTPClient: issSrv.Client(), Issuer: issuer.URL})
	srv := httptest.NewTLSServer(cloudtest.Handler("azure", svc.Routes(), svc.AdminRoutes()))
	t.Cleanup(srv.Close)
	return &env{t: t, clock: c, issuer: issuer, svc: svc, srv: srv}
}

func mint(t *testing.T, i *identity.Issuer, workspace, phase, aud string) string {
	t.Helper()
	return cloudtest.Mint(t, i, "my-org", workspace, phase, aud)
}

// credential is azidentity's ClientAssertionCredential against authority.
func (e *env) credential(authority, tenant, client, assertion string) *azidentity.ClientAssertionCredential {
	e.t.Helper()
	cred, err := azidentity.NewClientAssertionCredential(tenant, client,
		func(context.Context) (string, error) { return assertion, nil },
		&azidentity.ClientAssertionCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: authority}, Transport: e.srv.Client()},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		e.t.Fatal(err)
	}
	return cred
}

// do sends a request to the service over its TLS server.
func (e *env) do(method, path, contentType, body string, header ...string) (int, string) {
	e.t.Helper()
	return cloudtest.Do(e.t, e.srv.Client(), method, e.srv.URL+path, contentType, body, header...)
}

func TestMetadataHostLeadsAzidentityToAToken(t *testing.T) {
	e := newEnv(t)
	status, body := e.do("GET", "/metadata/endpoints?api-version=2022-09-01", "", "")
	var md struct {
		Authentication struct {
			LoginEndpoint string `json:"loginEndpoint"`
		} `json:"authentication"`
		ResourceManager string `json:"resourceManager"`
	}
	if err := json.Unmarshal([]byte(body), &md); status != 200 || err != nil || md.Authentication.LoginEndpoint != e.srv.URL {
		t.Fatalf("%d %s", status, body)
	}
	assertion := mint(t, e.issuer, "my-workspace", "apply", DefaultAudience)
	tok, err := e.credential(md.Authentication.LoginEndpoint+"/", DefaultTenant, DefaultClientID, assertion).
		GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{armScope}})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok.Token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not JWT-shaped", tok.Token)
	}
	payload, _ := jsonSegment(parts[1])
	if payload["aud"] != "https://management.azure.com" || payload["tid"] != DefaultTenant || payload["appid"] != DefaultClientID {
		t.Fatalf("claims %v", payload)
	}
	if d := e.svc.Decisions(); len(d) != 1 || !d[0].Allowed || d[0].Claims["sub"] != "organization:my-org:project:Default Project:workspace:my-workspace:run_phase:apply" ||
		d[0].Reasons[len(d[0].Reasons)-1] != `federated identity credential "my-workspace-apply" matches issuer, subject and audience` {
		t.Fatalf("decisions %+v", d)
	}
}

func TestMetadataAPIVersion(t *testing.T) {
	e := newEnv(t)
	for q, want := range map[string]string{
		"":                        `{"error":{"code":"MissingApiVersionParameter","message":"The api-version query parameter (?api-version=) is required for all requests."}}`,
		"?api-version=2015-01-01": `{"error":{"code":"InvalidApiVersionParameter","message":"The api-version '2015-01-01' is invalid. The supported versions are '2022-09-01,2020-06-01'."}}`,
	} {
		if status, body := e.do("GET", "/metadata/endpoints"+q, "", ""); status != 400 || body != want {
			t.Errorf("%q: %d %s", q, status, body)
		}
	}
}

func jsonSegment(seg string) (map[string]any, error) {
	b, err := base64URL(seg)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

func tokenForm(client, assertion string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_id":             {client},
		"scope":                 {armScope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
}

func TestTokenErrors(t *testing.T) {
	e := newEnv(t)
	other, _ := cloudtest.Issuer(t, e.clock)
	good := mint(t, e.issuer, "my-workspace", "plan", DefaultAudience)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	with := func(k, v string) string { f := tokenForm(DefaultClientID, good); f.Set(k, v); return f.Encode() }
	tokenPath := "/" + DefaultTenant + "/oauth2/v2.0/token"
	for _, tc := range []struct {
		name, path, body string
		status           int
		err              string
		code             int
		desc             string
	}{
		{"subject differs in case", tokenPath, tokenForm(DefaultClientID, mint(t, e.issuer, "My-Workspace", "plan", DefaultAudience)).Encode(), 400, "invalid_request", 700213,
			"AADSTS700213: No matching federated identity record found for presented assertion subject 'organization:my-org:project:Default Project:workspace:My-Workspace:run_phase:plan'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation Trace ID: "},
		{"unregistered issuer", tokenPath, tokenForm(DefaultClientID, mint(t, other, "my-workspace", "plan", DefaultAudience)).Encode(), 401, "invalid_client", 700211,
			"AADSTS700211: No matching federated identity record found for presented assertion issuer '" + other.URL() + "'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation Trace ID: "},
		{"audience", tokenPath, tokenForm(DefaultClientID, mint(t, e.issuer, "my-workspace", "plan", "azure.workload.identity")).Encode(), 400, "invalid_request", 700212,
			"AADSTS700212: No matching federated identity record found for presented assertion audience 'azure.workload.identity'."},
		{"bad signature", tokenPath, tokenForm(DefaultClientID, tampered).Encode(), 401, "invalid_client", 700027, "AADSTS700027: Client assertion failed signature validation. Trace ID: "},
		{"malformed assertion", tokenPath, tokenForm(DefaultClientID, "not.a.jwt").Encode(), 400, "invalid_request", 50027, "AADSTS50027: JWT token is invalid or malformed. Trace ID: "},
		{"oversized assertion", tokenPath, tokenForm(DefaultClientID, strings.Repeat("a", 20000)).Encode(), 400, "invalid_request", 50027, "AADSTS50027: JWT token is invalid or malformed: the client assertion is 20000 bytes"},
		{"unknown application", tokenPath, tokenForm("22222222-2222-2222-2222-222222222222", good).Encode(), 400, "unauthorized_client", 700016,
			"AADSTS700016: Application with identifier '22222222-2222-2222-2222-222222222222' was not found in the directory '" + DefaultTenant + "'."},
		{"unknown tenant", "/contoso.onmicrosoft.com/oauth2/v2.0/token", tokenForm(DefaultClientID, good).Encode(), 400, "invalid_tenant", 90002, "AADSTS90002: Tenant 'contoso.onmicrosoft.com' not found."},
		{"missing assertion", tokenPath, with("client_assertion", ""), 400, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'client_assertion'. Trace ID: "},
		{"unknown grant type", tokenPath, with("grant_type", "password"), 400, "unsupported_grant_type", 70003, "AADSTS70003: The app requested an unsupported grant type 'password'."},
		{"assertion type", tokenPath, with("client_assertion_type", "urn:x"), 400, "invalid_request", 700025, "AADSTS700025: "},
		{"scope without /.default", tokenPath, with("scope", "https://management.azure.com/user_impersonation"), 400, "invalid_scope", 1002012,
			"AADSTS1002012: The provided value for scope https://management.azure.com/user_impersonation is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."},
		{"malformed form", tokenPath, "grant_type=%zz", 400, "invalid_request", 900144, "AADSTS900144: The request body must be an application/x-www-form-urlencoded form."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.do("POST", tc.path, "application/x-www-form-urlencoded", tc.body, "client-request-id", "9a1b2c3d-0000-4000-8000-000000000001")
			var got entraBody
			if err := json.Unmarshal([]byte(body), &got); err != nil || status != tc.status || got.Error != tc.err || len(got.ErrorCodes) != 1 || got.ErrorCodes[0] != tc.code || !strings.HasPrefix(got.Description, tc.desc) {
				t.Fatalf("%d %s\nwant %d %s %d %s", status, body, tc.status, tc.err, tc.code, tc.desc)
			}
			suffix := fmt.Sprintf(" Trace ID: %s Correlation ID: 9a1b2c3d-0000-4000-8000-000000000001 Timestamp: 2026-04-20 20:22:02Z", got.TraceID)
			if !strings.HasSuffix(got.Description, suffix) || got.Timestamp != "2026-04-20 20:22:02Z" || got.CorrelationID != "9a1b2c3d-0000-4000-8000-000000000001" ||
				got.ErrorURI != fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", tc.code) {
				t.Fatalf("body %s", body)
			}
		})
	}
}

func TestAzidentitySeesExpiryOnTheVirtualClock(t *testing.T) {
	e := newEnv(t)
	assertion := mint(t, e.issuer, "my-workspace", "plan", DefaultAudience)
	if err := e.clock.Advance(3 * time.Hour); err != nil {
		t.Fatal(err)
	}
	_, err := e.credential(e.srv.URL+"/", DefaultTenant, DefaultClientID, assertion).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{armScope}})
	var authErr *azidentity.AuthenticationFailedError
	if !errors.As(err, &authErr) || authErr.RawResponse == nil || authErr.RawResponse.StatusCode != 401 ||
		!strings.Contains(err.Error(), "AADSTS700024: Client assertion is not within its valid time range. Current time: 2026-04-20T23:22:02.0000000Z, assertion valid from 2026-04-20T20:22:02.0000000Z, expiry time of assertion 2026-04-20T22:22:02.0000000Z.") {
		t.Fatalf("err %v", err)
	}
	if d := e.svc.Decisions(); len(d) != 1 || d[0].Allowed || !strings.HasPrefix(d[0].Reasons[0], "AADSTS700024") {
		t.Fatalf("decisions %+v", d)
	}
}

func TestDiscoveryDocument(t *testing.T) {
	e := newEnv(t)
	status, body := e.do("GET", "/"+DefaultTenant+"/v2.0/.well-known/openid-configuration", "", "")
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); status != 200 || err != nil ||
		doc["token_endpoint"] != e.srv.URL+"/"+DefaultTenant+"/oauth2/v2.0/token" || doc["issuer"] != e.srv.URL+"/"+DefaultTenant+"/v2.0" {
		t.Fatalf("%d %s", status, body)
	}
	status, body = e.do("GET", "/contoso.example/v2.0/.well-known/openid-configuration", "", "")
	if status != 400 || !strings.Contains(body, `"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'contoso.example' not found.`) {
		t.Fatalf("%d %s", status, body)
	}
}

func base64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func TestUnreachableIssuer(t *testing.T) {
	e := newEnv(t)
	dead, err := identity.New(identity.Config{URL: "http://127.0.0.1:1", Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	app := "/_emulator/azure/tenants/" + DefaultTenant + "/applications/" + DefaultClientID + "/federated-identity-credentials"
	if status, body := e.do("PUT", app+"/dead-issuer", "application/json", `{"issuer":"http://127.0.0.1:1","subject":"x"}`); status != 201 {
		t.Fatalf("%d %s", status, body)
	}
	status, body := e.do("POST", "/"+DefaultTenant+"/oauth2/v2.0/token", "application/x-www-form-urlencoded", tokenForm(DefaultClientID, mint(t, dead, "w", "plan", DefaultAudience)).Encode())
	var got entraBody
	if err := json.Unmarshal([]byte(body), &got); err != nil || status != 401 || got.Error != "invalid_client" || !strings.HasPrefix(got.Description, "AADSTS50166: Request to External OIDC endpoint failed: ") {
		t.Fatalf("%d %s", status, body)
	}
}
