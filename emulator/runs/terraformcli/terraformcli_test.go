package terraformcli

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
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
	t.Setenv("PATH", t.TempDir())
	if got, err := Find(filepath.Join(t.TempDir(), "nope"), t.TempDir()); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("Find = %q, %v; want the lookup's error", got, err)
	}
}
