package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"golang.org/x/oauth2/google"

	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/runs"
)

// gcpHook stands in for a Terraform Google provider: Application Default
// Credentials (GOOGLE_APPLICATION_CREDENTIALS, an external_account file)
// exchange the run's token at STS and impersonate the service account.
func gcpHook() int {
	ctx := context.Background()
	creds, err := google.FindDefaultCredentials(ctx, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		fmt.Println("credentials:", err)
		return 1
	}
	tok, err := creds.TokenSource.Token()
	if err != nil {
		fmt.Println("token:", err)
		return 1
	}
	prefix, _, _ := strings.Cut(tok.AccessToken, "c.")
	fmt.Println("gcp access token", prefix+"c", "valid", tok.Valid())
	return 0
}

// TestAgentExecCloudEndpointsGCP: with --cloud-endpoints, a run's GCP
// dynamic credentials are exchanged and impersonated at the emulator by
// golang.org/x/oauth2/google's external account support, out of the box
// with the default seed's provider and service account.
func TestAgentExecCloudEndpointsGCP(t *testing.T) {
	info, _, _ := serveInBackground(t)
	setVar(t, info.TFCURL, info.OwnerToken, "TFC_GCP_PROVIDER_AUTH", "true")
	setVar(t, info.TFCURL, info.OwnerToken, "TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL", "terraform-module-test-sa@my-project.iam.gserviceaccount.com")
	setVar(t, info.TFCURL, info.OwnerToken, "TFC_GCP_WORKLOAD_PROVIDER_NAME", "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TFCEMU_TEST_HOOK", "gcp")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"agent", "exec", "--url", info.TFCURL, "--workspace", "my-org/my-workspace", "--phase", "apply",
		"--cloud-endpoints", "--", self, "-test.run=^$"}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "gcp access token ya29.c valid true") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	var decisions []struct {
		Action  string
		Allowed bool
	}
	resp, err := http.Get(info.TFCURL + "/_emulator/gcp/decisions")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&decisions); err != nil {
		t.Fatal(err)
	}
	if len(decisions) != 2 || decisions[0].Action != "sts.token" || decisions[1].Action != "iam.serviceAccounts.getAccessToken" || !decisions[0].Allowed || !decisions[1].Allowed {
		t.Fatalf("decisions = %+v", decisions)
	}
}

// TestPointGCP: an external_account file's Google endpoints become the
// emulator's; its other fields and other files are kept.
func TestPointGCP(t *testing.T) {
	cred := `{"type":"external_account","audience":"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x",
	"subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"https://sts.googleapis.com/v1/token",
	"service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken",
	"credential_source":{"file":"/d/gcp/default/token","format":{"type":"text"}}}`
	env := admin.PhaseEnvironment{Rendered: runs.Rendered{Env: map[string]string{},
		Files: map[string]string{"/d/gcp/default/credentials.json": cred, "/d/other.json": `{"type":"service_account","token_url":"https://sts.googleapis.com/v1/token"}`, "/d/x": "not json"}}}
	pointGCP(&env, "http://127.0.0.1:8300", "http://127.0.0.1:8300/")
	var got map[string]any
	if err := json.Unmarshal([]byte(env.Files["/d/gcp/default/credentials.json"]), &got); err != nil {
		t.Fatal(err)
	}
	if got["token_url"] != "http://127.0.0.1:8300/v1/token" ||
		got["service_account_impersonation_url"] != "http://127.0.0.1:8300/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken" ||
		got["audience"] != "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x" || got["credential_source"] == nil {
		t.Fatalf("credentials = %v", got)
	}
	if !strings.Contains(env.Files["/d/other.json"], "https://sts.googleapis.com") || env.Files["/d/x"] != "not json" || len(env.Env) != 0 {
		t.Fatalf("other files or env changed: %q %q", env.Files, env.Env)
	}
}

// TestPointAzure: a phase with Azure dynamic credentials gets azurerm's
// metadata host and azidentity's authority host; one without keeps its
// environment.
func TestPointAzure(t *testing.T) {
	env := admin.PhaseEnvironment{Rendered: runs.Rendered{Env: map[string]string{"ARM_USE_OIDC": "true", "ARM_CLIENT_ID": "c"},
		Files: map[string]string{"/d/azure/default/token": "jwt"}}}
	pointAzure(&env, "https://127.0.0.1:8300")
	if env.Env["ARM_METADATA_HOSTNAME"] != "127.0.0.1:8300" || env.Env["AZURE_AUTHORITY_HOST"] != "https://127.0.0.1:8300/" || env.Env["ARM_CLIENT_ID"] != "c" {
		t.Fatalf("env = %q", env.Env)
	}
	tagged := admin.PhaseEnvironment{Rendered: runs.Rendered{Files: map[string]string{"/d/azure/tagged/token": "jwt"}}}
	pointAzure(&tagged, "https://127.0.0.1:8300")
	if tagged.Env["AZURE_AUTHORITY_HOST"] != "https://127.0.0.1:8300/" {
		t.Fatalf("tagged env = %q", tagged.Env)
	}
	none := admin.PhaseEnvironment{Rendered: runs.Rendered{Env: map[string]string{"AWS_ROLE_ARN": "r"}, Files: map[string]string{"/d/aws/config": "x"}}}
	pointAzure(&none, "https://127.0.0.1:8300")
	if len(none.Env) != 1 {
		t.Fatalf("env without Azure = %q", none.Env)
	}
}
