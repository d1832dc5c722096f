package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestAgentExecCloudEndpointsAWS: with --cloud-endpoints, a run's AWS
// dynamic credentials are exchanged at the emulator's STS by the SDK's
// default chain, out of the box with the default seed's role; without it
// the configuration is the product's, untouched.
func TestAgentExecCloudEndpointsAWS(t *testing.T) {
	info, _, _ := serveInBackground(t)
	setVar(t, info.TFCURL, info.OwnerToken, "TFC_AWS_PROVIDER_AUTH", "true")
	setVar(t, info.TFCURL, info.OwnerToken, "TFC_AWS_RUN_ROLE_ARN", "arn:aws:iam::123456789012:role/terraform-module-test-role")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TFCEMU_TEST_HOOK", "aws")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"agent", "exec", "--url", info.TFCURL, "--workspace", "my-org/my-workspace", "--phase", "plan",
		"--cloud-endpoints", "--", self, "-test.run=^$"}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "caller arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

// TestServeCloudsListener: the ready file and the banner carry the clouds
// listener's URL under each cloud's key; --clouds-listen off leaves them
// out, and --cloud-endpoints then says why it cannot point runs there.
func TestServeCloudsListener(t *testing.T) {
	info, out, _ := serveInBackground(t, "--clouds-listen", "127.0.0.1:0")
	if info.AWSSTSURL == "" || info.AWSSTSURL == info.TFCURL || info.GCPSTSURL != info.AWSSTSURL || info.GCPIAMCredentialsURL != info.AWSSTSURL || info.AzureAuthorityURL != info.AWSSTSURL {
		t.Fatalf("ready file = %+v", info)
	}
	if !strings.Contains(out.String(), "clouds        "+info.AWSSTSURL) {
		t.Fatalf("banner lacks the clouds listener:\n%s", out.String())
	}
	off, out, _ := serveInBackground(t, "--clouds-listen", "off")
	if off.AWSSTSURL != "" || strings.Contains(out.String(), "clouds ") {
		t.Fatalf("--clouds-listen off: %+v\n%s", off, out.String())
	}
	var o, e bytes.Buffer
	code := run(context.Background(), []string{"agent", "exec", "--url", off.TFCURL, "--workspace", "my-org/my-workspace", "--cloud-endpoints", "--", "true"}, &o, &e)
	if code == 0 || !strings.Contains(e.String()+o.String(), "the emulator's clouds listener is off") {
		t.Fatalf("exit %d: %s%s", code, o.String(), e.String())
	}
}
