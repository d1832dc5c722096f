package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/internal/testutil"
)

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
	testutil.WantGCPExchangeAllowed(t, info.TFCURL)
}
