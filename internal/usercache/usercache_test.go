package usercache

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteThenRead(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	if _, err := ReadFile("x.json"); !os.IsNotExist(err) {
		t.Fatalf("ReadFile before a write: %v, want not exist", err)
	}
	if err := WriteFile("x.json", []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile("x.json", []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile("x.json")
	if err != nil || string(b) != "two" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	fi, err := os.Stat(filepath.Join(home, "tfcemu", "x.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode: %v, %v", fi.Mode(), err)
	}
	di, err := os.Stat(filepath.Join(home, "tfcemu"))
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode: %v, %v", di.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Join(home, "tfcemu"))
	if len(entries) != 1 {
		t.Errorf("the cache directory holds %d files, want 1 (no temp file left)", len(entries))
	}
}

func TestWriteFailsWhereTheDirectoryCannotBeMade(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "tfcemu"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", home)
	if err := WriteFile("x.json", []byte("x"), 0o600); err == nil {
		t.Fatal("WriteFile over a file named tfcemu did not fail")
	}
}
