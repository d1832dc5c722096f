// Package testutil holds what tests in several packages (cmd/tfcemu,
// emulator) share: callers standing in for Terraform providers that take
// a run's dynamic credentials to the emulated clouds. It is for tests
// only.
package testutil

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/oauth2/google"
)

// AWSCaller stands in for the Terraform AWS provider in a run: the SDK's
// default configuration (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE,
// AWS_ENDPOINT_URL_STS) assumes the role and asks STS who it is. It prints
// "caller <ARN>" and returns the process's exit code.
func AWSCaller() int {
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

// GCPCaller stands in for the Terraform Google provider in a run:
// Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, an
// external_account file) exchange the run's token at STS and impersonate
// the service account. It prints "gcp access token <prefix> valid <bool>"
// and returns the process's exit code.
func GCPCaller() int {
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

// WantGCPExchangeAllowed fails t unless the GCP decision log at tfcURL
// (/_emulator/gcp/decisions) is one allowed exchange: STS's token, then
// the service account's access token.
func WantGCPExchangeAllowed(t testing.TB, tfcURL string) {
	t.Helper()
	var decisions []struct {
		Action  string
		Allowed bool
	}
	resp, err := http.Get(tfcURL + "/_emulator/gcp/decisions")
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
