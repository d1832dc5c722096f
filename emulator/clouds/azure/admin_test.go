package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/emulator/clouds/internal/cloudtest"
)

func TestAdminCredentials(t *testing.T) {
	e := newEnv(t)
	app := "/_emulator/azure/tenants/" + DefaultTenant + "/applications/" + DefaultClientID + "/federated-identity-credentials"
	status, body := e.do("PUT", app+"/module-tests", "application/json", `{"issuer":"{{issuer}}","subject":"organization:my-org:project:Default Project:workspace:my-workspace:run_phase:plan","audiences":["azure.workload.identity"]}`)
	if status != 400 || !strings.Contains(body, "the same issuer and subject") {
		t.Fatalf("%d %s", status, body)
	}
	status, body = e.do("PUT", app+"/module-tests", "application/json", `{"issuer":"{{issuer}}","subject":"organization:my-org:module:vpc:operation:test_run","audiences":["azure.workload.identity"]}`)
	if status != 201 || !strings.Contains(body, `"resolved_issuer":"`+e.issuer.URL()+`"`) {
		t.Fatalf("%d %s", status, body)
	}
	status, body = e.do("GET", app, "", "")
	var list []credentialView
	if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || len(list) != 3 || list[0].Name != "module-tests" {
		t.Fatalf("%d %s", status, body)
	}
	if status, body = e.do("DELETE", app+"/my-workspace-plan", "", ""); status != 204 || body != "" {
		t.Fatalf("%d %s", status, body)
	}
	_, err := e.credential(e.srv.URL+"/", DefaultTenant, DefaultClientID, mint(t, e.issuer, "my-workspace", "plan", DefaultAudience)).
		GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{armScope}})
	if err == nil || !strings.Contains(err.Error(), "AADSTS700213") {
		t.Fatalf("after delete: %v", err)
	}
	if status, body = e.do("GET", app+"/my-workspace-plan", "", ""); status != 404 || body != `{"error":"no federated identity credential my-workspace-plan on application `+DefaultClientID+` in tenant `+DefaultTenant+`"}` {
		t.Fatalf("%d %s", status, body)
	}
	status, body = e.do("GET", "/_emulator/azure/decisions", "", "")
	var ds []clouds.Decision
	if err := json.Unmarshal([]byte(body), &ds); status != 200 || err != nil || len(ds) != 1 || ds[0].Cloud != "azure" || ds[0].Allowed {
		t.Fatalf("%d %s", status, body)
	}
	if status, body = e.do("DELETE", "/_emulator/azure/decisions", "", ""); status != 204 || len(e.svc.Decisions()) != 0 {
		t.Fatalf("DELETE decisions: %d %s", status, body)
	}
	e.svc.Reset()
	if status, _ = e.do("GET", app+"/my-workspace-plan", "", ""); status != 200 {
		t.Fatalf("reset did not restore the seed: %d", status)
	}
}

func TestAdminRefusesBadInputAndChangesNothing(t *testing.T) {
	e := newEnv(t)
	app := "/_emulator/azure/tenants/" + DefaultTenant + "/applications/" + DefaultClientID + "/federated-identity-credentials"
	for i := range 18 {
		if status, body := e.do("PUT", fmt.Sprintf("%s/fic-%02d", app, i), "application/json", fmt.Sprintf(`{"issuer":"https://i.example","subject":"s%d"}`, i)); status != 201 {
			t.Fatalf("%d %s", status, body)
		}
	}
	before, _ := e.svc.Snapshot()
	for _, tc := range []struct{ name, path, body, want string }{
		{"21st credential", app + "/fic-99", `{"issuer":"https://i.example","subject":"s99"}`, "has 21 federated identity credentials, over the 20 allowed"},
		{"two audiences", app + "/two", `{"issuer":"https://i.example","subject":"x","audiences":["a","b"]}`, "exactly one audience"},
		{"short name", app + "/ab", `{"issuer":"https://i.example","subject":"x"}`, `name "ab" must be 3-120 characters`},
		{"no subject", app + "/nosub", `{"issuer":"https://i.example"}`, "subject is required"},
		{"client not a GUID", "/_emulator/azure/tenants/" + DefaultTenant + "/applications/app/federated-identity-credentials/abc", `{"issuer":"https://i.example","subject":"x"}`, `client id "app" is not a GUID`},
		{"unknown field", app + "/abc", `{"issuer":"https://i.example","subject":"x","description":"d"}`, `unknown field "description"`},
		{"malformed JSON", app + "/abc", `{"issuer":`, "malformed JSON body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.do("PUT", tc.path, "application/json", tc.body)
			var msg clouds.AdminError
			if err := json.Unmarshal([]byte(body), &msg); status != 400 || err != nil || !strings.Contains(msg.Error, tc.want) {
				t.Fatalf("%d %s\nwant 400 containing %s", status, body, tc.want)
			}
		})
	}
	if after, _ := e.svc.Snapshot(); string(after) != string(before) {
		t.Fatalf("state changed")
	}
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.do("PUT", "/_emulator/azure/tenants/contoso.onmicrosoft.com/applications/33333333-3333-3333-3333-333333333333/federated-identity-credentials/gha", "application/json",
		`{"issuer":"https://token.actions.githubusercontent.com","subject":"repo:o/r:environment:prod"}`)
	cloudtest.WantRoundTrip(t, e.svc, newEnv(t).svc,
		`{"tenants":{"not a tenant":{"applications":{}}}}`, `{"tenants":{"t.example":{"applications":{"x":{}}}}}`, `{"nope":1}`, `[`)
}
