package cloudendpoints

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPointAWS: the shared config file gains a services section for STS
// only, and the environment AWS_ENDPOINT_URL_STS; a phase without AWS
// credentials keeps its environment.
func TestPointAWS(t *testing.T) {
	files := map[string]string{"/d/aws/config": "[default]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n", "/d/other": "x"}
	env := PointAWS(map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "/t"}, files, "http://127.0.0.1:8300")
	want := "[default]\nservices = tfcemu-sts\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n\n[services tfcemu-sts]\nsts =\n  endpoint_url = http://127.0.0.1:8300\n"
	if files["/d/aws/config"] != want || files["/d/other"] != "x" || env["AWS_ENDPOINT_URL_STS"] != "http://127.0.0.1:8300" {
		t.Fatalf("%q %q", files, env)
	}
	if again := PointAWS(env, files, "http://127.0.0.1:8300"); files["/d/aws/config"] != want || len(again) != 2 {
		t.Fatalf("pointing twice: %q %q", files, again)
	}
	if empty := PointAWS(nil, map[string]string{}, "http://x"); len(empty) != 0 {
		t.Fatalf("a phase without AWS credentials got %v", empty)
	}
}

// TestPointGCP: an external_account file's Google endpoints become the
// emulator's; its other fields and other files are kept.
func TestPointGCP(t *testing.T) {
	cred := `{"type":"external_account","audience":"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x",
	"subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"https://sts.googleapis.com/v1/token",
	"service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken",
	"credential_source":{"file":"/d/gcp/default/token","format":{"type":"text"}}}`
	files := map[string]string{"/d/gcp/default/credentials.json": cred, "/d/other.json": `{"type":"service_account","token_url":"https://sts.googleapis.com/v1/token"}`, "/d/x": "not json"}
	PointGCP(files, "http://127.0.0.1:8300", "http://127.0.0.1:8300/")
	var got map[string]any
	if err := json.Unmarshal([]byte(files["/d/gcp/default/credentials.json"]), &got); err != nil {
		t.Fatal(err)
	}
	if got["token_url"] != "http://127.0.0.1:8300/v1/token" ||
		got["service_account_impersonation_url"] != "http://127.0.0.1:8300/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken" ||
		got["audience"] != "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x" || got["credential_source"] == nil {
		t.Fatalf("credentials = %v", got)
	}
	if !strings.Contains(files["/d/other.json"], "https://sts.googleapis.com") || files["/d/x"] != "not json" {
		t.Fatalf("other files changed: %q", files)
	}
}

// TestPointAzure: a phase with Azure dynamic credentials gets azurerm's
// metadata host and azidentity's authority host; one without keeps its
// environment.
func TestPointAzure(t *testing.T) {
	env := PointAzure(map[string]string{"ARM_USE_OIDC": "true", "ARM_CLIENT_ID": "c"}, map[string]string{"/d/azure/default/token": "jwt"}, "https://127.0.0.1:8300")
	if env["ARM_METADATA_HOSTNAME"] != "127.0.0.1:8300" || env["AZURE_AUTHORITY_HOST"] != "https://127.0.0.1:8300/" || env["ARM_CLIENT_ID"] != "c" {
		t.Fatalf("env = %q", env)
	}
	if tagged := PointAzure(nil, map[string]string{"/d/azure/tagged/token": "jwt"}, "https://127.0.0.1:8300"); tagged["AZURE_AUTHORITY_HOST"] != "https://127.0.0.1:8300/" {
		t.Fatalf("tagged env = %q", tagged)
	}
	if none := PointAzure(map[string]string{"AWS_ROLE_ARN": "r"}, map[string]string{"/d/aws/config": "x"}, "https://127.0.0.1:8300"); len(none) != 1 {
		t.Fatalf("env without Azure = %q", none)
	}
}

// TestPointSkipsEmptyEndpoints: Point applies only the endpoints it has.
func TestPointSkipsEmptyEndpoints(t *testing.T) {
	files := map[string]string{"/d/gcp/c.json": `{"type":"external_account","token_url":"https://sts.googleapis.com/v1/token"}`}
	env := Point(map[string]string{"ARM_USE_OIDC": "true", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t"}, files, Endpoints{GCPSTSURL: "http://e"})
	if env["AWS_ENDPOINT_URL_STS"] != "" || env["AZURE_AUTHORITY_HOST"] != "" || !strings.Contains(files["/d/gcp/c.json"], `"http://e/v1/token"`) {
		t.Fatalf("env %q files %q", env, files)
	}
}
