// Package hooks runs HCP Terraform agent hooks the way tfc-agent does: the
// executables terraform-pre-plan, terraform-post-plan, terraform-pre-apply
// and terraform-post-apply of a hooks directory, around the phase's
// Terraform command, each within its timeout, with TFC_AGENT_ENV for
// KEY=value hand-offs to the later steps of the same phase.
// See https://developer.hashicorp.com/terraform/cloud-docs/agents/hooks.
package hooks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Hook timeouts of tfc-agent: 60 s by default, 10 minutes at most.
const (
	DefaultTimeout = 60 * time.Second
	MaxTimeout     = 10 * time.Minute
)

// Runner runs one run's phases with the hooks of Dir.
type Runner struct {
	// Dir holds the terraform-{pre,post}-{plan,apply} hooks, as
	// ~/.tfc-agent/hooks does for tfc-agent.
	Dir string
	// Stdout and Stderr receive the hooks' and the command's output.
	Stdout, Stderr io.Writer
	// Log, when set, hands each hook's output (a header line, then what
	// the hook printed) to the run's log for phase.
	Log func(ctx context.Context, phase string, lines []string)
}

// Phase is pre-hook, command, post-hook for phase ("plan" or "apply") in
// the run's environment env. The post hook runs even when the command
// failed; any failure fails the phase. An empty command runs only the hooks.
func (r *Runner) Phase(ctx context.Context, phase string, env map[string]string, command []string) error {
	return r.Around(ctx, phase, env, func(environ []string) error {
		if len(command) == 0 {
			return nil
		}
		code, err := Command(ctx, command, environ, 0, r.Stdout, r.Stderr)
		switch {
		case err != nil:
			return fmt.Errorf("%s command: %w", phase, err)
		case code != 0:
			return fmt.Errorf("%s command exited with code %d", phase, code)
		}
		return nil
	})
}

// Around runs the pre-<phase> hook, then run with the environment it is
// to run in (the process's, env's and the pre hook's hand-offs), then the
// post-<phase> hook, which runs even when run failed. A failing pre hook
// skips the rest; a failing post hook's error wins over run's. With no
// Dir there are no hooks: Around is run.
func (r *Runner) Around(ctx context.Context, phase string, env map[string]string, run func(environ []string) error) error {
	handoff := map[string]string{}
	if err := r.Hook(ctx, "pre-"+phase, env, handoff); err != nil {
		return err
	}
	runErr := run(Environ(env, handoff))
	if err := r.Hook(ctx, "post-"+phase, env, handoff); err != nil {
		return err
	}
	return runErr
}

// Hook runs terraform-<name> ("pre-plan", …) if it exists: executable,
// within its timeout, in env plus the earlier hand-offs. The KEY=value
// lines it writes to TFC_AGENT_ENV are added to handoff (when not nil). A hook without
// the execute bit is skipped with a note; a missing one, or any with no
// Dir, is no error.
func (r *Runner) Hook(ctx context.Context, name string, env, handoff map[string]string) error {
	if r.Dir == "" {
		return nil
	}
	path := filepath.Join(r.Dir, "terraform-"+name)
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, phase, _ := strings.Cut(name, "-")
	if info.Mode()&0o111 == 0 {
		msg := fmt.Sprintf("Hook %s is not executable; skipping it", path)
		fmt.Fprintln(r.stdout(), msg)
		r.log(ctx, phase, []string{msg})
		return nil
	}
	timeout, err := Timeout(name)
	if err != nil {
		return err
	}
	envFile, err := os.CreateTemp("", "tfc-agent-env-")
	if err != nil {
		return err
	}
	envFile.Close()
	defer os.Remove(envFile.Name())
	extra := map[string]string{"TFC_AGENT_ENV": envFile.Name()}
	maps.Copy(extra, handoff)
	var out bytes.Buffer
	header := fmt.Sprintf("Executing %s hook...", name)
	fmt.Fprintln(r.stdout(), header)
	w := io.MultiWriter(r.stdout(), &out)
	code, runErr := Command(ctx, []string{path}, Environ(env, extra), timeout, w, w)
	r.log(ctx, phase, append([]string{header}, splitLines(out.String())...))
	switch {
	case runErr != nil:
		return fmt.Errorf("%s hook %s", name, runErr)
	case code != 0:
		return fmt.Errorf("%s hook exited with code %d", name, code)
	}
	added, err := readAgentEnv(envFile.Name())
	if err != nil {
		return fmt.Errorf("%s hook: TFC_AGENT_ENV: %w", name, err)
	}
	if handoff != nil {
		maps.Copy(handoff, added)
	}
	return nil
}

func (r *Runner) stdout() io.Writer {
	if r.Stdout == nil {
		return io.Discard
	}
	return r.Stdout
}

func (r *Runner) log(ctx context.Context, phase string, lines []string) {
	if r.Log != nil && len(lines) > 0 {
		r.Log(ctx, phase, lines)
	}
}

// Timeout reads TFC_AGENT_HOOK_<NAME>_TIMEOUT, then TFC_AGENT_HOOK_TIMEOUT
// (seconds) from the agent's environment; 60 s by default, 600 s at most.
func Timeout(name string) (time.Duration, error) {
	specific := "TFC_AGENT_HOOK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_TIMEOUT"
	for _, key := range []string{specific, "TFC_AGENT_HOOK_TIMEOUT"} {
		v := os.Getenv(key)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%s=%q is not a positive number of seconds", key, v)
		}
		return min(time.Duration(n)*time.Second, MaxTimeout), nil
	}
	return DefaultTimeout, nil
}

// Environ is the process environment, then the run's, then the hook
// hand-offs, each in key order, so later values win.
func Environ(run, handoff map[string]string) []string {
	env := os.Environ()
	for _, m := range []map[string]string{run, handoff} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			env = append(env, k+"="+m[k])
		}
	}
	return env
}

// Command runs argv with env; a timeout of 0 means none. It returns the
// exit code, or an error when the command could not run or timed out.
func Command(ctx context.Context, argv, env []string, timeout time.Duration, stdout, stderr io.Writer) (int, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, stdout, stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return -1, fmt.Errorf("timed out after %s", timeout)
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), nil
	case err != nil:
		return -1, err
	}
	return 0, nil
}

func splitLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// readAgentEnv parses the KEY=value lines a hook wrote to TFC_AGENT_ENV.
func readAgentEnv(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, line := range splitLines(string(b)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("line %d is not KEY=value", i+1)
		}
		out[k] = v
	}
	return out, nil
}
