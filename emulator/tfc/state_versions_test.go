package tfc_test

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

// tfstate is a state file as Terraform writes it: one managed resource
// with two instances, one data source, and outputs of every kind.
func tfstate(serial int, lineage string) []byte {
	return []byte(fmt.Sprintf(`{
  "version": 4,
  "terraform_version": "1.11.4",
  "serial": %d,
  "lineage": %q,
  "outputs": {
    "name": {"value": "world", "type": "string"},
    "secret": {"value": "s3cr3t", "type": "string", "sensitive": true},
    "zones": {"value": ["a", "b"], "type": ["list", "string"]}
  },
  "resources": [
    {"mode": "managed", "type": "terraform_data", "name": "x", "provider": "provider[\"terraform.io/builtin/terraform\"]",
     "instances": [{"schema_version": 0, "attributes": {"id": "1"}}, {"index_key": 1, "schema_version": 0, "attributes": {"id": "2"}}]},
    {"mode": "data", "type": "terraform_remote_state", "name": "net", "provider": "provider[\"terraform.io/builtin/terraform\"]",
     "instances": [{"schema_version": 0, "attributes": {}}]}
  ],
  "check_results": null
}
`, serial, lineage))
}

func md5hex(b []byte) string { return fmt.Sprintf("%x", md5.Sum(b)) }

func newWorkspace(t *testing.T, c *tfe.Client, name string) *tfe.Workspace {
	t.Helper()
	return must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String(name)}))
}

func TestStateVersionsUploadReadDownloadThroughGoTFE(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := newWorkspace(t, c, "sv-upload")

	// No state yet: the current state version is a 404.
	_, err := c.StateVersions.ReadCurrent(ctx(), w.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)

	state := tfstate(1, "lin-1")
	opts := tfe.StateVersionUploadOptions{
		StateVersionCreateOptions: tfe.StateVersionCreateOptions{Lineage: tfe.String("lin-1"), MD5: tfe.String(md5hex(state)), Serial: tfe.Int64(1),
			JSONStateOutputs: tfe.String(base64.StdEncoding.EncodeToString([]byte(`{}`)))},
		RawState: state, RawJSONState: []byte(`{"format_version":"1.0"}`),
	}
	// Without the lock, TFC refuses the upload.
	_, err = c.StateVersions.Upload(ctx(), w.ID, opts)
	wantErrText(t, err, "This workspace is not locked and will only accept state uploads when locked")

	must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), w.ID, tfe.WorkspaceLockOptions{}))
	sv := must[*tfe.StateVersion](t)(c.StateVersions.Upload(ctx(), w.ID, opts))
	if sv.Status != tfe.StateVersionFinalized || sv.Serial != 1 || sv.DownloadURL == "" || sv.JSONDownloadURL == "" || sv.UploadURL != "" ||
		!sv.ResourcesProcessed || sv.TerraformVersion != "1.11.4" || sv.StateVersion != 4 || sv.Size != int64(len(state)) ||
		sv.BillableRUMCount == nil || *sv.BillableRUMCount != 2 || len(sv.Outputs) != 3 {
		t.Fatalf("uploaded state version = %+v", sv)
	}
	if len(sv.Resources) != 2 || sv.Resources[0].Type != "terraform_data" || sv.Resources[0].Count != 2 || sv.Resources[1].Type != "data.terraform_remote_state" {
		t.Fatalf("resources = %+v %+v", sv.Resources[0], sv.Resources[1])
	}
	if sv.Modules == nil || sv.Modules.Root.TerraformRemoteState != 1 {
		t.Fatalf("modules = %+v", sv.Modules)
	}
	if got := must[[]byte](t)(c.StateVersions.Download(ctx(), sv.DownloadURL)); string(got) != string(state) {
		t.Fatalf("downloaded %q", got)
	}
	if got := must[[]byte](t)(c.StateVersions.Download(ctx(), sv.JSONDownloadURL)); string(got) != `{"format_version":"1.0"}` {
		t.Fatalf("downloaded JSON state %q", got)
	}

	// The workspace now has a current state version, its outputs and a resource count.
	cur := must[*tfe.StateVersion](t)(c.StateVersions.ReadCurrentWithOptions(ctx(), w.ID, &tfe.StateVersionCurrentOptions{Include: []tfe.StateVersionIncludeOpt{tfe.SVoutputs}}))
	if cur.ID != sv.ID || len(cur.Outputs) != 3 || cur.Outputs[0].Name != "name" {
		t.Fatalf("current = %+v outputs %+v", cur, cur.Outputs)
	}
	ws := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), w.ID))
	if ws.ResourceCount != 2 || ws.CurrentStateVersion == nil || ws.CurrentStateVersion.ID != sv.ID || len(ws.Outputs) != 3 {
		t.Fatalf("workspace resource-count %d current %+v outputs %d", ws.ResourceCount, ws.CurrentStateVersion, len(ws.Outputs))
	}

	// Sensitive values: in the state version's outputs and by id, null in the workspace's current outputs.
	all := must[*tfe.StateVersionOutputsList](t)(c.StateVersions.ListOutputs(ctx(), sv.ID, nil))
	current := must[*tfe.StateVersionOutputsList](t)(c.StateVersionOutputs.ReadCurrent(ctx(), w.ID))
	if all.TotalCount != 3 || all.Items[1].Value != "s3cr3t" || !current.Items[1].Sensitive || current.Items[1].Value != nil {
		t.Fatalf("outputs %+v, current %+v", all.Items[1], current.Items[1])
	}
	byID := must[*tfe.StateVersionOutput](t)(c.StateVersionOutputs.Read(ctx(), current.Items[1].ID))
	if byID.Value != "s3cr3t" || byID.Type != "string" {
		t.Fatalf("output by id = %+v", byID)
	}
	if zones := current.Items[2]; fmt.Sprint(zones.Value) != "[a b]" || fmt.Sprint(zones.DetailedType) != "[list string]" || zones.Type != "array" {
		t.Fatalf("zones = %+v", zones)
	}

	// Inline creation; the list is newest first and filtered by workspace.
	state2 := tfstate(2, "lin-1")
	sv2 := must[*tfe.StateVersion](t)(c.StateVersions.Create(ctx(), w.ID, tfe.StateVersionCreateOptions{Lineage: tfe.String("lin-1"),
		MD5: tfe.String(md5hex(state2)), Serial: tfe.Int64(2), State: tfe.String(base64.StdEncoding.EncodeToString(state2))}))
	list := must[*tfe.StateVersionList](t)(c.StateVersions.List(ctx(), &tfe.StateVersionListOptions{Organization: "my-org", Workspace: w.Name}))
	if list.TotalCount != 2 || list.Items[0].ID != sv2.ID || list.Items[1].ID != sv.ID {
		t.Fatalf("list = %d items", list.TotalCount)
	}
	if read := must[*tfe.StateVersion](t)(c.StateVersions.Read(ctx(), sv2.ID)); read.Status != tfe.StateVersionFinalized || read.DownloadURL == "" {
		t.Fatalf("read = %+v", read)
	}
	_, err = c.StateVersions.Read(ctx(), "sv-nope")
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = c.StateVersions.Download(ctx(), strings.Replace(sv.DownloadURL, "object/", "object/x", 1))
	wantErr(t, err, tfe.ErrResourceNotFound)
}

func TestStateVersionRefusalsChangeNothing(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := newWorkspace(t, c, "sv-refusals")
	must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), w.ID, tfe.WorkspaceLockOptions{}))
	create := func(serial int, lineage string, force bool, state []byte) (*tfe.StateVersion, error) {
		return c.StateVersions.Create(ctx(), w.ID, tfe.StateVersionCreateOptions{Lineage: tfe.String(lineage), Force: tfe.Bool(force),
			MD5: tfe.String(md5hex(state)), Serial: tfe.Int64(int64(serial)), State: tfe.String(base64.StdEncoding.EncodeToString(state))})
	}
	first := must[*tfe.StateVersion](t)(create(3, "lin-a", false, tfstate(3, "lin-a")))
	// Re-sending the same serial and content is fine (go-tfe's own tests do it).
	must[*tfe.StateVersion](t)(create(3, "lin-a", false, tfstate(3, "lin-a")))
	cur := must[*tfe.StateVersion](t)(c.StateVersions.ReadCurrent(ctx(), w.ID))

	_, err := create(2, "lin-a", false, tfstate(2, "lin-a"))
	wantErrText(t, err, "The serial provided in the state file is not greater than the serial currently in HCP Terraform")
	_, err = create(3, "lin-a", false, tfstate(33, "lin-a"))
	wantErrText(t, err, "not greater than the serial")
	_, err = create(4, "lin-b", false, tfstate(4, "lin-b"))
	wantErrText(t, err, "lineage")

	// Raw bodies for the exact errors of bad input.
	state := tfstate(5, "lin-a")
	for _, tc := range []struct{ name, attrs, want string }{
		{"md5 mismatch", fmt.Sprintf(`{"serial":5,"md5":"%s","state":"%s"}`, strings.Repeat("0", 32), base64.StdEncoding.EncodeToString(state)),
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Md5 does not match the MD5 checksum of the state","source":{"pointer":"/data/attributes/md5"}}]}`},
		{"missing serial and md5", `{}`,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Md5 can't be blank","source":{"pointer":"/data/attributes/md5"}},{"status":"422","title":"invalid attribute","detail":"Serial can't be blank","source":{"pointer":"/data/attributes/serial"}}]}`},
		{"not base64", `{"serial":5,"md5":"abc","state":"%%%"}`,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"state is not valid base64","source":{"pointer":"/data/attributes/state"}}]}`},
		{"not a state", fmt.Sprintf(`{"serial":5,"md5":"%s","state":"%s"}`, md5hex([]byte("hello")), base64.StdEncoding.EncodeToString([]byte("hello"))),
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"State is not a Terraform state file","source":{"pointer":"/data/attributes/state"}}]}`},
	} {
		status, _, body := e.raw("POST", "/api/v2/workspaces/"+w.ID+"/state-versions", e.owner, `{"data":{"type":"state-versions","attributes":`+tc.attrs+`}}`)
		if status != 422 || body != tc.want {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}
	// Locked by someone else: TFC's wording names the holder.
	must[*tfe.Workspace](t)(c.Workspaces.Unlock(ctx(), w.ID))
	org := must[*tfe.OrganizationToken](t)(c.OrganizationTokens.Create(ctx(), "my-org"))
	must[*tfe.Workspace](t)(e.client(org.Token).Workspaces.Lock(ctx(), w.ID, tfe.WorkspaceLockOptions{}))
	status, _, body := e.raw("POST", "/api/v2/workspaces/"+w.ID+"/state-versions", e.owner,
		fmt.Sprintf(`{"data":{"type":"state-versions","attributes":{"serial":5,"md5":"%s","state":"%s"}}}`, md5hex(state), base64.StdEncoding.EncodeToString(state)))
	if want := `{"errors":[{"status":"409","title":"conflict","detail":"This workspace is locked by User my-org and will only accept state uploads from them while locked."}]}`; status != 409 || body != want {
		t.Errorf("locked by another: %d %s", status, body)
	}
	after := must[*tfe.StateVersion](t)(c.StateVersions.ReadCurrent(ctx(), w.ID))
	list := must[*tfe.StateVersionList](t)(c.StateVersions.List(ctx(), &tfe.StateVersionListOptions{Organization: "my-org", Workspace: w.Name}))
	if after.ID != cur.ID || after.Serial != 3 || list.TotalCount != 2 || first.ID == cur.ID {
		t.Fatalf("refusals changed the state: current %s serial %d, %d versions", after.ID, after.Serial, list.TotalCount)
	}
}

func TestPendingStateVersionUploads(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := newWorkspace(t, c, "sv-pending")
	must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), w.ID, tfe.WorkspaceLockOptions{}))
	state := tfstate(1, "lin")
	pending := must[*tfe.StateVersion](t)(c.StateVersions.Create(ctx(), w.ID, tfe.StateVersionCreateOptions{MD5: tfe.String(md5hex(state)), Serial: tfe.Int64(1)}))
	if pending.Status != tfe.StateVersionPending || pending.UploadURL == "" || pending.JSONUploadURL == "" || pending.DownloadURL != "" {
		t.Fatalf("pending = %+v", pending)
	}
	if !strings.Contains(pending.UploadURL, "/_archivist/v1/object/") {
		t.Fatalf("upload URL %s", pending.UploadURL)
	}
	// Pending is not current, and the workspace cannot be unlocked (only force-unlocked) meanwhile.
	_, err := c.StateVersions.ReadCurrent(ctx(), w.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = c.Workspaces.Unlock(ctx(), w.ID)
	wantErr(t, err, tfe.ErrWorkspaceLockedStateVersionStillPending)

	// A body that does not match the md5 is refused and the URL still works.
	if status, _, body := e.rawURL("PUT", pending.UploadURL, "other"); status != 422 || !strings.Contains(body, "MD5") {
		t.Fatalf("bad upload: %d %s", status, body)
	}
	if status, _, body := e.rawURL("PUT", pending.UploadURL, strings.Repeat("x", 16<<20+1)); status != 413 {
		t.Fatalf("oversized upload: %d %s", status, body)
	}
	if status, _, _ := e.rawURL("PUT", pending.UploadURL, string(state)); status != 200 {
		t.Fatalf("upload: %d", status)
	}
	// An upload URL works once.
	if status, _, _ := e.rawURL("PUT", pending.UploadURL, string(state)); status != 404 {
		t.Fatalf("second upload: %d", status)
	}
	read := must[*tfe.StateVersion](t)(c.StateVersions.Read(ctx(), pending.ID))
	if read.Status != tfe.StateVersionFinalized || read.UploadURL != "" || read.DownloadURL == "" {
		t.Fatalf("after upload = %+v", read)
	}
	must[*tfe.Workspace](t)(c.Workspaces.Unlock(ctx(), w.ID))
	must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), w.ID, tfe.WorkspaceLockOptions{}))
	// A newer pending version discards an older pending one.
	p1 := must[*tfe.StateVersion](t)(c.StateVersions.Create(ctx(), w.ID, tfe.StateVersionCreateOptions{MD5: tfe.String("a"), Serial: tfe.Int64(2)}))
	must[*tfe.StateVersion](t)(c.StateVersions.Create(ctx(), w.ID, tfe.StateVersionCreateOptions{MD5: tfe.String("b"), Serial: tfe.Int64(2)}))
	if got := must[*tfe.StateVersion](t)(c.StateVersions.Read(ctx(), p1.ID)); got.Status != tfe.StateVersionDiscarded {
		t.Fatalf("older pending = %s", got.Status)
	}
	if status, _, _ := e.rawURL("PUT", p1.UploadURL, string(state)); status != 404 {
		t.Fatalf("upload to a discarded version: %d", status)
	}
}

func TestStateVersionExactErrorBodies(t *testing.T) {
	e := newEnv(t, -1)
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/api/v2/state-versions?filter[workspace][name]=my-workspace",
			`{"errors":[{"status":"400","title":"bad request","detail":"filter[organization][name] is required","source":{"parameter":"filter[organization][name]"}}]}`},
		{"GET", "/api/v2/state-versions?filter[organization][name]=my-org",
			`{"errors":[{"status":"400","title":"bad request","detail":"filter[workspace][name] is required","source":{"parameter":"filter[workspace][name]"}}]}`},
		{"GET", "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/current-state-version", `{"errors":[{"status":"404","title":"not found"}]}`},
		{"GET", "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/current-state-version-outputs", `{"errors":[{"status":"404","title":"not found"}]}`},
		{"GET", "/api/v2/state-version-outputs/wsout-nope", `{"errors":[{"status":"404","title":"not found"}]}`},
		{"GET", "/_archivist/v1/object/v1-unknown", `{"errors":[{"status":"404","title":"not found"}]}`},
		{"PUT", "/_archivist/v1/object/v1-unknown", `{"errors":[{"status":"404","title":"not found"}]}`},
		{"GET", "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/current-state-version?include=bogus",
			`{"errors":[{"status":"400","title":"bad request","detail":"Invalid include parameter: bogus","source":{"parameter":"include"}}]}`},
	} {
		status, _, body := e.raw(tc.method, tc.path, e.owner, "")
		if body != tc.want || !strings.HasPrefix(body, fmt.Sprintf(`{"errors":[{"status":"%d"`, status)) {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, status, body)
		}
	}
}
