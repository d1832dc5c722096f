package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator"
)

// agentExecCaller serves the emulator, gives my-org/my-workspace the env
// variables vars (key, value pairs), and runs the test binary as the
// provider stand-in hook (TFCEMU_TEST_HOOK) through `agent exec
// --cloud-endpoints` in phase; its output must contain want.
func agentExecCaller(t *testing.T, hook, phase, want string, vars ...string) emulator.Info {
	t.Helper()
	info, _, _ := serveInBackground(t)
	for i := 0; i+1 < len(vars); i += 2 {
		setVar(t, info.TFCURL, info.OwnerToken, vars[i], vars[i+1])
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TFCEMU_TEST_HOOK", hook)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"agent", "exec", "--url", info.TFCURL, "--workspace", "my-org/my-workspace", "--phase", phase,
		"--cloud-endpoints", "--", self, "-test.run=^$"}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), want) {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	return info
}

// TestAgentExecCloudEndpointsAWS: with --cloud-endpoints, a run's AWS
// dynamic credentials are exchanged at the emulator's STS by the SDK's
// default chain, out of the box with the default seed's role.
func TestAgentExecCloudEndpointsAWS(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	agentExecCaller(t, "aws", "plan", "caller arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/",
		"TFC_AWS_PROVIDER_AUTH", "true",
		"TFC_AWS_RUN_ROLE_ARN", "arn:aws:iam::123456789012:role/terraform-module-test-role")
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
