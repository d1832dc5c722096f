package slug

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name, body, link string
	typ              byte
	size             int64
}

func archive(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o644, Size: int64(len(e.body))}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if e.size > 0 {
			h.Size = e.size
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil && e.size == 0 {
			t.Fatal(err)
		}
	}
	_ = tw.Flush()
	_ = gz.Close()
	return buf.Bytes()
}

func TestCheckRefusesWhatLeavesTheDirectory(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []entry
		want    string
	}{
		{"parent path", []entry{{name: "../evil.tf", body: "x"}}, "outside the configuration directory"},
		{"nested parent path", []entry{{name: "a/../../evil.tf", body: "x"}}, "outside the configuration directory"},
		{"absolute path", []entry{{name: "/etc/evil", body: "x"}}, "outside the configuration directory"},
		{"absolute symlink", []entry{{name: "l", typ: tar.TypeSymlink, link: "/etc"}}, "symlink"},
		{"relative symlink out", []entry{{name: "a/l", typ: tar.TypeSymlink, link: "../../x"}}, "symlink"},
		{"write through a symlink", []entry{{name: "l", typ: tar.TypeSymlink, link: "."}, {name: "l/x.tf", body: "x"}}, "through a symlink"},
		{"symlink chain", []entry{{name: "s/l", typ: tar.TypeSymlink, link: ".."}, {name: "m", typ: tar.TypeSymlink, link: "s/l/.."}}, "through another symlink"},
		{"hard link out", []entry{{name: "h", typ: tar.TypeLink, link: "../x"}}, "hard link"},
		{"device", []entry{{name: "dev", typ: tar.TypeChar}}, "not a file"},
		{"too large", []entry{{name: "big", body: "", size: MaxUnpackedBytes + 1}}, "unpacks to more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(archive(t, tc.entries...))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check = %v, want %q", err, tc.want)
			}
			dir := t.TempDir()
			if err := Unpack(archive(t, tc.entries...), dir); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Unpack = %v", err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Fatalf("Unpack of a refused archive wrote %v", left)
			}
		})
	}
	if err := Check([]byte("not gzip")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Check(not gzip) = %v", err)
	}
}

func TestUnpackWritesTheConfiguration(t *testing.T) {
	dir := t.TempDir()
	a := archive(t,
		entry{name: "./main.tf", body: "resource \"terraform_data\" \"x\" {}"},
		entry{name: "modules/", typ: tar.TypeDir},
		entry{name: "modules/m/main.tf", body: "# module"},
		entry{name: "link.tf", typ: tar.TypeSymlink, link: "main.tf"},
		entry{name: "modules/up", typ: tar.TypeSymlink, link: "../main.tf"},
	)
	if err := Unpack(a, dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"main.tf": "resource \"terraform_data\" \"x\" {}", "modules/m/main.tf": "# module",
		"link.tf": "resource \"terraform_data\" \"x\" {}", "modules/up": "resource \"terraform_data\" \"x\" {}"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Fatalf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
}
