package main

import (
	"testing"

	"github.com/tfcemu/tfcemu/internal/testutil"
)

// TestAgentExecCloudEndpointsGCP: with --cloud-endpoints, a run's GCP
// dynamic credentials are exchanged and impersonated at the emulator by
// golang.org/x/oauth2/google's external account support, out of the box
// with the default seed's provider and service account.
func TestAgentExecCloudEndpointsGCP(t *testing.T) {
	info := agentExecCaller(t, "gcp", "apply", "gcp access token ya29.c valid true",
		"TFC_GCP_PROVIDER_AUTH", "true",
		"TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL", "terraform-module-test-sa@my-project.iam.gserviceaccount.com",
		"TFC_GCP_WORKLOAD_PROVIDER_NAME", "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud")
	testutil.WantGCPExchangeAllowed(t, info.TFCURL)
}
