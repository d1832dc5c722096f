package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/runs/hooks"
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
	adminToken                                    string
	cloudEndpoints                                bool
}

func (f *agentFlags) admin() adminClient { return adminClient{f.url, f.adminToken} }

func (f *agentFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", defaultURL, "base URL of the running emulator (its TFC listener)")
	fs.StringVar(&f.token, "token", "", "TFC API token that queues the run (default: the emulator's owner token)")
	fs.StringVar(&f.workspace, "workspace", "", "ORG/WORKSPACE to queue a run in")
	fs.StringVar(&f.run, "run", "", "use this existing run instead of queueing one")
	fs.StringVar(&f.agentVersion, "agent-version", "", "run as an agent of this version would (e.g. 1.11.0: no tagged tokens), without changing the workspace")
	fs.StringVar(&f.adminToken, "admin-token", "", adminTokenUsage)
	fs.BoolVar(&f.cloudEndpoints, "cloud-endpoints", false, "point the run's cloud configuration (AWS STS, GCP STS and IAM Credentials, Azure's metadata host and Entra authority) at the emulator's clouds listener instead of the real clouds")
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

// newAgentSession returns a session printing to stdout and the flag set of
// its subcommand name (usage, errors to stderr) with the session's flags.
func newAgentSession(name, usage string, stdout, stderr io.Writer) (*agentSession, *flag.FlagSet) {
	s := &agentSession{stdout: stdout}
	fs := newFlagSet(name, usage)
	fs.SetOutput(stderr)
	s.f.register(fs)
	return s, fs
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
		if err := adminCall(ctx, http.MethodPost, s.f.admin(), "/runs", admin.RunRequest{Organization: org, Workspace: ws, AgentVersion: s.f.agentVersion}, &out); err != nil {
			return err
		}
		s.runID = out.ID
		fmt.Fprintf(s.stdout, "tfcemu agent: run %s queued in %s on agent %s\n", s.runID, s.f.workspace, s.f.agentVersion)
		return nil
	}
	token := s.f.token
	if token == "" {
		var info emulator.Info
		if err := adminCall(ctx, http.MethodGet, s.f.admin(), "/info", nil, &info); err != nil {
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
	if err := adminCall(ctx, http.MethodGet, s.f.admin(), "/runs/"+s.runID+"/environment?phase="+phase+"&dir="+abs, nil, &env); err != nil {
		return env, err
	}
	if err := s.pointAtClouds(ctx, &env); err != nil {
		return env, err
	}
	if err := env.WriteFiles(); err != nil {
		return env, err
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
	return adminCall(ctx, http.MethodPost, s.f.admin(), "/runs/"+s.runID+"/advance", admin.AdvanceRequest{Until: until}, nil)
}

func (s *agentSession) log(ctx context.Context, phase string, lines []string) {
	if len(lines) > 0 {
		_ = adminCall(ctx, http.MethodPost, s.f.admin(), "/runs/"+s.runID+"/log", admin.LogRequest{Phase: phase, Lines: lines}, nil)
	}
}

func (s *agentSession) fail(ctx context.Context, phase, msg string) {
	_ = adminCall(ctx, http.MethodPost, s.f.admin(), "/runs/"+s.runID+"/fail", admin.FailRequest{Phase: phase, Message: msg}, nil)
}

// agentExec runs a command with a phase's environment.
func agentExec(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, cmdArgs := splitCommand(args)
	s, fs := newAgentSession("agent exec", "agent exec --workspace ORG/WS --phase plan|apply [flags] -- CMD [ARGS...]", stdout, stderr)
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
	code, err := hooks.Command(ctx, cmdArgs, hooks.Environ(env.Env, nil), 0, stdout, stderr)
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

// agentHooks runs a run's plan and apply the way tfc-agent does, with the
// hooks of DIR around an optional command standing in for Terraform.
func agentHooks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, cmdArgs := splitCommand(args)
	s, fs := newAgentSession("agent hooks", "agent hooks --dir DIR --workspace ORG/WS [flags] [-- CMD [ARGS...]]", stdout, stderr)
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
	r := &hooks.Runner{Dir: *hooksDir, Stdout: stdout, Stderr: stderr, Log: s.log}
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
		if err := r.Phase(ctx, phase, env.Env, cmdArgs); err != nil {
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
