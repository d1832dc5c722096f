package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
)

// Hook timeouts of tfc-agent: 60 s by default, 10 minutes at most.
const (
	defaultHookTimeout = 60 * time.Second
	maxHookTimeout     = 10 * time.Minute
)

func agent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("agent needs a command: exec or hooks")
	}
	switch args[0] {
	case "exec":
		return agentExec(ctx, args[1:], stdout, stderr)
	case "hooks":
		return agentHooks(ctx, args[1:], stdout, stderr)
	}
	return usageError("unknown agent command %q: want exec or hooks", args[0])
}

// agentFlags are the flags agent exec and agent hooks share.
type agentFlags struct {
	url, token, workspace, run, dir, agentVersion string
}

func (f *agentFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", defaultURL, "base URL of the running emulator (its TFC listener)")
	fs.StringVar(&f.token, "token", "", "TFC API token that queues the run (default: the emulator's owner token)")
	fs.StringVar(&f.workspace, "workspace", "", "ORG/WORKSPACE to queue a run in")
	fs.StringVar(&f.run, "run", "", "use this existing run instead of queueing one")
	fs.StringVar(&f.agentVersion, "agent-version", "", "run as an agent of this version would (e.g. 1.11.0: no tagged tokens), without changing the workspace")
	fs.StringVar(&f.dir, "files-dir", "", "directory for the run's credential files (default: a new temporary directory)")
}

// splitCommand separates flags from the command after "--".
func splitCommand(args []string) ([]string, []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	return args, nil
}

// agentSession drives one run through the emulator, as an agent would.
type agentSession struct {
	f      agentFlags
	runID  string
	stdout io.Writer
}

func (s *agentSession) start(ctx context.Context) error {
	if s.f.run != "" {
		s.runID = s.f.run
		return nil
	}
	org, ws, ok := strings.Cut(s.f.workspace, "/")
	if !ok || org == "" || ws == "" {
		return usageError("--workspace %q: want ORG/WORKSPACE (or give --run)", s.f.workspace)
	}
	if s.f.agentVersion != "" {
		var out struct{ ID string }
		if err := adminCall(ctx, http.MethodPost, s.f.url, "/runs", admin.RunRequest{Organization: org, Workspace: ws, AgentVersion: s.f.agentVersion}, &out); err != nil {
			return err
		}
		s.runID = out.ID
		fmt.Fprintf(s.stdout, "tfcemu agent: run %s queued in %s on agent %s\n", s.runID, s.f.workspace, s.f.agentVersion)
		return nil
	}
	token := s.f.token
	if token == "" {
		var info emulator.Info
		if err := adminCall(ctx, http.MethodGet, s.f.url, "/info", nil, &info); err != nil {
			return err
		}
		token = info.OwnerToken
	}
	var wsDoc struct {
		Data struct{ ID string } `json:"data"`
	}
	if err := tfcCall(ctx, http.MethodGet, s.f.url+"/api/v2/organizations/"+org+"/workspaces/"+ws, token, nil, &wsDoc); err != nil {
		return err
	}
	body := map[string]any{"data": map[string]any{"type": "runs", "attributes": map[string]any{"message": "Queued by tfcemu agent"},
		"relationships": map[string]any{"workspace": map[string]any{"data": map[string]string{"type": "workspaces", "id": wsDoc.Data.ID}}}}}
	var runDoc struct {
		Data struct{ ID string } `json:"data"`
	}
	if err := tfcCall(ctx, http.MethodPost, s.f.url+"/api/v2/runs", token, body, &runDoc); err != nil {
		return err
	}
	s.runID = runDoc.Data.ID
	fmt.Fprintf(s.stdout, "tfcemu agent: run %s queued in %s\n", s.runID, s.f.workspace)
	return nil
}

// environment fetches the phase's environment and writes its files.
func (s *agentSession) environment(ctx context.Context, phase string) (admin.PhaseEnvironment, error) {
	var env admin.PhaseEnvironment
	dir := s.f.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "tfcemu-"+s.runID+"-")
		if err != nil {
			return env, err
		}
		dir = d
		s.f.dir = d
	}
	abs, err := filepath.Abs(filepath.Join(dir, phase))
	if err != nil {
		return env, err
	}
	if err := adminCall(ctx, http.MethodGet, s.f.url, "/runs/"+s.runID+"/environment?phase="+phase+"&dir="+abs, nil, &env); err != nil {
		return env, err
	}
	for path, content := range env.Files {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return env, err
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return env, err
		}
	}
	if len(env.TerraformVariables) > 0 {
		b, _ := json.MarshalIndent(env.TerraformVariables, "", "  ")
		_ = os.MkdirAll(abs, 0o700)
		_ = os.WriteFile(filepath.Join(abs, "tfcemu.auto.tfvars.json"), b, 0o600)
	}
	if env.Status == "errored" {
		return env, fmt.Errorf("the %s phase failed: %s", phase, lastLine(env.Log))
	}
	return env, nil
}

func lastLine(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)-1]
}

// advance moves the run on (admin API).
func (s *agentSession) advance(ctx context.Context, until string) error {
	return adminCall(ctx, http.MethodPost, s.f.url, "/runs/"+s.runID+"/advance", admin.AdvanceRequest{Until: until}, nil)
}

func (s *agentSession) log(ctx context.Context, phase string, lines []string) {
	if len(lines) > 0 {
		_ = adminCall(ctx, http.MethodPost, s.f.url, "/runs/"+s.runID+"/log", admin.LogRequest{Phase: phase, Lines: lines}, nil)
	}
}

func (s *agentSession) fail(ctx context.Context, phase, msg string) {
	_ = adminCall(ctx, http.MethodPost, s.f.url, "/runs/"+s.runID+"/fail", admin.FailRequest{Phase: phase, Message: msg}, nil)
}

// agentExec runs a command with a phase's environment.
func agentExec(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, cmdArgs := splitCommand(args)
	var s agentSession
	s.stdout = stdout
	fs := newFlagSet("agent exec", "agent exec --workspace ORG/WS --phase plan|apply [flags] -- CMD [ARGS...]")
	fs.SetOutput(stderr)
	s.f.register(fs)
	phase := fs.String("phase", "plan", "run phase: plan or apply")
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	if len(cmdArgs) == 0 {
		return usageError("give the command to run after --")
	}
	if *phase != "plan" && *phase != "apply" {
		return usageError("--phase %q: want plan or apply", *phase)
	}
	if err := s.start(ctx); err != nil {
		return err
	}
	if *phase == "apply" {
		if err := s.advance(ctx, "applying"); err != nil {
			return err
		}
	}
	env, err := s.environment(ctx, *phase)
	if err != nil {
		return err
	}
	code, err := runCommand(ctx, cmdArgs, mergeEnv(env.Env, nil), 0, stdout, stderr)
	if err != nil {
		return err
	}
	if code != 0 {
		return exitCode(code)
	}
	return nil
}

// exitCode passes a command's exit code through.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("command exited with code %d", int(e)) }

// mergeEnv is the process environment, then the run's, then hook hand-offs.
func mergeEnv(run, handoff map[string]string) []string {
	env := os.Environ()
	for _, m := range []map[string]string{run, handoff} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			env = append(env, k+"="+m[k])
		}
	}
	return env
}

// runCommand runs argv with env; a timeout of 0 means none. It returns the
// exit code, or an error when the command could not run or timed out.
func runCommand(ctx context.Context, argv, env []string, timeout time.Duration, stdout, stderr io.Writer) (int, error) {
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

// agentHooks runs a run's plan and apply the way tfc-agent does, with the
// hooks of DIR around an optional command standing in for Terraform.
func agentHooks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, cmdArgs := splitCommand(args)
	var s agentSession
	s.stdout = stdout
	fs := newFlagSet("agent hooks", "agent hooks --dir DIR --workspace ORG/WS [flags] [-- CMD [ARGS...]]")
	fs.SetOutput(stderr)
	s.f.register(fs)
	hooksDir := fs.String("dir", "", "directory holding terraform-{pre,post}-{plan,apply} hooks (as ~/.tfc-agent/hooks)")
	planOnly := fs.Bool("plan-only", false, "stop after the plan")
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	if *hooksDir == "" {
		return usageError("--dir (the hooks directory) is required")
	}
	if err := s.start(ctx); err != nil {
		return err
	}
	phases := []string{"plan", "apply"}
	if *planOnly {
		phases = phases[:1]
	}
	for _, phase := range phases {
		if phase == "apply" {
			if err := s.advance(ctx, "applying"); err != nil {
				return err
			}
		}
		env, err := s.environment(ctx, phase)
		if err != nil {
			return err
		}
		if err := s.runPhase(ctx, phase, *hooksDir, env, cmdArgs, stdout, stderr); err != nil {
			s.fail(ctx, phase, err.Error())
			return err
		}
		// One step: a finished plan waits (or goes on to apply, with
		// auto-apply); a finished apply is applied.
		if err := s.advance(ctx, ""); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "tfcemu agent: run %s finished\n", s.runID)
	return nil
}

// runPhase is pre-hook, command, post-hook; the post hook runs even when
// the command failed, and any failure fails the phase.
func (s *agentSession) runPhase(ctx context.Context, phase, hooksDir string, env admin.PhaseEnvironment, cmdArgs []string, stdout, stderr io.Writer) error {
	handoff := map[string]string{}
	if err := s.hook(ctx, "pre-"+phase, hooksDir, env, handoff, stdout); err != nil {
		return err
	}
	var cmdErr error
	if len(cmdArgs) > 0 {
		code, err := runCommand(ctx, cmdArgs, mergeEnv(env.Env, handoff), 0, stdout, stderr)
		switch {
		case err != nil:
			cmdErr = fmt.Errorf("%s command: %w", phase, err)
		case code != 0:
			cmdErr = fmt.Errorf("%s command exited with code %d", phase, code)
		}
	}
	if err := s.hook(ctx, "post-"+phase, hooksDir, env, handoff, stdout); err != nil {
		return err
	}
	return cmdErr
}

// hook runs terraform-<name> if it exists: executable, within its
// timeout, with TFC_AGENT_ENV for KEY=value hand-offs to later steps of the
// same phase. Its output goes to the run log.
func (s *agentSession) hook(ctx context.Context, name, dir string, env admin.PhaseEnvironment, handoff map[string]string, stdout io.Writer) error {
	path := filepath.Join(dir, "terraform-"+name)
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Mode()&0o111 == 0 {
		msg := fmt.Sprintf("Hook %s is not executable; skipping it", path)
		fmt.Fprintln(stdout, msg)
		s.log(ctx, strings.SplitN(name, "-", 2)[1], []string{msg})
		return nil
	}
	phase := strings.SplitN(name, "-", 2)[1]
	timeout, err := hookTimeout(name)
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
	for k, v := range handoff {
		extra[k] = v
	}
	var out bytes.Buffer
	header := fmt.Sprintf("Executing %s hook...", name)
	fmt.Fprintln(stdout, header)
	code, runErr := runCommand(ctx, []string{path}, mergeEnv(env.Env, extra), timeout, io.MultiWriter(stdout, &out), io.MultiWriter(stdout, &out))
	lines := append([]string{header}, splitLines(out.String())...)
	s.log(ctx, phase, lines)
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
	for k, v := range added {
		handoff[k] = v
	}
	return nil
}

// hookTimeout reads TFC_AGENT_HOOK_<NAME>_TIMEOUT, then
// TFC_AGENT_HOOK_TIMEOUT (seconds); 60 s by default, 600 s at most.
func hookTimeout(name string) (time.Duration, error) {
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
		return min(time.Duration(n)*time.Second, maxHookTimeout), nil
	}
	return defaultHookTimeout, nil
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

// tfcCall sends a JSON:API request with a TFC token.
func tfcCall(ctx context.Context, method, url, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/vnd.api+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
