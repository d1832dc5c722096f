package tfc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

func TestConfigurationVersionsThroughGoTFE(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := newWorkspace(t, c, "cv")

	cv := must[*tfe.ConfigurationVersion](t)(c.ConfigurationVersions.Create(ctx(), w.ID, tfe.ConfigurationVersionCreateOptions{AutoQueueRuns: tfe.Bool(false), Speculative: tfe.Bool(true)}))
	if cv.Status != tfe.ConfigurationPending || cv.Source != tfe.ConfigurationSourceAPI || cv.UploadURL == "" || cv.AutoQueueRuns || !cv.Speculative {
		t.Fatalf("created = %+v", cv)
	}
	// The upload URL is only in the create response; pending cannot be downloaded.
	if read := must[*tfe.ConfigurationVersion](t)(c.ConfigurationVersions.Read(ctx(), cv.ID)); read.UploadURL != "" || read.Status != tfe.ConfigurationPending {
		t.Fatalf("read = %+v", read)
	}
	_, err := c.ConfigurationVersions.Download(ctx(), cv.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`resource "terraform_data" "x" {}`), 0o644); err != nil {
		t.Fatal(err)
	}
	noErr(t, c.ConfigurationVersions.Upload(ctx(), cv.UploadURL, dir))
	read := must[*tfe.ConfigurationVersion](t)(c.ConfigurationVersions.Read(ctx(), cv.ID))
	if read.Status != tfe.ConfigurationUploaded {
		t.Fatalf("after upload = %+v", read)
	}
	// A second upload to the same URL replaces the archive (go-tfe's own tests do this).
	archive := bytes.NewBuffer(tarGz(t, tarEntry{name: "main.tf", body: `output "x" { value = 1 }`}))
	noErr(t, c.ConfigurationVersions.UploadTarGzip(ctx(), cv.UploadURL, bytes.NewReader(archive.Bytes())))
	if got := must[[]byte](t)(c.ConfigurationVersions.Download(ctx(), cv.ID)); !bytes.Equal(got, archive.Bytes()) {
		t.Fatalf("downloaded %d bytes, want %d", len(got), archive.Len())
	}

	// Provisional versions are not the workspace's current one; the list is newest first.
	prov := must[*tfe.ConfigurationVersion](t)(c.ConfigurationVersions.Create(ctx(), w.ID, tfe.ConfigurationVersionCreateOptions{Provisional: tfe.Bool(true)}))
	if ws := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), w.ID)); ws.CurrentConfigurationVersion == nil || ws.CurrentConfigurationVersion.ID != cv.ID {
		t.Fatalf("current configuration version = %+v", ws.CurrentConfigurationVersion)
	}
	list := must[*tfe.ConfigurationVersionList](t)(c.ConfigurationVersions.List(ctx(), w.ID, nil))
	if list.TotalCount != 2 || list.Items[0].ID != prov.ID || !list.Items[0].Provisional {
		t.Fatalf("list = %+v", list.Items)
	}
	_, err = c.ConfigurationVersions.Read(ctx(), "cv-nope")
	wantErr(t, err, tfe.ErrResourceNotFound)
}

func TestConfigurationUploadRefusals(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := newWorkspace(t, c, "cv-refusals")
	cv := must[*tfe.ConfigurationVersion](t)(c.ConfigurationVersions.Create(ctx(), w.ID, tfe.ConfigurationVersionCreateOptions{}))

	// Too large: 413 and nothing changes; the URL still works.
	big := append([]byte{0x1f, 0x8b}, bytes.Repeat([]byte{0}, 32<<20)...)
	if status, _, body := e.rawURL("PUT", cv.UploadURL, string(big)); status != 413 || !strings.Contains(body, "payload too large") {
		t.Fatalf("oversized: %d %s", status, body)
	}
	if read := must[*tfe.ConfigurationVersion](t)(c.ConfigurationVersions.Read(ctx(), cv.ID)); read.Status != tfe.ConfigurationPending {
		t.Fatalf("after oversized upload: %s", read.Status)
	}
	// Not gzip: refused, and the version errors as TFC's ingress makes it.
	status, _, body := e.rawURL("PUT", cv.UploadURL, "plain text")
	if want := `{"errors":[{"status":"422","title":"invalid attribute","detail":"The configuration archive is not a gzip-compressed tar archive"}]}`; status != 422 || body != want {
		t.Fatalf("not gzip: %d %s", status, body)
	}
	read := must[*tfe.ConfigurationVersion](t)(c.ConfigurationVersions.Read(ctx(), cv.ID))
	if read.Status != tfe.ConfigurationErrored || read.ErrorMessage == "" {
		t.Fatalf("after a non-gzip upload = %+v", read)
	}
	if status, _, _ := e.rawURL("PUT", cv.UploadURL, "\x1f\x8b"); status != 404 {
		t.Fatalf("upload to an errored version: %d", status)
	}
	// A member who cannot manage workspaces cannot create one.
	_, err := e.client(e.member).ConfigurationVersions.Create(ctx(), w.ID, tfe.ConfigurationVersionCreateOptions{})
	wantErr(t, err, tfe.ErrResourceNotFound)
}
