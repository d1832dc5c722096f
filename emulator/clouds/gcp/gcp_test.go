package gcp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/google"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/clouds/internal/cloudtest"
	"github.com/tfcemu/tfcemu/emulator/identity"
)

var t0 = time.Date(2026, 4, 20, 20, 22, 2, 0, time.UTC)

const (
	providerPath = "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"
	providerAud  = "//iam.googleapis.com/" + providerPath
	saEmail      = DefaultServiceAccount
)

// env is a GCP service on an httptest server, trusting an emulator issuer.
type env struct {
	t      *testing.T
	clock  *clock.Clock
	issuer *identity.Issuer
	svc    *Service
	url    string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c := clock.NewAt(t0)
	issuer, issSrv := cloudtest.Issuer(t, c)
	svc := New(Config{Now: c.Now, HTTPClient: issSrv.Client(), Issuer: issuer.URL})
	srv := httptest.NewServer(cloudtest.Handler("gcp", svc.Routes(), svc.AdminRoutes()))
	t.Cleanup(srv.Close)
	return &env{t: t, clock: c, issuer: issuer, svc: svc, url: srv.URL}
}

// mint is a workspace-run token of org's my-workspace for phase and aud.
func (e *env) mint(org, phase, aud string) string {
	e.t.Helper()
	return cloudtest.Mint(e.t, e.issuer, org, "my-workspace", phase, aud)
}

// credentials is an external_account credential configuration, as the
// google provider reads from GOOGLE_APPLICATION_CREDENTIALS.
func (e *env) credentials(token string, impersonate bool) *google.Credentials {
	e.t.Helper()
	dir := e.t.TempDir()
	tokenFile := filepath.Join(dir, "token.jwt")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		e.t.Fatal(err)
	}
	cfg := map[string]any{
		"type":               "external_account",
		"audience":           providerAud,
		"subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
		"token_url":          e.url + "/v1/token",
		"credential_source":  map[string]any{"file": tokenFile},
	}
	if impersonate {
		cfg["service_account_impersonation_url"] = e.url + "/v1/projects/-/serviceAccounts/" + saEmail + ":generateAccessToken"
	}
	raw, _ := json.Marshal(cfg)
	creds, err := google.CredentialsFromJSON(context.Background(), raw, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		e.t.Fatal(err)
	}
	return creds
}

// do sends a request to the service; the body comes back trimmed.
func (e *env) do(method, path, contentType, body string, header ...string) (int, string) {
	e.t.Helper()
	status, b := cloudtest.Do(e.t, http.DefaultClient, method, e.url+path, contentType, body, header...)
	return status, strings.TrimSpace(b)
}

func exchangeForm(aud, token string) string {
	return url.Values{
		"grant_type":           {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"audience":             {aud},
		"scope":                {"https://www.googleapis.com/auth/cloud-platform"},
		"requested_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
		"subject_token_type":   {"urn:ietf:params:oauth:token-type:jwt"},
		"subject_token":        {token},
	}.Encode()
}

const form = "application/x-www-form-urlencoded"

func TestExternalAccountImpersonatesTheDefaultServiceAccount(t *testing.T) {
	e := newEnv(t)
	tok, err := e.credentials(e.mint("my-org", "apply", providerAud), true).TokenSource.Token()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, "ya29.c.") || !tok.Expiry.Equal(t0.Add(time.Hour)) {
		t.Fatalf("token %q expiring %v, want a ya29.c. token expiring %v", tok.AccessToken, tok.Expiry, t0.Add(time.Hour))
	}
	ds := e.svc.Decisions()
	if len(ds) != 2 || !ds[0].Allowed || !ds[1].Allowed || ds[1].Action != "iam.serviceAccounts.getAccessToken" {
		t.Fatalf("decisions %+v", ds)
	}
	wantPrincipal := "principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/subject/organization:my-org:project:Default Project:workspace:my-workspace:run_phase:apply"
	if ds[0].Principal != wantPrincipal || ds[0].Claims["terraform_run_phase"] != "apply" {
		t.Fatalf("principal %q claims %v", ds[0].Principal, ds[0].Claims)
	}
}

func TestExternalAccountWithoutImpersonationGetsTheFederatedToken(t *testing.T) {
	e := newEnv(t)
	tok, err := e.credentials(e.mint("my-org", "plan", "gcp.workload.identity"), false).TokenSource.Token()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, "ya29.d.") || tok.TokenType != "Bearer" || time.Until(tok.Expiry) < 59*time.Minute {
		t.Fatalf("token %+v", tok)
	}
}

func TestExternalAccountSeesTheAttributeConditionRefusal(t *testing.T) {
	e := newEnv(t)
	_, err := e.credentials(e.mint("other-org", "plan", providerAud), true).TokenSource.Token()
	if err == nil || !strings.Contains(err.Error(), `{"error":"unauthorized_client","error_description":"The given credential is rejected by the attribute condition."}`) {
		t.Fatalf("err %v", err)
	}
	d := e.svc.Decisions()[0]
	if d.Allowed || !strings.Contains(strings.Join(d.Reasons, "\n"), `attribute condition "assertion.terraform_organization_name == \"my-org\"" is false`) {
		t.Fatalf("decision %+v", d)
	}
}

func TestTokenExchangeErrors(t *testing.T) {
	e := newEnv(t)
	good := e.mint("my-org", "plan", providerAud)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	for _, tc := range []struct {
		name, contentType, body string
		want                    string
	}{
		{"audience is not a provider name", form, exchangeForm("projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud", good),
			`{"error":"invalid_request","error_description":"Invalid value for \"audience\". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats."}`},
		{"unknown provider", form, exchangeForm("//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/nope-nope", good),
			`{"error":"invalid_target","error_description":"The target service indicated by the \"audience\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist."}`},
		{"token audience not allowed", form, exchangeForm(providerAud, e.mint("my-org", "plan", "aws.workload.identity")),
			`{"error":"invalid_grant","error_description":"The audience in ID Token [aws.workload.identity] does not match the expected audience."}`},
		{"bad signature", form, exchangeForm(providerAud, tampered), `"error":"invalid_grant","error_description":"Invalid JWT signature`},
		{"not a JWT", form, exchangeForm(providerAud, "not-a-jwt"), `"error":"invalid_grant","error_description":"Unable to parse the ID Token`},
		{"unknown grant type", form, strings.Replace(exchangeForm(providerAud, good), "token-exchange", "jwt-bearer", 1), `{"error":"unsupported_grant_type"`},
		{"wrong subject token type", form, strings.Replace(exchangeForm(providerAud, good), "type%3Ajwt", "type%3Asaml2", 1), `{"error":"invalid_request","error_description":"Invalid value for \"subject_token_type\"`},
		{"malformed form", form, "grant_type=%zz", `{"error":"invalid_request","error_description":"The request body is not a valid application/x-www-form-urlencoded form."}`},
		{"malformed JSON", "application/json", `{"grantType":`, `{"error":"invalid_request","error_description":"Invalid JSON payload received`},
		{"oversized subject token", form, exchangeForm(providerAud, strings.Repeat("a", 20000)), `{"error":"invalid_request","error_description":"Invalid value for \"subject_token\": the subject token is 20000 bytes, over the 16384 allowed."}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.do("POST", "/v1/token", tc.contentType, tc.body)
			if status != 400 || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s\nwant 400 containing %s", status, body, tc.want)
			}
		})
	}
}

func TestTokenExchangeAcceptsJSONAndRefusesExpiredTokens(t *testing.T) {
	e := newEnv(t)
	tok := e.mint("my-org", "plan", providerAud)
	body, _ := json.Marshal(map[string]string{"grantType": grantTokenExchange, "audience": "https:" + providerAud,
		"requestedTokenType": tokenTypeAccessToken, "subjectTokenType": tokenTypeJWT, "subjectToken": tok, "scope": "https://www.googleapis.com/auth/cloud-platform"})
	status, got := e.do("POST", "/v1/token", "application/json", string(body))
	if status != 200 || !strings.Contains(got, `"issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600`) {
		t.Fatalf("%d %s", status, got)
	}
	if err := e.clock.Advance(3 * time.Hour); err != nil {
		t.Fatal(err)
	}
	status, got = e.do("POST", "/v1/token", "application/json", string(body))
	if status != 400 || !strings.Contains(got, `{"error":"invalid_grant","error_description":"The ID Token has expired`) {
		t.Fatalf("%d %s", status, got)
	}
}

func TestDisabledProviderIsAnInvalidTarget(t *testing.T) {
	e := newEnv(t)
	status, body := e.do("PUT", "/_emulator/gcp/"+providerPath, "application/json", `{"oidc":{"issuer_uri":"{{issuer}}"},"disabled":true}`)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	status, body = e.do("POST", "/v1/token", form, exchangeForm(providerAud, e.mint("my-org", "plan", providerAud)))
	if status != 400 || !strings.Contains(body, `"error":"invalid_target"`) {
		t.Fatalf("%d %s", status, body)
	}
	if d := e.svc.Decisions()[0]; d.Allowed || d.Reasons[0] != "provider "+providerPath+" is disabled" {
		t.Fatalf("decision %+v", d)
	}
}

func TestUnreachableIssuerIsAnInvalidGrant(t *testing.T) {
	e := newEnv(t)
	dead, err := identity.New(identity.Config{URL: "http://127.0.0.1:1", Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := e.do("PUT", "/_emulator/gcp/"+providerPath, "application/json", `{"oidc":{"issuer_uri":"http://127.0.0.1:1"}}`); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	tok, err := dead.MintWorkspaceRun(identity.WorkspaceRun{Organization: identity.Named{ID: "org-1", Name: "my-org"}, Project: identity.Named{ID: "prj-1", Name: "p"},
		Workspace: identity.Named{ID: "ws-1", Name: "w"}, RunID: "run-1", Phase: "plan", Audience: providerAud})
	if err != nil {
		t.Fatal(err)
	}
	status, body := e.do("POST", "/v1/token", form, exchangeForm(providerAud, tok.JWT))
	if status != 400 || body != `{"error":"invalid_grant","error_description":"Unable to retrieve the OIDC discovery document or JWKS of http://127.0.0.1:1."}` {
		t.Fatalf("%d %s", status, body)
	}
	if d := e.svc.Decisions()[0]; d.Allowed || !strings.Contains(d.Reasons[0], "issuer discovery or JWKS unreachable") {
		t.Fatalf("decision %+v", d)
	}
}

func TestModuleTestTokenAndFederatedTokenExpiry(t *testing.T) {
	e := newEnv(t)
	mt, err := e.issuer.MintModuleTest(identity.ModuleTestRun{Organization: identity.Named{ID: "org-GRNbCjYNpBB6NEH9", Name: "my-org"},
		Module: "my-org/vpc/aws", RunID: "run-1", Audience: "gcp.workload.identity", TTL: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	status, body := e.do("POST", "/v1/token", form, exchangeForm(providerAud, mt.JWT))
	var sts struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &sts); status != 200 || err != nil {
		t.Fatalf("%d %s", status, body)
	}
	// The module test token has no workspace claims: those attributes are left out.
	if d := e.svc.Decisions()[0]; !d.Allowed || !strings.Contains(strings.Join(d.Reasons, "\n"), `attribute.terraform_workspace_name mapping "assertion.terraform_workspace_name" left out: no such key: terraform_workspace_name`) {
		t.Fatalf("decision %+v", d)
	}
	if err := e.clock.Advance(FederatedTokenTTL); err != nil {
		t.Fatal(err)
	}
	status, body = e.do("POST", "/v1/projects/-/serviceAccounts/"+saEmail+":generateAccessToken", "application/json", `{"scope":["https://www.googleapis.com/auth/cloud-platform"]}`, "Authorization", "Bearer "+sts.AccessToken)
	if status != 401 || !strings.Contains(body, `"status":"UNAUTHENTICATED"`) {
		t.Fatalf("expired federated token: %d %s", status, body)
	}
}
