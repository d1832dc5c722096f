package tfc_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

// putState stores state as the workspace's current state version.
func putState(t *testing.T, c *tfe.Client, wsID string, state []byte, serial int64) *tfe.StateVersion {
	t.Helper()
	must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), wsID, tfe.WorkspaceLockOptions{}))
	sv := must[*tfe.StateVersion](t)(c.StateVersions.Create(ctx(), wsID, tfe.StateVersionCreateOptions{MD5: tfe.String(fmt.Sprintf("%x", md5.Sum(state))),
		Serial: tfe.Int64(serial), State: tfe.String(base64.StdEncoding.EncodeToString(state))}))
	must[*tfe.Workspace](t)(c.Workspaces.Unlock(ctx(), wsID))
	return sv
}

func TestSafeDeleteThroughGoTFE(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := newWorkspace(t, c, "safe")
	sv := putState(t, c, w.ID, tfstate(1, "l"), 1)

	// Managing resources: 409 with TFC's wording, which go-tfe maps.
	wantErr(t, c.Workspaces.SafeDelete(ctx(), "my-org", "safe"), tfe.ErrWorkspaceNotSafeToDelete)
	wantErr(t, c.Workspaces.SafeDeleteByID(ctx(), w.ID), tfe.ErrWorkspaceNotSafeToDelete)
	status, _, body := e.raw("POST", "/api/v2/workspaces/"+w.ID+"/actions/safe-delete", e.owner, "")
	if want := `{"errors":[{"status":"409","title":"conflict","detail":"workspace cannot be safely deleted because it is still managing resources"}]}`; status != 409 || body != want {
		t.Fatalf("safe delete: %d %s", status, body)
	}
	// Locked: the other 409.
	must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), w.ID, tfe.WorkspaceLockOptions{}))
	wantErr(t, c.Workspaces.SafeDeleteByID(ctx(), w.ID), tfe.ErrWorkspaceLockedCannotDelete)
	must[*tfe.Workspace](t)(c.Workspaces.Unlock(ctx(), w.ID))
	must[*tfe.StateVersion](t)(c.StateVersions.Read(ctx(), sv.ID))

	// A state with no managed resources (data sources do not count) lets it go,
	// with its state versions and their archivist objects.
	empty := []byte(strings.Replace(string(tfstate(2, "l")), `"mode": "managed"`, `"mode": "data"`, 1))
	sv2 := putState(t, c, w.ID, empty, 2)
	if ws := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), w.ID)); ws.ResourceCount != 0 {
		t.Fatalf("resource-count = %d", ws.ResourceCount)
	}
	noErr(t, c.Workspaces.SafeDeleteByID(ctx(), w.ID))
	_, err := c.Workspaces.ReadByID(ctx(), w.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = c.StateVersions.Read(ctx(), sv2.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	if status, _, _ := e.rawURL("GET", sv2.DownloadURL, ""); status != 404 {
		t.Fatalf("download after delete: %d", status)
	}

	// By name, a workspace without state; unknown names are 404s.
	newWorkspace(t, c, "bare")
	noErr(t, c.Workspaces.SafeDelete(ctx(), "my-org", "bare"))
	wantErr(t, c.Workspaces.SafeDelete(ctx(), "my-org", "bare"), tfe.ErrResourceNotFound)
	// A member who cannot manage workspaces gets the 404.
	newWorkspace(t, c, "kept")
	wantErr(t, e.client(e.member).Workspaces.SafeDelete(ctx(), "my-org", "kept"), tfe.ErrResourceNotFound)
}

func TestStateAndConfigurationSurviveASnapshot(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := newWorkspace(t, c, "snap")
	src := newWorkspace(t, c, "snap-src")
	noErr(t, c.Workspaces.AddRemoteStateConsumers(ctx(), src.ID, tfe.WorkspaceAddRemoteStateConsumersOptions{Workspaces: []*tfe.Workspace{w}}))
	sv := putState(t, c, w.ID, tfstate(1, "l"), 1)
	cv := must[*tfe.ConfigurationVersion](t)(c.ConfigurationVersions.Create(ctx(), w.ID, tfe.ConfigurationVersionCreateOptions{}))
	archive := tarGz(t, tarEntry{name: "main.tf", body: "# snapshot"})
	noErr(t, c.ConfigurationVersions.UploadTarGzip(ctx(), cv.UploadURL, bytes.NewReader(archive)))

	snap, err := e.svc.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Restore(snap); err != nil {
		t.Fatal(err)
	}
	cur := must[*tfe.StateVersion](t)(c.StateVersions.ReadCurrent(ctx(), w.ID))
	if cur.ID != sv.ID || cur.DownloadURL != sv.DownloadURL {
		t.Fatalf("current after restore = %+v", cur)
	}
	if got := must[[]byte](t)(c.StateVersions.Download(ctx(), cur.DownloadURL)); string(got) != string(tfstate(1, "l")) {
		t.Fatal("state changed by a snapshot round trip")
	}
	outs := must[*tfe.StateVersionOutputsList](t)(c.StateVersionOutputs.ReadCurrent(ctx(), w.ID))
	must[*tfe.StateVersionOutput](t)(c.StateVersionOutputs.Read(ctx(), outs.Items[0].ID))
	if got := must[[]byte](t)(c.ConfigurationVersions.Download(ctx(), cv.ID)); !bytes.Equal(got, archive) {
		t.Fatalf("archive after restore = %q", got)
	}
	if ws := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), w.ID)); ws.CurrentConfigurationVersion == nil || ws.CurrentConfigurationVersion.ID != cv.ID || ws.ResourceCount != 2 {
		t.Fatalf("workspace after restore: current configuration %+v, resource-count %d", ws.CurrentConfigurationVersion, ws.ResourceCount)
	}
	if list := must[*tfe.WorkspaceList](t)(c.Workspaces.ListRemoteStateConsumers(ctx(), src.ID, nil)); list.TotalCount != 1 {
		t.Fatal("consumers lost by a snapshot round trip")
	}

	// A snapshot whose current state version is not its workspace's is refused.
	bad := strings.Replace(string(snap), `"CurrentStateVersions":{"`+w.ID+`"`, `"CurrentStateVersions":{"`+src.ID+`"`, 1)
	if bad == string(snap) {
		t.Fatal("test could not corrupt the snapshot")
	}
	if err := e.svc.Restore([]byte(bad)); err == nil || !strings.Contains(err.Error(), "current state version") {
		t.Fatalf("bad snapshot restored: %v", err)
	}
	must[*tfe.StateVersion](t)(c.StateVersions.ReadCurrent(ctx(), w.ID))
}
