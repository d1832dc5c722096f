package tfc_test

import (
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

func TestWorkspaceTagsThroughGoTFE(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w1 := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("tags-1"),
		Tags: []*tfe.Tag{{Name: "prod"}, {Name: "team:net"}, {Name: "prod"}}}))
	if len(w1.TagNames) != 2 || w1.TagNames[0] != "prod" || w1.TagNames[1] != "team:net" {
		t.Fatalf("created with tag-names %v", w1.TagNames)
	}
	w2 := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("tags-2")}))
	noErr(t, c.Workspaces.AddTags(ctx(), w2.ID, tfe.WorkspaceAddTagsOptions{Tags: []*tfe.Tag{{Name: "dev"}}}))

	// An organization's tags have ids, counts and the organization.
	orgTags := must[*tfe.OrganizationTagsList](t)(c.OrganizationTags.List(ctx(), "my-org", nil))
	byName := map[string]*tfe.OrganizationTag{}
	for _, tag := range orgTags.Items {
		byName[tag.Name] = tag
	}
	if len(orgTags.Items) != 3 || byName["prod"].InstanceCount != 1 || byName["prod"].Organization == nil || byName["prod"].Organization.Name != "my-org" {
		t.Fatalf("organization tags = %+v", orgTags.Items)
	}
	if only := must[*tfe.OrganizationTagsList](t)(c.OrganizationTags.List(ctx(), "my-org", &tfe.OrganizationTagsListOptions{Filter: w1.ID})); len(only.Items) != 1 || only.Items[0].Name != "dev" {
		t.Fatalf("tags not on %s = %+v", w1.ID, only.Items)
	}

	// A tag is added by id, and to workspaces through the tag.
	noErr(t, c.Workspaces.AddTags(ctx(), w2.ID, tfe.WorkspaceAddTagsOptions{Tags: []*tfe.Tag{{ID: byName["prod"].ID}}}))
	if list := must[*tfe.TagList](t)(c.Workspaces.ListTags(ctx(), w2.ID, nil)); len(list.Items) != 2 || list.Items[1].ID != byName["prod"].ID {
		t.Fatalf("w2 tags = %+v", list.Items)
	}
	noErr(t, c.OrganizationTags.AddWorkspaces(ctx(), byName["team:net"].ID, tfe.AddWorkspacesToTagOptions{WorkspaceIDs: []string{w2.ID}}))

	// The workspace list searches on tags.
	both := must[*tfe.WorkspaceList](t)(c.Workspaces.List(ctx(), "my-org", &tfe.WorkspaceListOptions{Tags: "prod,team:net"}))
	if len(both.Items) != 2 {
		t.Fatalf("search[tags] matched %d", len(both.Items))
	}
	notDev := must[*tfe.WorkspaceList](t)(c.Workspaces.List(ctx(), "my-org", &tfe.WorkspaceListOptions{Tags: "prod", ExcludeTags: "dev"}))
	if len(notDev.Items) != 1 || notDev.Items[0].ID != w1.ID {
		t.Fatalf("search[exclude-tags] = %+v", notDev.Items)
	}

	// Removing an unknown tag is fine; deleting a tag takes it off every workspace.
	noErr(t, c.Workspaces.RemoveTags(ctx(), w1.ID, tfe.WorkspaceRemoveTagsOptions{Tags: []*tfe.Tag{{Name: "NoSuchTag"}, {Name: "team:net"}}}))
	noErr(t, c.OrganizationTags.Delete(ctx(), "my-org", tfe.OrganizationTagsDeleteOptions{IDs: []string{byName["prod"].ID}}))
	for id, want := range map[string]int{w1.ID: 0, w2.ID: 2} {
		if list := must[*tfe.TagList](t)(c.Workspaces.ListTags(ctx(), id, nil)); len(list.Items) != want {
			t.Errorf("%s has %d tags, want %d: %+v", id, len(list.Items), want, list.Items)
		}
	}
	if read := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), w1.ID)); len(read.TagNames) != 0 {
		t.Fatalf("w1 tag-names after delete = %v", read.TagNames)
	}
}

func TestWorkspaceTagsBadInput(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("tags-bad"), Tags: []*tfe.Tag{{Name: "keep"}}}))
	path := "/api/v2/workspaces/" + w.ID + "/relationships/tags"
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"name with a space", "POST", path, `{"data":[{"type":"tags","attributes":{"name":"ok"}},{"type":"tags","attributes":{"name":"not ok"}}]}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Name must begin and end with a letter or number, contain only letters, numbers, colons, hyphens, and underscores, and be at most 255 characters","source":{"pointer":"/data/1/attributes/name"}}]}`},
		{"name ending in a hyphen on create", "POST", "/api/v2/organizations/my-org/workspaces", `{"data":{"type":"workspaces","attributes":{"name":"tags-new"},"relationships":{"tags":{"data":[{"type":"tags","attributes":{"name":"prod-"}}]}}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Name must begin and end with a letter or number, contain only letters, numbers, colons, hyphens, and underscores, and be at most 255 characters","source":{"pointer":"/data/relationships/tags/data/0/attributes/name"}}]}`},
		{"neither id nor name", "POST", path, `{"data":[{"type":"tags"}]}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"A tag needs an id or a name","source":{"pointer":"/data/0"}}]}`},
		{"unknown tag id", "POST", path, `{"data":[{"type":"tags","attributes":{"name":"fresh"}},{"type":"tags","id":"tag-doesNotExist1234"}]}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Tag tag-doesNotExist1234 was not found in organization my-org","source":{"pointer":"/data/1/id"}}]}`},
		{"empty list", "DELETE", path, `{"data":[]}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"At least one tag is required","source":{"pointer":"/data"}}]}`},
		{"workspace from elsewhere", "POST", "/api/v2/tags/{tag}/relationships/workspaces", `{"data":[{"type":"workspaces","id":"ws-doesNotExist1234"}]}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Workspace ws-doesNotExist1234 was not found in organization my-org","source":{"pointer":"/data/0/id"}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tags := must[*tfe.TagList](t)(c.Workspaces.ListTags(ctx(), w.ID, nil))
			p := strings.Replace(tc.path, "{tag}", tags.Items[0].ID, 1)
			status, _, body := e.raw(tc.method, p, e.owner, tc.body)
			if status != tc.status || body != tc.want {
				t.Fatalf("%d %s\nwant %d %s", status, body, tc.status, tc.want)
			}
		})
	}
	// Nothing above changed anything: one workspace tag, one organization tag.
	if list := must[*tfe.TagList](t)(c.Workspaces.ListTags(ctx(), w.ID, nil)); len(list.Items) != 1 || list.Items[0].Name != "keep" {
		t.Fatalf("workspace tags = %+v", list.Items)
	}
	if org := must[*tfe.OrganizationTagsList](t)(c.OrganizationTags.List(ctx(), "my-org", nil)); len(org.Items) != 1 {
		t.Fatalf("organization tags = %+v", org.Items)
	}
	// A member without access to the workspace cannot tag it.
	err := e.client(e.member).Workspaces.AddTags(ctx(), w.ID, tfe.WorkspaceAddTagsOptions{Tags: []*tfe.Tag{{Name: "x"}}})
	wantErr(t, err, tfe.ErrResourceNotFound)
}

// noErr fails the test on an error from a call that returns only one.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
