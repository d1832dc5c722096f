package tfc_test

import (
	"encoding/json"
	"net/http"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

// TestOrganizationWritesAreLoggedByEntry takes the write paths that once
// logged the whole state (organization create, rename, subscription and
// delete, registry modules, test configurations and runs, organization
// tag deletion) through the changes check: each write's changes,
// replayed, must make the live state, and (TestMain) each must declare
// them.
func TestOrganizationWritesAreLoggedByEntry(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	for _, name := range []string{"org-a", "org-b"} {
		must[*tfe.Organization](t)(c.Organizations.Create(ctx(), tfe.OrganizationCreateOptions{Name: tfe.String(name), Email: tfe.String(name + "@example.com")}))
	}
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "org-a", tfe.WorkspaceCreateOptions{Name: tfe.String("ws"),
		Tags: []*tfe.Tag{{Name: "prod"}, {Name: "dev"}}}))
	must[*tfe.Variable](t)(c.Variables.Create(ctx(), w.ID, tfe.VariableCreateOptions{Key: tfe.String("k"), Value: tfe.String("v"), Category: tfe.Category(tfe.CategoryTerraform)}))
	must[*tfe.RegistryModule](t)(c.RegistryModules.Create(ctx(), "org-a", tfe.RegistryModuleCreateOptions{Name: tfe.String("vpc"), Provider: tfe.String("aws")}))
	must[*tfe.RegistryModule](t)(c.RegistryModules.Create(ctx(), "org-a", tfe.RegistryModuleCreateOptions{Name: tfe.String("gone"), Provider: tfe.String("aws")}))

	// Renamed: the organization keeps its place before org-b, and every
	// entry of it follows (the private modules' namespace too).
	must[*tfe.Organization](t)(c.Organizations.Update(ctx(), "org-a", tfe.OrganizationUpdateOptions{Name: tfe.String("org-c")}))
	steps := []struct {
		method, path, body string
		want               int
	}{
		{"PATCH", "/api/v2/registry-modules/private/org-c/vpc/aws/test-configuration",
			`{"data":{"type":"test-configurations","attributes":{"oidc-enabled":false}}}`, http.StatusOK},
		{"POST", "/api/v2/organizations/org-c/tests/registry-modules/private/org-c/vpc/aws/test-runs", "", http.StatusCreated},
		{"DELETE", "/api/v2/organizations/org-c/registry-modules/private/org-c/gone", "", http.StatusNoContent},
		{"PATCH", "/api/v2/account/update", `{"data":{"type":"users","attributes":{"email":"owner@example.org"}}}`, http.StatusOK},
	}
	for _, s := range steps {
		if code, _, body := e.raw(s.method, s.path, e.owner, s.body); code != s.want {
			t.Fatalf("%s %s = %d, want %d: %s", s.method, s.path, code, s.want, body)
		}
	}
	code, _, body := e.raw("GET", "/api/v2/organizations/org-c/tests/registry-modules/private/org-c/vpc/aws/test-runs", e.owner, "")
	var runs struct{ Data []struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &runs); code != http.StatusOK || err != nil || len(runs.Data) != 1 {
		t.Fatalf("test runs = %d %s", code, body)
	}
	id := runs.Data[0].ID
	if code, _, body := e.raw("POST", "/api/v2/organizations/org-c/tests/registry-modules/private/org-c/vpc/aws/test-runs/"+id+"/cancel", e.owner, ""); code != http.StatusAccepted {
		t.Fatalf("cancel = %d %s", code, body)
	}

	got := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), w.ID))
	if got.Organization.Name != "org-c" {
		t.Fatalf("renamed workspace's organization = %s", got.Organization.Name)
	}
	tags := must[*tfe.OrganizationTagsList](t)(c.OrganizationTags.List(ctx(), "org-c", nil))
	var prod string
	for _, tag := range tags.Items {
		if tag.Name == "prod" {
			prod = tag.ID
		}
	}
	noErr(t, c.OrganizationTags.Delete(ctx(), "org-c", tfe.OrganizationTagsDeleteOptions{IDs: []string{prod}}))
	if got := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), w.ID)); len(got.TagNames) != 1 || got.TagNames[0] != "dev" {
		t.Fatalf("after deleting the prod tag: %v", got.TagNames)
	}
	noErr(t, c.Organizations.Delete(ctx(), "org-c"))
	if _, err := c.Workspaces.ReadByID(ctx(), w.ID); err == nil {
		t.Fatal("the deleted organization's workspace is still there")
	}
	if org := must[*tfe.Organization](t)(c.Organizations.Read(ctx(), "org-b")); org.Name != "org-b" {
		t.Fatalf("org-b = %s", org.Name)
	}
}
