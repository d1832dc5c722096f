package emulator_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator"
)

// TestMain lets the test binary stand in for a provider inside a run:
// with TFCEMU_RUN_HOOK=aws it is the AWS SDK's default chain asking STS
// who it is, as the Terraform AWS provider does with dynamic credentials.
func TestMain(m *testing.M) {
	if os.Getenv("TFCEMU_RUN_HOOK") == "aws" {
		os.Exit(awsCaller())
	}
	os.Exit(m.Run())
}

func awsCaller() int {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		fmt.Println("config:", err)
		return 1
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Println("GetCallerIdentity:", err)
		return 1
	}
	fmt.Println("caller", *id.Arn)
	return 0
}

// TestRunCloudEndpointsAWS: with RunCloudEndpoints, a run's AWS dynamic
// credentials are exchanged at the emulated STS by the SDK's default chain
// invoked in the run's plan; the default seed trusts the run's token.
// Without it the run's configuration is the product's (AWS's STS, which
// the run cannot use).
func TestRunCloudEndpointsAWS(t *testing.T) {
	t.Run("pointed at the emulator", func(t *testing.T) { runAWSCaller(t, true) })
	t.Run("as the product writes it", func(t *testing.T) { runAWSCaller(t, false) })
}

func runAWSCaller(t *testing.T, endpoints bool) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "terraform")
	script := fmt.Sprintf("#!/bin/sh\ncase \"$1\" in\nplan) TFCEMU_RUN_HOOK=aws %q -test.run=^$ || exit 1; touch tfplan; exit 2 ;;\nshow) echo '{}' ;;\nesac\n", self)
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	e := startEmulator(t, emulator.Config{TerraformBin: bin, RunsDir: filepath.Join(dir, "runs"), RunCloudEndpoints: endpoints})
	c, err := tfe.NewClient(&tfe.Config{Address: e.Info().TFCURL, Token: e.Info().OwnerToken})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ws, err := c.Workspaces.Create(ctx, "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("aws")})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"TFC_AWS_PROVIDER_AUTH": "true", "TFC_AWS_RUN_ROLE_ARN": "arn:aws:iam::123456789012:role/terraform-module-test-role"} {
		if _, err := c.Variables.Create(ctx, ws.ID, tfe.VariableCreateOptions{Key: tfe.String(k), Value: tfe.String(v), Category: tfe.Category(tfe.CategoryEnv)}); err != nil {
			t.Fatal(err)
		}
	}
	x := &execEnv{e: e, c: c, ws: ws, dir: dir}
	r := x.run(t, x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake"})))
	r = x.awaitAny(t, r.ID, tfe.RunPlanned, tfe.RunErrored)
	log := x.planLog(t, r)
	ok := r.Status == tfe.RunPlanned && strings.Contains(log, "caller arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/")
	if ok != endpoints || (!endpoints && strings.Contains(log, e.Info().AWSSTSURL)) {
		t.Fatalf("cloud endpoints %v: run %s:\n%s", endpoints, r.Status, log)
	}
}
