package emulator_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/internal/testutil"
)

// TestMain lets the test binary stand in for a provider inside a run:
// with TFCEMU_RUN_HOOK=aws it is the AWS SDK's default chain asking STS
// who it is, as the Terraform AWS provider does with dynamic credentials.
// A run fails when the state file's delta checks found a difference
// (statefile_export_test.go).
func TestMain(m *testing.M) {
	switch os.Getenv("TFCEMU_RUN_HOOK") {
	case "aws":
		os.Exit(testutil.AWSCaller())
	case "gcp":
		os.Exit(testutil.GCPCaller())
	}
	code := m.Run()
	if n := emulator.StateChecksDone(); n > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the state file's delta checks found %d differences (above)\n", n)
		code = 1
	}
	os.Exit(code)
}

// TestRunCloudEndpointsAWS: with RunCloudEndpoints, a run's AWS dynamic
// credentials are exchanged at the emulated STS by the SDK's default chain
// invoked in the run's plan; the default seed trusts the run's token.
// Without it the run's configuration is the product's (AWS's STS, which
// the run cannot use).
func TestRunCloudEndpointsAWS(t *testing.T) {
	vars := map[string]string{"TFC_AWS_PROVIDER_AUTH": "true", "TFC_AWS_RUN_ROLE_ARN": "arn:aws:iam::123456789012:role/terraform-module-test-role"}
	want := "caller arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/"
	t.Run("pointed at the emulator", func(t *testing.T) { runCloudCaller(t, "aws", vars, want, true) })
	t.Run("as the product writes it", func(t *testing.T) { runCloudCaller(t, "aws", vars, want, false) })
}

// TestRunCloudEndpointsGCP: with RunCloudEndpoints, a run's GCP dynamic
// credentials (the external_account file's token_url and
// service_account_impersonation_url) are exchanged and impersonated at the
// emulated STS and IAM credentials by golang.org/x/oauth2/google invoked
// in the run's plan, with the default seed's provider and service account;
// without it the run's configuration names Google's endpoints.
func TestRunCloudEndpointsGCP(t *testing.T) {
	vars := map[string]string{"TFC_GCP_PROVIDER_AUTH": "true",
		"TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL": "terraform-module-test-sa@my-project.iam.gserviceaccount.com",
		"TFC_GCP_WORKLOAD_PROVIDER_NAME":    "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"}
	t.Run("pointed at the emulator", func(t *testing.T) {
		e := runCloudCaller(t, "gcp", vars, "gcp access token ya29.c valid true", true)
		testutil.WantGCPExchangeAllowed(t, e.Info().TFCURL)
	})
	t.Run("as the product writes it", func(t *testing.T) { runCloudCaller(t, "gcp", vars, "gcp access token ya29.c valid true", false) })
}

// runCloudCaller executes a run whose plan is the hook for cloud with the
// workspace's env variables vars, and checks its plan log has want only
// when the run's cloud endpoints point at the emulator.
func runCloudCaller(t *testing.T, cloud string, vars map[string]string, want string, endpoints bool) *emulator.Emulator {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "terraform")
	script := fmt.Sprintf("#!/bin/sh\ncase \"$1\" in\nplan) TFCEMU_RUN_HOOK=%s %q -test.run=^$ || exit 1; touch tfplan; exit 2 ;;\nshow) echo '{}' ;;\nesac\n", cloud, self)
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	e := startEmulator(t, emulator.Config{TerraformBin: bin, RunsDir: filepath.Join(dir, "runs"), RunCloudEndpoints: endpoints})
	c, err := tfe.NewClient(&tfe.Config{Address: e.Info().TFCURL, Token: e.Info().OwnerToken})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ws, err := c.Workspaces.Create(ctx, "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String(cloud)})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range vars {
		if _, err := c.Variables.Create(ctx, ws.ID, tfe.VariableCreateOptions{Key: tfe.String(k), Value: tfe.String(v), Category: tfe.Category(tfe.CategoryEnv)}); err != nil {
			t.Fatal(err)
		}
	}
	x := &execEnv{e: e, c: c, ws: ws, dir: dir}
	r := x.run(t, x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake"})))
	r = x.awaitAny(t, r.ID, tfe.RunPlanned, tfe.RunErrored)
	log := x.planLog(t, r)
	ok := r.Status == tfe.RunPlanned && strings.Contains(log, want)
	if ok != endpoints || (!endpoints && strings.Contains(log, e.Info().AWSSTSURL)) {
		t.Fatalf("%s cloud endpoints %v: run %s:\n%s", cloud, endpoints, r.Status, log)
	}
	return e
}
