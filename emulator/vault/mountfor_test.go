package vault

import (
	"strings"
	"testing"
)

// TestLongestMountIsTheWalk compares longestMount's look-ups with the
// walk over every mount it replaced, on nested mount paths and request
// paths at, under, beside and above them.
func TestLongestMountIsTheWalk(t *testing.T) {
	sys, tok := builtinMounts()
	mounts := map[string]*mount{}
	for _, p := range []string{"terraform/", "secret/", "auth/jwt/", "a/b/c/", "x/", "cubbyhole/", strings.Repeat("long/", 20)} {
		mounts[p] = &mount{path: p}
	}
	walk := func(path string) *mount {
		var best *mount
		for _, m := range append([]*mount{sys, tok}, mapValues(mounts)...) {
			p := m.path
			if (strings.HasPrefix(path, p) || len(p) == len(path)+1 && p[len(path)] == '/' && strings.HasPrefix(p, path)) &&
				(best == nil || len(p) > len(best.path)) {
				best = m
			}
		}
		return best
	}
	paths := []string{"", "/", "terraform", "terraform/", "terraform/creds/x", "terraformx", "sys", "sys/mounts", "sys/mounts/terraform",
		"auth/token/create", "auth/token", "auth/jwt", "auth/jwt/login", "auth/", "auth", "a/b/c", "a/b/c/d", "a/b", "a/b/", "x//y",
		strings.Repeat("long/", 20), strings.Repeat("long/", 21), strings.Repeat("long/", 19) + "long", "secret/data/a/b/c/"}
	for _, p := range paths {
		if got, want := longestMount(p, sys, tok, mounts), walk(p); got != want {
			t.Errorf("%q: %v, want %v", p, got, want)
		}
	}
}
