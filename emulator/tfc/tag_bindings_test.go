package tfc_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

func TestWorkspaceTagBindingsThroughGoTFE(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	p := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Tagged",
		TagBindings: []*tfe.TagBinding{{Key: "env", Value: "prod"}, {Key: "cost-center", Value: "42"}}}))
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("tagged-ws"), Project: p,
		TagBindings: []*tfe.TagBinding{{Key: "env", Value: "dev"}, {Key: "team", Value: "net"}}}))

	own := must[[]*tfe.TagBinding](t)(c.Workspaces.ListTagBindings(ctx(), w.ID))
	if len(own) != 2 || own[0].Key != "env" || own[0].Value != "dev" || own[1].Key != "team" {
		t.Fatalf("own bindings = %+v", own)
	}
	// The workspace's env overrides the project's; cost-center is inherited
	// and says from where.
	effective := must[[]*tfe.EffectiveTagBinding](t)(c.Workspaces.ListEffectiveTagBindings(ctx(), w.ID))
	got := map[string]string{}
	for _, b := range effective {
		got[b.Key] = b.Value
		inherited := b.Links["inherited-from"]
		if (b.Key == "cost-center") != (inherited != nil) {
			t.Errorf("binding %s links = %v", b.Key, b.Links)
		}
		if inherited != nil && inherited != "/api/v2/projects/"+p.ID {
			t.Errorf("inherited-from = %v, want the project %s", inherited, p.ID)
		}
	}
	if len(effective) != 3 || got["env"] != "dev" || got["team"] != "net" || got["cost-center"] != "42" {
		t.Fatalf("effective bindings = %v", got)
	}

	// AddTagBindings adds and updates, answering with every binding.
	added := must[[]*tfe.TagBinding](t)(c.Workspaces.AddTagBindings(ctx(), w.ID, tfe.WorkspaceAddTagBindingsOptions{
		TagBindings: []*tfe.TagBinding{{Key: "team", Value: "platform"}, {Key: "tier", Value: "1"}}}))
	if len(added) != 3 || added[1].Value != "platform" || added[2].Key != "tier" {
		t.Fatalf("after adding = %+v", added)
	}

	// Listing filters on effective bindings; include brings them along.
	list := must[*tfe.WorkspaceList](t)(c.Workspaces.List(ctx(), "my-org", &tfe.WorkspaceListOptions{
		TagBindings: []*tfe.TagBinding{{Key: "cost-center"}, {Key: "tier", Value: "1"}},
		Include:     []tfe.WSIncludeOpt{tfe.WSEffectiveTagBindings}}))
	if len(list.Items) != 1 || list.Items[0].ID != w.ID || len(list.Items[0].EffectiveTagBindings) != 4 {
		t.Fatalf("filtered list = %+v", list.Items)
	}
	for _, b := range list.Items[0].EffectiveTagBindings {
		if b.Key == "" || b.Value == "" {
			t.Errorf("included binding %+v is not filled in", b)
		}
	}
	if none := must[*tfe.WorkspaceList](t)(c.Workspaces.List(ctx(), "my-org", &tfe.WorkspaceListOptions{
		TagBindings: []*tfe.TagBinding{{Key: "tier", Value: "2"}}})); len(none.Items) != 0 {
		t.Fatalf("tier=2 matched %d workspaces", len(none.Items))
	}
	read := must[*tfe.Workspace](t)(c.Workspaces.ReadWithOptions(ctx(), "my-org", "tagged-ws", &tfe.WorkspaceReadOptions{
		Include: []tfe.WSIncludeOpt{tfe.WSEffectiveTagBindings}}))
	if len(read.EffectiveTagBindings) != 4 || len(read.TagBindings) != 3 {
		t.Fatalf("read: %d effective, %d own", len(read.EffectiveTagBindings), len(read.TagBindings))
	}

	// Update replaces; DeleteAllTagBindings leaves the inherited ones.
	must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{TagBindings: []*tfe.TagBinding{{Key: "foo", Value: "bar"}}}))
	if own := must[[]*tfe.TagBinding](t)(c.Workspaces.ListTagBindings(ctx(), w.ID)); len(own) != 1 || own[0].Key != "foo" {
		t.Fatalf("after update = %+v", own)
	}
	if err := c.Workspaces.DeleteAllTagBindings(ctx(), w.ID); err != nil {
		t.Fatal(err)
	}
	if own := must[[]*tfe.TagBinding](t)(c.Workspaces.ListTagBindings(ctx(), w.ID)); len(own) != 0 {
		t.Fatalf("after deleting all = %+v", own)
	}
	if eff := must[[]*tfe.EffectiveTagBinding](t)(c.Workspaces.ListEffectiveTagBindings(ctx(), w.ID)); len(eff) != 2 {
		t.Fatalf("inherited after deleting the workspace's own = %+v", eff)
	}
}

func TestTagBindingLimitsAndBadInput(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("limits"),
		TagBindings: []*tfe.TagBinding{{Key: "keep", Value: "me"}}}))
	var many []*tfe.TagBinding
	for i := range 10 {
		many = append(many, &tfe.TagBinding{Key: fmt.Sprintf("k%d", i)})
	}
	// The 10 new keys plus the one kept make 11: refused, nothing changed.
	_, err := c.Workspaces.AddTagBindings(ctx(), w.ID, tfe.WorkspaceAddTagBindingsOptions{TagBindings: many})
	wantErrText(t, err, "Tag bindings cannot exceed 10 per resource")
	if own := must[[]*tfe.TagBinding](t)(c.Workspaces.ListTagBindings(ctx(), w.ID)); len(own) != 1 {
		t.Fatalf("a refused add changed the bindings: %+v", own)
	}
	_, err = c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "TooMany", TagBindings: append(many, &tfe.TagBinding{Key: "k10"})})
	wantErrText(t, err, "Tag bindings cannot exceed 10 per resource")

	wsPath := "/api/v2/workspaces/" + w.ID
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"key with a space", "PATCH", wsPath + "/tag-bindings", `{"data":[{"type":"tag-bindings","attributes":{"key":"a b","value":"x"}}]}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Key must be at most 255 characters and contain only letters, numbers, colons, hyphens, and underscores","source":{"pointer":"/data/0/attributes/key"}}]}`},
		{"blank key on create", "POST", "/api/v2/organizations/my-org/workspaces", `{"data":{"type":"workspaces","attributes":{"name":"nope"},"relationships":{"tag-bindings":{"data":[{"type":"tag-bindings","attributes":{"value":"x"}}]}}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Key can't be blank","source":{"pointer":"/data/relationships/tag-bindings/data/0/attributes/key"}}]}`},
		{"value too long", "PATCH", wsPath, `{"data":{"type":"workspaces","relationships":{"tag-bindings":{"data":[{"type":"tag-bindings","attributes":{"key":"k","value":"` + strings.Repeat("v", 256) + `"}}]}}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Value is too long (maximum is 255 characters)","source":{"pointer":"/data/relationships/tag-bindings/data/0/attributes/value"}}]}`},
		{"no data", "PATCH", wsPath + "/tag-bindings", `{}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Tag bindings are required","source":{"pointer":"/data"}}]}`},
		{"unknown workspace", "GET", "/api/v2/workspaces/ws-doesNotExist1234/effective-tag-bindings", "", 404,
			`{"errors":[{"status":"404","title":"not found"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := e.raw(tc.method, tc.path, e.owner, tc.body)
			if status != tc.status || body != tc.want {
				t.Fatalf("%d %s\nwant %d %s", status, body, tc.status, tc.want)
			}
		})
	}
	if _, taken := c.Workspaces.Read(ctx(), "my-org", "nope"); taken == nil {
		t.Fatal("a refused create made the workspace")
	}
	if own := must[[]*tfe.TagBinding](t)(c.Workspaces.ListTagBindings(ctx(), w.ID)); len(own) != 1 || own[0].Value != "me" {
		t.Fatalf("refused requests changed the bindings: %+v", own)
	}

	// The relationships/ routes of the OpenAPI document: POST adds, PATCH
	// replaces, both answer 204.
	if status, _, body := e.raw("POST", wsPath+"/relationships/tag-bindings", e.owner, `{"data":[{"type":"tag-bindings","attributes":{"key":"a","value":"1"}}]}`); status != http.StatusNoContent {
		t.Fatalf("POST relationships = %d %s", status, body)
	}
	if status, _, body := e.raw("PATCH", wsPath+"/relationships/tag-bindings", e.owner, `{"data":[{"type":"tag-bindings","attributes":{"key":"b"}}]}`); status != http.StatusNoContent {
		t.Fatalf("PATCH relationships = %d %s", status, body)
	}
	if own := must[[]*tfe.TagBinding](t)(c.Workspaces.ListTagBindings(ctx(), w.ID)); len(own) != 1 || own[0].Key != "b" {
		t.Fatalf("after replace = %+v", own)
	}
	// A member without access to the workspace sees it as missing, and
	// cannot tag it.
	member := e.client(e.member)
	_, err = member.Workspaces.ListTagBindings(ctx(), w.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = member.Workspaces.AddTagBindings(ctx(), w.ID, tfe.WorkspaceAddTagBindingsOptions{TagBindings: []*tfe.TagBinding{{Key: "x"}}})
	wantErr(t, err, tfe.ErrResourceNotFound)
}
