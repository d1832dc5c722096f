package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// awsHook stands in for a Terraform AWS provider: the SDK's default
// configuration (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE,
// AWS_ENDPOINT_URL_STS) assumes the role and asks who it is.
func awsHook() int {
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

func setVar(t *testing.T, tfcURL, token, key, value string) {
	t.Helper()
	body := fmt.Sprintf(`{"data":{"type":"vars","attributes":{"key":%q,"value":%q,"category":"env"}}}`, key, value)
	req, _ := http.NewRequest("POST", tfcURL+"/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/vars", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/vnd.api+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("set %s: %v %v", key, resp, err)
	}
	resp.Body.Close()
}

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
