package gcp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/emulator/clouds/internal/cloudtest"
)

func TestAdminRefusesBadInputAndChangesNothing(t *testing.T) {
	e := newEnv(t)
	before, _ := e.svc.Snapshot()
	for _, tc := range []struct {
		name, path, body, want string
	}{
		{"malformed CEL condition", "/" + providerPath, `{"oidc":{"issuer_uri":"{{issuer}}"},"attribute_condition":"assertion.sub == "}`, "attribute_condition: ERROR: <input>:1:"},
		{"condition not bool", "/" + providerPath, `{"oidc":{"issuer_uri":"{{issuer}}"},"attribute_condition":"assertion.sub + 'x'"}`, "not bool"},
		{"malformed mapping", "/" + providerPath, `{"oidc":{"issuer_uri":"{{issuer}}"},"attribute_mapping":{"google.subject":"assertion.sub","attribute.x":"assertion.("}}`, `attribute_mapping["attribute.x"]: ERROR: <input>:1:`},
		{"mapping without google.subject", "/" + providerPath, `{"oidc":{"issuer_uri":"{{issuer}}"},"attribute_mapping":{"attribute.x":"assertion.x"}}`, "must map google.subject"},
		{"mapping refers to attribute", "/" + providerPath, `{"oidc":{"issuer_uri":"{{issuer}}"},"attribute_mapping":{"google.subject":"attribute.x"}}`, "undeclared reference to 'attribute'"},
		{"no issuer", "/" + providerPath, `{"oidc":{}}`, "oidc.issuer_uri is required"},
		{"bad provider id", "/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/X", `{"oidc":{"issuer_uri":"{{issuer}}"}}`, "is not projects/NUMBER"},
		{"unknown field", "/" + providerPath, `{"oidc":{"issuer_uri":"{{issuer}}"},"condition":"true"}`, `unknown field "condition"`},
		{"malformed JSON", "/" + providerPath, `{"oidc":`, "malformed JSON body"},
		{"bad member", "/service-accounts/" + saEmail, `{"members":["principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/terraform-module-tests/subjects/x"]}`, "members[0]"},
		{"bad email", "/service-accounts/not-an-email", `{"members":[]}`, "is not a service account email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.do("PUT", "/_emulator/gcp"+tc.path, "application/json", tc.body)
			var msg clouds.AdminError
			if err := json.Unmarshal([]byte(body), &msg); status != 400 || err != nil || !strings.Contains(msg.Error, tc.want) {
				t.Fatalf("%d %s\nwant 400 containing %s", status, body, tc.want)
			}
		})
	}
	if after, _ := e.svc.Snapshot(); string(after) != string(before) {
		t.Fatalf("state changed:\n%s\n%s", before, after)
	}
}

func TestAdminCRUDAndDecisions(t *testing.T) {
	e := newEnv(t)
	status, body := e.do("GET", "/_emulator/gcp/"+providerPath, "", "")
	if status != 200 || !strings.Contains(body, `"resolved_issuer_uri":"`+e.issuer.URL()+`"`) {
		t.Fatalf("%d %s", status, body)
	}
	if status, body = e.do("DELETE", "/_emulator/gcp/"+providerPath, "", ""); status != 204 || body != "" {
		t.Fatalf("%d %s", status, body)
	}
	if status, body = e.do("GET", "/_emulator/gcp/"+providerPath, "", ""); status != 404 || body != `{"error":"no workload identity pool provider `+providerPath+`"}` {
		t.Fatalf("%d %s", status, body)
	}
	if status, body = e.do("DELETE", "/_emulator/gcp/service-accounts/"+saEmail, "", ""); status != 204 {
		t.Fatalf("%d %s", status, body)
	}
	if status, body = e.do("PUT", "/_emulator/gcp/service-accounts/"+saEmail, "application/json", `{"members":["user:me@example.com"]}`); status != 201 {
		t.Fatalf("%d %s", status, body)
	}
	e.do("POST", "/v1/token", form, exchangeForm(providerAud, "x"))
	status, body = e.do("GET", "/_emulator/gcp/decisions", "", "")
	var ds []clouds.Decision
	if err := json.Unmarshal([]byte(body), &ds); status != 200 || err != nil || len(ds) != 1 || ds[0].Cloud != "gcp" || ds[0].Allowed || !ds[0].Time.Equal(t0) {
		t.Fatalf("%d %s", status, body)
	}
	if status, body = e.do("DELETE", "/_emulator/gcp/decisions", "", ""); status != 204 || len(e.svc.Decisions()) != 0 {
		t.Fatalf("DELETE decisions: %d %s, %d left", status, body, len(e.svc.Decisions()))
	}
	e.do("POST", "/v1/token", form, exchangeForm(providerAud, "x"))
	e.svc.Reset()
	if status, _ = e.do("GET", "/_emulator/gcp/"+providerPath, "", ""); status != 200 || len(e.svc.Decisions()) != 0 {
		t.Fatalf("reset: provider %d, decisions %d", status, len(e.svc.Decisions()))
	}
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.do("PUT", "/_emulator/gcp/projects/42/locations/global/workloadIdentityPools/pool-one/providers/prov-one", "application/json",
		`{"oidc":{"issuer_uri":"https://issuer.example","allowed_audiences":["a"]},"attribute_mapping":{"google.subject":"assertion.sub","attribute.ws":"assertion.terraform_workspace_name"},"attribute_condition":"attribute.ws.startsWith('prod-')"}`)
	cloudtest.WantRoundTrip(t, e.svc, newEnv(t).svc,
		`{"workload_identity_providers":{"projects/1/locations/global/workloadIdentityPools/pool-one/providers/prov-one":{"oidc":{"issuer_uri":"{{issuer}}"},"attribute_condition":"("}}}`, `{"nope":1}`, `[`)
}
