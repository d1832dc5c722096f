package tfc

import (
	"errors"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/fixtures"
)

func TestLookupsOnTheDefaultSeed(t *testing.T) {
	seed, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := New(seed, func() time.Time { return time.Unix(0, 0) })
	id, err := s.LookupWorkspace("my-org", "my-workspace")
	if err != nil {
		t.Fatal(err)
	}
	if id.Organization.ID != "org-GRNbCjYNpBB6NEH9" || id.Project.Name != "Default Project" || id.Workspace.ID != "ws-mbsd5E3Ktt5Rg2Xm" {
		t.Fatalf("identity = %+v", id)
	}
	if o, err := s.LookupOrganization("hashicorp-vault-testing"); err != nil || o.ModuleTestTokenTTL != 600 {
		t.Fatalf("org = %+v, %v", o, err)
	}
	for _, tc := range [][2]string{{"nope", "my-workspace"}, {"my-org", "nope"}, {"hashicorp-vault-testing", "my-workspace"}} {
		if _, err := s.LookupWorkspace(tc[0], tc[1]); !errors.Is(err, ErrNotFound) {
			t.Errorf("LookupWorkspace(%q, %q) err = %v, want ErrNotFound", tc[0], tc[1], err)
		}
	}
}
