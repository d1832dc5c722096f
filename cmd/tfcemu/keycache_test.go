package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSigningKeyCache: the first call generates and caches the key (0600
// in a 0700 directory), later calls reuse it; a corrupt or loosely
// permitted file is replaced; read-only mode never generates.
func TestSigningKeyCache(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	dir := filepath.Join(home, "tfcemu")
	if k, err := cachedSigningKey(false); err != nil || k != nil {
		t.Fatalf("read-only with no cache: %v, %v", k, err)
	}
	first, err := cachedSigningKey(true)
	if err != nil || first == nil {
		t.Fatalf("generate: %v", err)
	}
	path := filepath.Join(dir, keyCacheFile)
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != want {
			t.Fatalf("%s: %v, %v; want %v", p, fi.Mode(), err, want)
		}
	}
	for _, generate := range []bool{true, false} {
		again, err := cachedSigningKey(generate)
		if err != nil || again == nil || !again.Equal(first) {
			t.Fatalf("second start (generate %v) did not reuse the cached key: %v", generate, err)
		}
	}
	before, _ := os.ReadFile(path)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	loose, err := cachedSigningKey(true)
	if err != nil || loose.Equal(first) {
		t.Fatalf("a world-readable cache was used: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("replaced cache mode %v", fi.Mode())
	}
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh, err := cachedSigningKey(true)
	if err != nil || fresh.Equal(loose) {
		t.Fatalf("a corrupt cache was not replaced: %v", err)
	}
	if after, _ := os.ReadFile(path); bytes.Equal(after, before) {
		t.Fatal("cache file unchanged")
	}
}

// TestServeUsesTheKeyCache: serve's configuration takes the cached key,
// not with --no-key-cache, and not over --signing-key.
func TestServeUsesTheKeyCache(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var errs bytes.Buffer
	a, err := serveFlags{logLevel: "info", planTTL: 1, applyTTL: 1, readTimeout: 1, writeTimeout: 1, idleTimeout: 1}.config(&errs)
	if err != nil || a.SigningKey == nil {
		t.Fatalf("first: %v %s", err, errs.String())
	}
	b, err := serveFlags{logLevel: "info", planTTL: 1, applyTTL: 1, readTimeout: 1, writeTimeout: 1, idleTimeout: 1}.config(&errs)
	if err != nil || !b.SigningKey.Equal(a.SigningKey) {
		t.Fatalf("second start did not reuse the key: %v", err)
	}
	c, err := serveFlags{logLevel: "info", planTTL: 1, applyTTL: 1, readTimeout: 1, writeTimeout: 1, idleTimeout: 1, noKeyCache: true}.config(&errs)
	if err != nil || c.SigningKey != nil {
		t.Fatalf("--no-key-cache still used a cached key: %v", err)
	}
}
