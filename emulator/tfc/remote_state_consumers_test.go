package tfc_test

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

func TestRemoteStateConsumersThroughGoTFE(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	src := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("rs-src"), ProjectRemoteState: tfe.Bool(true)}))
	if src.GlobalRemoteState || !src.ProjectRemoteState {
		t.Fatalf("created with global %v project %v", src.GlobalRemoteState, src.ProjectRemoteState)
	}
	a, b := newWorkspace(t, c, "rs-a"), newWorkspace(t, c, "rs-b")

	noErr(t, c.Workspaces.AddRemoteStateConsumers(ctx(), src.ID, tfe.WorkspaceAddRemoteStateConsumersOptions{Workspaces: []*tfe.Workspace{a, b, a}}))
	list := must[*tfe.WorkspaceList](t)(c.Workspaces.ListRemoteStateConsumers(ctx(), src.ID, nil))
	if list.TotalCount != 2 || list.Items[0].ID != a.ID || list.Items[1].ID != b.ID {
		t.Fatalf("consumers = %+v", list.Items)
	}
	noErr(t, c.Workspaces.RemoveRemoteStateConsumers(ctx(), src.ID, tfe.WorkspaceRemoveRemoteStateConsumersOptions{Workspaces: []*tfe.Workspace{a}}))
	noErr(t, c.Workspaces.UpdateRemoteStateConsumers(ctx(), src.ID, tfe.WorkspaceUpdateRemoteStateConsumersOptions{Workspaces: []*tfe.Workspace{a}}))
	if list := must[*tfe.WorkspaceList](t)(c.Workspaces.ListRemoteStateConsumers(ctx(), src.ID, nil)); list.TotalCount != 1 || list.Items[0].ID != a.ID {
		t.Fatalf("consumers after update = %+v", list.Items)
	}
	// A workspace of another organization is refused, and nothing changes.
	other := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "hashicorp-vault-testing", tfe.WorkspaceCreateOptions{Name: tfe.String("elsewhere")}))
	status, _, body := e.raw("POST", "/api/v2/workspaces/"+src.ID+"/relationships/remote-state-consumers", e.owner,
		fmt.Sprintf(`{"data":[{"type":"workspaces","id":%q},{"type":"workspaces","id":%q}]}`, b.ID, other.ID))
	if want := fmt.Sprintf(`{"errors":[{"status":"422","title":"invalid attribute","detail":"Workspace \"%s\" was not found in organization my-org","source":{"pointer":"/data/1/id"}}]}`, other.ID); status != 422 || body != want {
		t.Fatalf("foreign consumer: %d %s", status, body)
	}
	if list := must[*tfe.WorkspaceList](t)(c.Workspaces.ListRemoteStateConsumers(ctx(), src.ID, nil)); list.TotalCount != 1 {
		t.Fatalf("a refused add changed the consumers: %+v", list.Items)
	}
	// Deleting a consumer takes it off the list.
	noErr(t, c.Workspaces.DeleteByID(ctx(), a.ID))
	if list := must[*tfe.WorkspaceList](t)(c.Workspaces.ListRemoteStateConsumers(ctx(), src.ID, nil)); list.TotalCount != 0 {
		t.Fatalf("consumers after delete = %+v", list.Items)
	}
	upd := must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), src.ID, tfe.WorkspaceUpdateOptions{GlobalRemoteState: tfe.Bool(true), ProjectRemoteState: tfe.Bool(false)}))
	if !upd.GlobalRemoteState || upd.ProjectRemoteState {
		t.Fatalf("updated global %v project %v", upd.GlobalRemoteState, upd.ProjectRemoteState)
	}
}

// TestRemoteStateReadsFollowSharing: a caller holding another workspace's
// lock (the Terraform CLI during plan and apply) reads a workspace's state
// only when that workspace shares it with the one held.
func TestRemoteStateReadsFollowSharing(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	src, reader := newWorkspace(t, c, "net"), newWorkspace(t, c, "app")
	state := tfstate(1, "l")
	must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), src.ID, tfe.WorkspaceLockOptions{}))
	must[*tfe.StateVersion](t)(c.StateVersions.Create(ctx(), src.ID, tfe.StateVersionCreateOptions{MD5: tfe.String(fmt.Sprintf("%x", md5.Sum(state))),
		Serial: tfe.Int64(1), State: tfe.String(base64.StdEncoding.EncodeToString(state))}))
	must[*tfe.Workspace](t)(c.Workspaces.Unlock(ctx(), src.ID))

	// Without a lock held, the owner reads any state.
	must[*tfe.StateVersion](t)(c.StateVersions.ReadCurrent(ctx(), src.ID))
	must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), reader.ID, tfe.WorkspaceLockOptions{}))
	steps := []struct {
		name  string
		share func()
		ok    bool
	}{
		{"not shared", func() {}, false},
		{"project", func() {
			must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), src.ID, tfe.WorkspaceUpdateOptions{ProjectRemoteState: tfe.Bool(true)}))
		}, true},
		{"consumer", func() {
			must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), src.ID, tfe.WorkspaceUpdateOptions{ProjectRemoteState: tfe.Bool(false)}))
			noErr(t, c.Workspaces.AddRemoteStateConsumers(ctx(), src.ID, tfe.WorkspaceAddRemoteStateConsumersOptions{Workspaces: []*tfe.Workspace{reader}}))
		}, true},
		{"global", func() {
			noErr(t, c.Workspaces.RemoveRemoteStateConsumers(ctx(), src.ID, tfe.WorkspaceRemoveRemoteStateConsumersOptions{Workspaces: []*tfe.Workspace{reader}}))
			must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), src.ID, tfe.WorkspaceUpdateOptions{GlobalRemoteState: tfe.Bool(true)}))
		}, true},
	}
	for _, s := range steps {
		s.share()
		_, errSV := c.StateVersions.ReadCurrent(ctx(), src.ID)
		_, errOut := c.StateVersionOutputs.ReadCurrent(ctx(), src.ID)
		if s.ok && (errSV != nil || errOut != nil) {
			t.Errorf("%s: read refused: %v, %v", s.name, errSV, errOut)
		}
		if !s.ok && (errSV != tfe.ErrResourceNotFound || errOut != tfe.ErrResourceNotFound) {
			t.Errorf("%s: read allowed: %v, %v", s.name, errSV, errOut)
		}
	}
	// Holding the source's lock too makes it readable without sharing.
	must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), src.ID, tfe.WorkspaceUpdateOptions{GlobalRemoteState: tfe.Bool(false)}))
	must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), src.ID, tfe.WorkspaceLockOptions{}))
	must[*tfe.StateVersion](t)(c.StateVersions.ReadCurrent(ctx(), src.ID))
}
