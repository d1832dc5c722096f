package azure

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestSeedYAML is the seed section a fixture writes, decoded as the wiring will.
func TestSeedYAML(t *testing.T) {
	const doc = `
tenants:
  contoso.onmicrosoft.com:
    applications:
      33333333-3333-3333-3333-333333333333:
        federated_identity_credentials:
          prod-apply:
            issuer: "{{issuer}}"
            subject: "organization:my-org:project:Default Project:workspace:prod:run_phase:apply"
`
	var seed Seed
	if err := yaml.Unmarshal([]byte(doc), &seed); err != nil {
		t.Fatal(err)
	}
	s := New(Config{})
	if err := s.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	snap, _ := s.Snapshot()
	if !strings.Contains(string(snap), `"prod-apply":{"issuer":"{{issuer}}","subject":"organization:my-org:project:Default Project:workspace:prod:run_phase:apply","audiences":["api://AzureADTokenExchange"]}`) || strings.Contains(string(snap), DefaultTenant) {
		t.Fatalf("snapshot %s", snap)
	}
	if err := s.SetSeed(Seed{Tenants: map[string]Tenant{"bad tenant": {}}}); err == nil {
		t.Fatal("a bad seed was accepted")
	}
	if again, _ := s.Snapshot(); string(again) != string(snap) {
		t.Fatal("a refused seed changed the state")
	}
}
