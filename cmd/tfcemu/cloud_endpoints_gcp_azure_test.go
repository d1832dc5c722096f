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
