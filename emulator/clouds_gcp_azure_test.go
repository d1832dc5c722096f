package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"golang.org/x/oauth2/google"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
)

// TestCloudsListenerDefaultSeedGCP: out of the box, golang.org/x/oauth2/google's
// external account credentials exchange an apply token of the seeded org at
// the clouds listener's STS and impersonate the documented service account;
// both decisions are served under /_emulator/gcp/decisions and noted in the
// request journal; the state file keeps the gcp and azure sections, and a
// provider PUT with {{issuer}} (the README's example) is kept.
func TestCloudsListenerDefaultSeedGCP(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	e := startEmulator(t, emulator.Config{StateFile: state})
	info := e.Info()
	tok := mint(t, http.DefaultClient, info.TFCURL, admin.TokenRequest{Organization: "my-org", Project: "Default Project", Workspace: "my-workspace", Phase: "apply",
		Audience: "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"})
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(tok.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	cred, _ := json.Marshal(map[string]any{"type": "external_account", "universe_domain": "googleapis.com",
		"audience":           "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud",
		"subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": info.GCPSTSURL + "/v1/token",
		"service_account_impersonation_url": info.GCPIAMCredentialsURL + "/v1/projects/-/serviceAccounts/terraform-module-test-sa@my-project.iam.gserviceaccount.com:generateAccessToken",
		"credential_source":                 map[string]any{"file": tokenFile, "format": map[string]string{"type": "text"}}})
	creds, err := google.CredentialsFromJSON(context.Background(), cred, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		t.Fatal(err)
	}
	at, err := creds.TokenSource.Token()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(at.AccessToken, "ya29.c.") {
		t.Fatalf("access token = %q", at.AccessToken)
	}
	var decisions []struct {
		Action  string
		Allowed bool
	}
	getJSON(t, info.TFCURL+"/_emulator/gcp/decisions", &decisions)
	if len(decisions) != 2 || !decisions[0].Allowed || !decisions[1].Allowed || decisions[1].Action != "iam.serviceAccounts.getAccessToken" {
		t.Fatalf("decisions = %+v", decisions)
	}
	var journal struct{ Requests []emulator.JournalEntry }
	getJSON(t, info.TFCURL+"/_emulator/requests", &journal)
	notes := 0
	for _, j := range journal.Requests {
		if j.Service == "clouds" && len(j.Notes) == 1 && strings.HasPrefix(j.Notes[0], "gcp ") && strings.Contains(j.Notes[0], ": allowed") {
			notes++
		}
	}
	if notes != 2 {
		t.Fatalf("%d gcp journal notes: %+v", notes, journal)
	}
	status, body := do(t, http.MethodPut, info.TFCURL+"/_emulator/gcp/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/apply-only",
		`{"oidc":{"issuer_uri":"{{issuer}}"},"attribute_mapping":{"google.subject":"assertion.sub","attribute.phase":"assertion.terraform_run_phase"},"attribute_condition":"attribute.phase == \"apply\""}`)
	if status != http.StatusCreated {
		t.Fatalf("PUT provider: %d %s", status, body)
	}
	b, err := stateFileText(state)
	if err != nil || !strings.Contains(string(b), `"gcp"`) || !strings.Contains(string(b), `apply-only`) || !strings.Contains(string(b), `"azure"`) {
		t.Fatalf("state file lacks the gcp and azure sections: %v %.300s", err, b)
	}
}

// TestCloudsListenerTLSAzure: with --tls, azidentity's
// ClientAssertionCredential signs in at the clouds listener as the default
// seed's application with a plan token, and the decision is noted.
func TestCloudsListenerTLSAzure(t *testing.T) {
	e, client := startTLS(t)
	i := e.Info()
	tok := mint(t, client, i.TFCURL, admin.TokenRequest{Organization: "my-org", Project: "Default Project", Workspace: "my-workspace", Phase: "plan", Audience: "api://AzureADTokenExchange"})
	cred, err := azidentity.NewClientAssertionCredential("00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111",
		func(context.Context) (string, error) { return tok.Token, nil },
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: azcore.ClientOptions{
			Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: i.AzureAuthorityURL + "/"}, Transport: client, Retry: policy.RetryOptions{MaxRetries: -1}},
			DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	at, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	if at.Token == "" || at.ExpiresOn.IsZero() {
		t.Fatalf("token = %+v", at)
	}
	resp, err := client.Get(i.TFCURL + "/_emulator/azure/decisions")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ds []struct{ Allowed bool }
	if err := json.NewDecoder(resp.Body).Decode(&ds); err != nil || len(ds) != 1 || !ds[0].Allowed {
		t.Fatalf("decisions = %+v %v", ds, err)
	}
}

// TestSnapshotGCPAzureSections: a snapshot with a bad gcp or azure section
// is refused and changes nothing.
func TestSnapshotGCPAzureSections(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	base := e.Info().TFCURL
	for cloud, bad := range map[string]any{
		"gcp":   map[string]any{"workload_identity_providers": map[string]any{"projects/1/locations/global/workloadIdentityPools/p/providers/x": map[string]any{"oidc": map[string]any{"issuer_uri": "https://i"}, "attribute_condition": "("}}},
		"azure": map[string]any{"tenants": map[string]any{"00000000-0000-0000-0000-000000000000": map[string]any{"applications": map[string]any{"11111111-1111-1111-1111-111111111111": map[string]any{"federated_identity_credentials": map[string]any{"ab": map[string]any{"issuer": "https://i", "subject": "s", "audiences": []string{"a"}}}}}}}},
	} {
		var snap map[string]any
		getJSON(t, base+"/_emulator/snapshot", &snap)
		services := snap["services"].(map[string]any)
		if _, ok := services[cloud]; !ok {
			t.Fatalf("snapshot lacks %s: %v", cloud, services)
		}
		services[cloud] = bad
		b, _ := json.Marshal(snap)
		status, body := do(t, http.MethodPut, base+"/_emulator/snapshot", string(b))
		if status != http.StatusBadRequest || !strings.Contains(body, cloud) {
			t.Fatalf("%s: PUT snapshot: %d %s", cloud, status, body)
		}
	}
	var p map[string]any
	getJSON(t, base+"/_emulator/gcp/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud", &p)
	var fics []map[string]any
	getJSON(t, base+"/_emulator/azure/tenants/00000000-0000-0000-0000-000000000000/applications/11111111-1111-1111-1111-111111111111/federated-identity-credentials", &fics)
	if p["attribute_condition"] != `assertion.terraform_organization_name == "my-org"` || len(fics) != 2 {
		t.Fatalf("after refused snapshots: %v %v", p, fics)
	}
}

// do sends a JSON request and returns the status and the body.
func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	code, b, _ := send(t, method, url, "", map[string]string{"Content-Type": "application/json"}, body)
	return code, b
}
