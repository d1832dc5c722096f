package terraformcli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
)

// fakeTerraform writes dir/terraform answering `version -json` with v
// ("-" answers nothing) and returns its path.
func fakeTerraform(t *testing.T, dir, v string) string {
	t.Helper()
	script := "#!/bin/sh\nexit 0\n"
	if v != "-" {
		script = "#!/bin/sh\necho '{\"terraform_version\": \"" + v + "\"}'\n"
	}
	p := filepath.Join(dir, "terraform")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindFollowsTheRule(t *testing.T) {
	for _, tc := range []struct {
		name            string
		explicit        bool   // name the PATH's binary explicitly
		onPath, inTools string // versions; "" is no binary, "-" one that answers nothing
		want            string // "path" or "tools"; "" is ErrNotFound
	}{
		{name: "new enough on PATH wins over the tools", onPath: "1.11.4", inTools: "1.6.6", want: "path"},
		{name: "too old on PATH falls back to the tools", onPath: "1.5.7", inTools: "1.6.6", want: "tools"},
		{name: "exactly 1.6.0 on PATH", onPath: "1.6.0", want: "path"},
		{name: "nothing new enough", onPath: "1.5.7", inTools: "1.2.0"},
		{name: "nothing at all"},
		{name: "an unversioned tools binary is passed over", inTools: "-"},
		{name: "a named binary is used as it is", explicit: true, onPath: "1.0.0", want: "path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_CACHE_HOME", t.TempDir())
			pathDir, tools := t.TempDir(), t.TempDir()
			t.Setenv("PATH", pathDir)
			var onPath, inTools string
			if tc.onPath != "" {
				onPath = fakeTerraform(t, pathDir, tc.onPath)
			}
			if tc.inTools != "" {
				inTools = fakeTerraform(t, tools, tc.inTools)
			}
			explicit := ""
			if tc.explicit {
				explicit = onPath
			}
			got, err := Find(explicit, tools)
			if tc.want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("Find = %q, %v; want ErrNotFound", got, err)
				}
				return
			}
			want := map[string]string{"path": onPath, "tools": inTools}[tc.want]
			if err != nil || got != want {
				t.Fatalf("Find = %q, %v; want %q", got, err, want)
			}
		})
	}
}

func TestFindRefusesAMissingNamedBinary(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("PATH", t.TempDir())
	if got, err := Find(filepath.Join(t.TempDir(), "nope"), t.TempDir()); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("Find = %q, %v; want the lookup's error", got, err)
	}
}

// The version a binary reported is remembered across calls (and starts)
// until the binary changes.
func TestVersionIsRememberedUntilTheBinaryChanges(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cacheScripts = true
	t.Cleanup(func() { cacheScripts = false })
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	bin := filepath.Join(dir, "terraform")
	write := func(v string) {
		script := "#!/bin/sh\necho run >> " + runs + "\necho '{\"terraform_version\": \"" + v + "\"}'\n"
		if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ran := func() int {
		b, _ := os.ReadFile(runs)
		return strings.Count(string(b), "run")
	}
	write("1.6.6")
	for range 3 {
		if v, err := Version(bin); err != nil || v != "1.6.6" {
			t.Fatalf("Version = %q, %v", v, err)
		}
	}
	if n := ran(); n != 1 {
		t.Fatalf("the CLI ran %d times for three calls, want once", n)
	}
	write("1.11.40") // another size: another binary
	if v, err := Version(bin); err != nil || v != "1.11.40" || ran() != 2 {
		t.Fatalf("after a change: Version = %q, %v; CLI runs %d", v, err, ran())
	}
}

// TestScriptVersionIsNotRemembered: a shim (a script) is asked every
// time: the version it runs can change while the file stays the same.
func TestScriptVersionIsNotRemembered(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	bin := filepath.Join(dir, "terraform")
	script := "#!/bin/sh\necho run >> " + runs + "\necho '{\"terraform_version\": \"1.6.6\"}'\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if v, err := Version(bin); err != nil || v != "1.6.6" {
			t.Fatalf("Version = %q, %v", v, err)
		}
	}
	if b, _ := os.ReadFile(runs); strings.Count(string(b), "run") != 2 {
		t.Fatalf("the shim ran %d times for two calls, want twice", strings.Count(string(b), "run"))
	}
}

// atLeastMin agrees with go-version on releases, pre-releases and junk.
func TestAtLeastMinAgreesWithGoVersion(t *testing.T) {
	min := version.Must(version.NewVersion(MinVersion))
	for _, v := range []string{"1.6.0", "1.5.7", "1.6.6", "1.11.4", "2.0.0", "0.15.5", "1.10.0", "01.6.0", "1.06.1",
		"1.6.0-alpha20230816", "1.7.0-beta1", "1.6.0+ent", "1.6", "1.6.0.1", "v1.6.0", "", "x.y.z", "1..6"} {
		got, err := version.NewVersion(v)
		want := err == nil && !got.LessThan(min)
		if atLeastMin(v) != want {
			t.Errorf("atLeastMin(%q) = %v, go-version says %v", v, !want, want)
		}
	}
}
