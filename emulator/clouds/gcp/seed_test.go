package gcp

import (
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestSeedYAML is the seed section a fixture writes, decoded as the wiring will.
func TestSeedYAML(t *testing.T) {
	const doc = `
workload_identity_providers:
  projects/42/locations/global/workloadIdentityPools/ci-pool/providers/tfc-ci:
    attribute_mapping:
      google.subject: assertion.sub
      attribute.terraform_workspace_id: assertion.terraform_workspace_id
    attribute_condition: assertion.terraform_organization_name == "my-org"
    oidc:
      issuer_uri: "{{issuer}}"
      allowed_audiences: [gcp.workload.identity]
service_accounts:
  ci-runner@my-project.iam.gserviceaccount.com:
    members:
      - principalSet://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/ci-pool/attribute.terraform_workspace_id/ws-123
`
	var seed Seed
	if err := yaml.Unmarshal([]byte(doc), &seed); err != nil {
		t.Fatal(err)
	}
	s := New(Config{})
	if err := s.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	s.Reset()
	snap, _ := s.Snapshot()
	if !strings.Contains(string(snap), `"ci-runner@my-project.iam.gserviceaccount.com":{"members":["principalSet://`) || strings.Contains(string(snap), DefaultPool) {
		t.Fatalf("snapshot %s", snap)
	}
	seed.WorkloadIdentityProviders["projects/42/locations/global/workloadIdentityPools/ci-pool/providers/tfc-ci"] = Provider{AttributeCondition: "(", OIDC: OIDC{IssuerURI: "{{issuer}}"}}
	if err := s.SetSeed(seed); err == nil || !strings.Contains(err.Error(), "attribute_condition: ERROR: <input>:1:2") {
		t.Fatalf("bad seed: %v", err)
	}
	if again, _ := s.Snapshot(); string(again) != string(snap) {
		t.Fatal("a refused seed changed the state")
	}
}

// TestConcurrentExchangesAndAdmin runs exchanges, impersonations and admin
// writes together (meaningful under -race).
func TestConcurrentExchangesAndAdmin(t *testing.T) {
	e := newEnv(t)
	tok := e.mint("my-org", "plan", providerAud)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				if status, body := e.do("POST", "/v1/token", form, exchangeForm(providerAud, tok)); status != 200 {
					t.Errorf("%d %s", status, body)
				}
				return
			}
			if status, body := e.do("PUT", "/_emulator/gcp/service-accounts/"+saEmail, "application/json", `{"members":["principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/*"]}`); status != 200 {
				t.Errorf("%d %s", status, body)
			}
		}()
	}
	wg.Wait()
	if n := len(e.svc.Decisions()); n != 4 {
		t.Fatalf("%d decisions, want 4", n)
	}
}

func TestNoDecisionsIsAnEmptyList(t *testing.T) {
	e := newEnv(t)
	if status, body := e.do("GET", "/_emulator/gcp/decisions", "", ""); status != 200 || body != "[]" {
		t.Fatalf("%d %s", status, body)
	}
}
