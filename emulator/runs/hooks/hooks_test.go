package hooks

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookEnv is one agent's hooks directory and what the run saw: the output
// and the lines handed to the run log, by phase.
type hookEnv struct {
	t      *testing.T
	runner *Runner
	out    bytes.Buffer
	mu     sync.Mutex
	logged map[string][]string
}

func newHookEnv(t *testing.T) *hookEnv {
	e := &hookEnv{t: t, logged: map[string][]string{}}
	e.runner = &Runner{Dir: t.TempDir(), Stdout: &e.out, Stderr: &e.out, Log: func(_ context.Context, phase string, lines []string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.logged[phase] = append(e.logged[phase], lines...)
	}}
	return e
}

// writeHook installs a shell script as terraform-<name>.
func (e *hookEnv) writeHook(name, script string, mode os.FileMode) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.runner.Dir, "terraform-"+name), []byte("#!/bin/sh\n"+script+"\n"), mode); err != nil {
		e.t.Fatal(err)
	}
}

func (e *hookEnv) phase(phase string, env map[string]string, command ...string) error {
	return e.runner.Phase(context.Background(), phase, env, command)
}

func (e *hookEnv) wantOutput(wants ...string) {
	e.t.Helper()
	for _, w := range wants {
		if !strings.Contains(e.out.String(), w) {
			e.t.Errorf("output lacks %q:\n%s", w, e.out.String())
		}
	}
}

func TestPhaseRunsHooksAroundTheCommandAndHandsOff(t *testing.T) {
	e := newHookEnv(t)
	e.writeHook("pre-plan", `echo "pre sees $TFC_RUN_ID"; echo "FROM_PRE=pre-value" >> "$TFC_AGENT_ENV"`, 0o755)
	e.writeHook("post-plan", `echo "post sees $FROM_PRE and $FROM_CMD"`, 0o755)
	err := e.phase("plan", map[string]string{"TFC_RUN_ID": "run-abc"}, "sh", "-c", `echo "command sees $FROM_PRE"`)
	if err != nil {
		t.Fatal(err)
	}
	e.wantOutput("Executing pre-plan hook...\npre sees run-abc\ncommand sees pre-value\nExecuting post-plan hook...\npost sees pre-value and \n")
	want := []string{"Executing pre-plan hook...", "pre sees run-abc", "Executing post-plan hook...", "post sees pre-value and "}
	if !reflect.DeepEqual(e.logged["plan"], want) {
		t.Errorf("run log %q, want %q", e.logged["plan"], want)
	}
}

func TestPhaseFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		hooks   map[string]string
		command []string
		wantErr string
		// wantOutput is printed even though the phase failed.
		wantOutput string
	}{
		{"a pre hook's exit code fails the phase before the command",
			map[string]string{"pre-apply": `echo "hook refuses"; exit 3`}, []string{"sh", "-c", "echo command ran"},
			"pre-apply hook exited with code 3", "hook refuses"},
		{"the post hook runs after a failed command, which fails the phase",
			map[string]string{"post-apply": `echo "post ran"`}, []string{"sh", "-c", "exit 4"},
			"apply command exited with code 4", "post ran"},
		{"a failing post hook wins over the command's failure",
			map[string]string{"post-apply": `exit 5`}, []string{"sh", "-c", "exit 4"},
			"post-apply hook exited with code 5", "Executing post-apply hook..."},
		{"a command that cannot start",
			nil, []string{filepath.Join(os.TempDir(), "no-such-command-tfcemu")},
			"apply command: fork/exec", ""},
		{"a hand-off line that is not KEY=value",
			map[string]string{"pre-apply": `echo "not a pair" >> "$TFC_AGENT_ENV"`}, nil,
			"pre-apply hook: TFC_AGENT_ENV: line 1 is not KEY=value", "Executing pre-apply hook..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newHookEnv(t)
			for name, script := range tc.hooks {
				e.writeHook(name, script, 0o755)
			}
			err := e.phase("apply", nil, tc.command...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			e.wantOutput(tc.wantOutput)
			if strings.Contains(e.out.String(), "command ran") {
				t.Errorf("the command ran after the pre hook failed:\n%s", e.out.String())
			}
		})
	}
}

func TestHookWithoutTheExecuteBitIsSkippedWithANote(t *testing.T) {
	e := newHookEnv(t)
	e.writeHook("post-plan", `exit 3`, 0o644)
	if err := e.phase("plan", nil); err != nil {
		t.Fatalf("a non-executable hook failed the phase: %v", err)
	}
	e.wantOutput("terraform-post-plan is not executable; skipping it")
	if l := e.logged["plan"]; len(l) != 1 || !strings.HasSuffix(l[0], "is not executable; skipping it") {
		t.Errorf("run log %q", l)
	}
}

func TestPhaseWithoutHooksRunsOnlyTheCommand(t *testing.T) {
	e := newHookEnv(t)
	if err := e.phase("plan", map[string]string{"A": "1"}, "sh", "-c", `echo "A=$A"`); err != nil {
		t.Fatal(err)
	}
	if e.out.String() != "A=1\n" || len(e.logged) != 0 {
		t.Errorf("output %q, log %q", e.out.String(), e.logged)
	}
}

func TestHookTimesOut(t *testing.T) {
	t.Setenv("TFC_AGENT_HOOK_PRE_PLAN_TIMEOUT", "1")
	e := newHookEnv(t)
	e.writeHook("pre-plan", `exec sleep 30`, 0o755)
	start := time.Now()
	err := e.phase("plan", nil)
	if err == nil || err.Error() != "pre-plan hook timed out after 1s" {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the hook ran %s past its 1 s timeout", d)
	}
}

func TestTimeout(t *testing.T) {
	for _, tc := range []struct {
		name              string
		specific, general string
		want              time.Duration
		wantErr           string
	}{
		{"default", "", "", DefaultTimeout, ""},
		{"general", "", "90", 90 * time.Second, ""},
		{"the hook's own wins", "5", "90", 5 * time.Second, ""},
		{"capped at ten minutes", "", "3600", MaxTimeout, ""},
		{"not a number", "soon", "", 0, `TFC_AGENT_HOOK_PRE_APPLY_TIMEOUT="soon" is not a positive number of seconds`},
		{"not positive", "", "0", 0, `TFC_AGENT_HOOK_TIMEOUT="0" is not a positive number of seconds`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TFC_AGENT_HOOK_PRE_APPLY_TIMEOUT", tc.specific)
			t.Setenv("TFC_AGENT_HOOK_TIMEOUT", tc.general)
			got, err := Timeout("pre-apply")
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Timeout = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestEnvironLaterValuesWin(t *testing.T) {
	t.Setenv("TFCEMU_HOOKS_TEST", "process")
	env := Environ(map[string]string{"TFCEMU_HOOKS_TEST": "run", "B": "2"}, map[string]string{"TFCEMU_HOOKS_TEST": "handoff"})
	tail := env[len(env)-3:]
	want := []string{"B=2", "TFCEMU_HOOKS_TEST=run", "TFCEMU_HOOKS_TEST=handoff"}
	if !reflect.DeepEqual(tail, want) {
		t.Fatalf("environment ends %q, want %q", tail, want)
	}
}

// A Runner with no Dir runs no hooks, even where its working directory
// holds some: Around is the run alone, in env and the process's.
func TestAroundWithoutDirRunsOnlyTheRun(t *testing.T) {
	cwd := t.TempDir()
	if err := os.WriteFile(filepath.Join(cwd, "terraform-pre-plan"), []byte("#!/bin/sh\nexit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(cwd)
	var seen []string
	err := (&Runner{}).Around(context.Background(), "plan", map[string]string{"TFC_RUN_ID": "run-1"}, func(environ []string) error {
		seen = environ
		return nil
	})
	if err != nil || !slices.Contains(seen, "TFC_RUN_ID=run-1") {
		t.Fatalf("Around = %v, environment %v", err, seen)
	}
}
