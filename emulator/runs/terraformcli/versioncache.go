package terraformcli

import (
	"encoding/json"
	"io"
	"os"

	"github.com/tfcemu/tfcemu/internal/usercache"
)

// versionCacheFile holds the versions `terraform version -json` reported,
// in the user's cache directory (usercache, beside the signing key tfcemu
// serve caches), so a start after the first does not
// wait the tens of milliseconds the CLI takes to answer.
const versionCacheFile = "terraform-versions.json"

// isScript reports whether the file at path starts with "#!": a version
// manager's shim (tfenv, asdf) stays the same file while the version it
// runs changes, so its version is never cached.
func isScript(path string) bool {
	if cacheScripts {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 2)
	n, _ := io.ReadFull(f, head)
	return n == 2 && string(head) == "#!"
}

// cacheScripts caches scripts' versions too (tests, whose stand-in CLIs
// are scripts).
var cacheScripts = false

// cachedVersion is the version recorded for the binary at path when its
// stamp still matches; "" when none is.
func cachedVersion(path string) string {
	fi, err := os.Stat(path)
	if err != nil || isScript(path) {
		return ""
	}
	entries := readVersionCache()
	if e, ok := entries[path]; ok && e.Stamp == usercache.Stamp(fi) {
		return e.Version
	}
	return ""
}

// rememberVersion records version for the binary at path, dropping the
// entries whose binaries are gone or changed. Failing to write is no
// error: the next start asks the CLI again.
func rememberVersion(path, version string) {
	fi, err := os.Stat(path)
	if err != nil || isScript(path) {
		return
	}
	entries := readVersionCache()
	for p, e := range entries {
		if other, err := os.Stat(p); err != nil || usercache.Stamp(other) != e.Stamp {
			delete(entries, p)
		}
	}
	entries[path] = versionEntry{Stamp: usercache.Stamp(fi), Version: version}
	if b, err := json.Marshal(entries); err == nil {
		_ = usercache.WriteFile(versionCacheFile, b, 0o600)
	}
}

type versionEntry struct {
	Stamp   string `json:"stamp"`
	Version string `json:"version"`
}

func readVersionCache() map[string]versionEntry {
	entries := map[string]versionEntry{}
	if b, err := usercache.ReadFile(versionCacheFile); err == nil {
		_ = json.Unmarshal(b, &entries)
	}
	if entries == nil {
		entries = map[string]versionEntry{}
	}
	return entries
}
