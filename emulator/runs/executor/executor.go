// Package executor runs HCP Terraform remote runs on this machine the way
// a hosted agent does: for each claimed phase it unpacks the run's
// configuration version into a run directory, overrides the configuration's
// cloud block with a local backend holding the workspace's current state,
// and runs `terraform init` and `plan` (or `apply` of the saved plan) with
// the workspace's variables, the phase's environment (workload identity
// tokens, dynamic credentials) and the agent hooks around the command. The
// output streams into the phase's log; the plan's summary, the JSON plan
// and the applied state go back to the tfc service.
package executor

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tfcemu/tfcemu/emulator/runs"
	"github.com/tfcemu/tfcemu/emulator/runs/cloudendpoints"
	"github.com/tfcemu/tfcemu/emulator/runs/hooks"
	"github.com/tfcemu/tfcemu/emulator/runs/slug"
	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// HCP Terraform's limits on a plan and on an apply.
const (
	DefaultPlanTimeout  = 2 * time.Hour
	DefaultApplyTimeout = 24 * time.Hour
)

// MaxLogBytes bounds what a phase's Terraform output adds to its log (the
// log lives in the emulator's state).
const MaxLogBytes = 4 << 20

// Service is what the executor needs of the tfc service.
type Service interface {
	ClaimRuns(workspaceID string) []tfc.RunClaim
	ExecutionJob(ctx context.Context, runID, phase string) (*tfc.RunJob, error)
	AppendRunLog(id, phase string, lines []string) error
	FinishPhase(runID, phase string, res tfc.PhaseResult) error
	CancelRunning() []string
}

// Config configures an Executor.
type Config struct {
	// Terraform is the Terraform binary.
	Terraform string
	// Dir holds the run directories; empty means a temporary directory.
	Dir string
	// HooksDir holds agent hooks (terraform-pre-plan, …); empty runs none.
	HooksDir string
	// PhaseTimeout bounds a plan or an apply; zero means TFC's
	// DefaultPlanTimeout and DefaultApplyTimeout.
	PhaseTimeout time.Duration
	// Finished, when set, is called after a phase's end was recorded (the
	// emulator saves its state file then).
	Finished func()
	// CloudEndpoints, when set, are the emulated clouds' endpoints runs'
	// AWS, GCP and Azure dynamic credentials are pointed at (package
	// cloudendpoints), as `tfcemu agent exec --cloud-endpoints` points them;
	// an empty endpoint leaves its cloud's configuration as the product
	// writes it.
	CloudEndpoints func() cloudendpoints.Endpoints
}

// Executor executes claimed run phases, each in its own goroutine.
type Executor struct {
	svc     Service
	cfg     Config
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	running map[string]context.CancelFunc // by run id
	closed  bool

	// dirMu guards dir: Config.Dir, or the temporary directory made for
	// the first run and removed on Close ("" until then).
	dirMu sync.Mutex
	dir   string
}

// New returns an executor for svc; call svc.SetExecutor with it.
func New(svc Service, cfg Config) (*Executor, error) {
	if cfg.Terraform == "" {
		return nil, errors.New("executor: no Terraform binary")
	}
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
			return nil, err
		}
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Executor{svc: svc, cfg: cfg, ctx: ctx, stop: stop, running: map[string]context.CancelFunc{}, dir: cfg.Dir}, nil
}

// Wake claims what a workspace's queue lets run now and starts it.
func (x *Executor) Wake(workspaceID string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return
	}
	for _, c := range x.svc.ClaimRuns(workspaceID) {
		ctx, cancel := context.WithCancel(x.ctx)
		x.running[c.RunID] = cancel
		x.wg.Add(1)
		go func(c tfc.RunClaim) {
			defer x.wg.Done()
			defer func() {
				x.mu.Lock()
				delete(x.running, c.RunID)
				x.mu.Unlock()
				cancel()
			}()
			x.execute(ctx, c)
		}(c)
	}
}

// Cancel stops a run's running phase: its process group is killed.
func (x *Executor) Cancel(runID string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if cancel, ok := x.running[runID]; ok {
		cancel()
	}
}

// CancelAll stops every running phase (the emulator's state was reset:
// the runs are gone).
func (x *Executor) CancelAll() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, cancel := range x.running {
		cancel()
	}
}

// Close cancels the runs in flight (they end canceled, their state never
// reaches the workspace) and waits for their processes; a temporary run
// directory is removed (a given one keeps the plans of planned runs).
func (x *Executor) Close() error {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return nil
	}
	x.closed = true
	x.mu.Unlock()
	x.svc.CancelRunning()
	x.stop()
	x.wg.Wait()
	x.dirMu.Lock()
	defer x.dirMu.Unlock()
	if x.cfg.Dir == "" && x.dir != "" {
		return os.RemoveAll(x.dir)
	}
	return nil
}

// runDir is a run's working directory, kept from plan to apply. Without
// Config.Dir, the first run makes the temporary directory they go in: a
// start that made it was slower by a mkdir, an eighth of its own work.
func (x *Executor) runDir(runID string) (string, error) {
	x.dirMu.Lock()
	defer x.dirMu.Unlock()
	if x.dir == "" {
		d, err := os.MkdirTemp("", "tfcemu-runs-*")
		if err != nil {
			return "", err
		}
		x.dir = d
	}
	return filepath.Join(x.dir, runID), nil
}

// execute runs one claimed phase and reports how it ended.
func (x *Executor) execute(ctx context.Context, c tfc.RunClaim) {
	job, err := x.svc.ExecutionJob(ctx, c.RunID, c.Phase)
	if err != nil {
		return // the service errored the phase, or it was canceled
	}
	timeout := x.cfg.PhaseTimeout
	if timeout <= 0 {
		timeout = DefaultPlanTimeout
		if c.Phase == "apply" {
			timeout = DefaultApplyTimeout
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res := x.phase(ctx, job)
	if ctx.Err() == context.DeadlineExceeded {
		res = tfc.PhaseResult{Err: fmt.Errorf("Operation timed out: the %s exceeded the %s limit and was terminated", c.Phase, timeout)}
	} else if ctx.Err() != nil {
		res = tfc.PhaseResult{Canceled: true}
	}
	_ = x.svc.FinishPhase(c.RunID, c.Phase, res)
	if x.cfg.Finished != nil {
		x.cfg.Finished()
	}
	if res.Err != nil || res.Canceled || c.Phase == "apply" || !res.HasChanges {
		if dir, err := x.runDir(c.RunID); err == nil {
			_ = os.RemoveAll(dir)
		}
	}
}

// phase prepares the directory (plan) and runs the phase's commands.
func (x *Executor) phase(ctx context.Context, job *tfc.RunJob) tfc.PhaseResult {
	dir, err := x.runDir(job.RunID)
	if err != nil {
		return tfc.PhaseResult{Err: err}
	}
	work, err := workDir(filepath.Join(dir, "config"), job.WorkingDirectory)
	if err != nil {
		return tfc.PhaseResult{Err: err}
	}
	logf := func(format string, a ...any) {
		_ = x.svc.AppendRunLog(job.RunID, job.Phase, []string{fmt.Sprintf(format, a...)})
	}
	if job.Phase == "plan" {
		if err := x.prepare(job, dir, filepath.Join(dir, "config"), work); err != nil {
			return tfc.PhaseResult{Err: err}
		}
	} else if _, err := os.Stat(filepath.Join(work, "tfplan")); err != nil {
		return tfc.PhaseResult{Err: errors.New("the saved plan of this run is gone (the emulator restarted?)")}
	}
	rendered := runs.Render(job.Env, filepath.Join(dir, job.Phase))
	if x.cfg.CloudEndpoints != nil {
		rendered.Env = cloudendpoints.Point(rendered.Env, rendered.Files, x.cfg.CloudEndpoints())
	}
	if err := rendered.WriteFiles(); err != nil {
		return tfc.PhaseResult{Err: err}
	}
	env := x.environ(dir, rendered.Env)
	// logged counts the lines the phase's log has before Terraform's.
	logged := 0
	if job.Env != nil {
		logged = len(job.Env.Log)
	}
	hk := &hooks.Runner{Dir: x.cfg.HooksDir, Stdout: io.Discard, Stderr: io.Discard,
		Log: func(_ context.Context, phase string, lines []string) {
			if phase == job.Phase {
				logged += len(lines)
			}
			_ = x.svc.AppendRunLog(job.RunID, phase, lines)
		}}
	var res tfc.PhaseResult
	err = hk.Around(ctx, job.Phase, env, func(environ []string) error {
		if job.Phase == "apply" {
			if pad := applyHeader(logged); len(pad) > 0 {
				_ = x.svc.AppendRunLog(job.RunID, job.Phase, pad)
			}
		}
		res = x.terraform(ctx, job, work, environ, logf)
		return res.Err
	})
	if err != nil && res.Err == nil {
		res = tfc.PhaseResult{Err: err} // a hook failed
	}
	return res
}

// prepare unpacks the configuration, overrides its backend with a local
// one and writes the current state and the variables.
func (x *Executor) prepare(job *tfc.RunJob, dir, config, work string) error {
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(config, 0o700); err != nil {
		return err
	}
	if err := slug.Unpack(job.Archive, config); err != nil {
		return fmt.Errorf("Failed to unpack the configuration: %v", err)
	}
	if info, err := os.Lstat(work); err != nil || !info.IsDir() {
		return fmt.Errorf("The working directory %q is not a directory of the configuration", job.WorkingDirectory)
	}
	// An override file's backend block replaces the cloud block, as the
	// hosted agent runs the configuration against the state it hands in.
	override := "terraform {\n  backend \"local\" {\n    path = \"terraform.tfstate\"\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(work, "zzz_tfcemu_backend_override.tf"), []byte(override), 0o600); err != nil {
		return err
	}
	if job.State != nil {
		if err := os.WriteFile(filepath.Join(work, "terraform.tfstate"), job.State, 0o600); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(work, "zzz_tfcemu.auto.tfvars"), []byte(tfvars(job.Variables, job.Env)), 0o600); err != nil {
		return err
	}
	// The run's own variables come later in lexical order: they win.
	var run strings.Builder
	for _, v := range job.RunVariables {
		fmt.Fprintf(&run, "%s = %s\n", v.Key, v.Value)
	}
	return os.WriteFile(filepath.Join(work, "zzzz_tfcemu_run.auto.tfvars"), []byte(run.String()), 0o600)
}

// workDir is where Terraform runs: the workspace's working directory
// inside the unpacked configuration, which may not leave it.
func workDir(config, wd string) (string, error) {
	if wd == "" {
		return config, nil
	}
	clean := filepath.Clean(filepath.FromSlash(wd))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("The working directory %q is outside the configuration", wd)
	}
	return filepath.Join(config, clean), nil
}

// tfvars renders the workspace's Terraform variables (HCL ones as
// written, others as strings) and the builder's extra input variables.
func tfvars(vars []tfc.Variable, env *tfc.PhaseEnvironment) string {
	seen := map[string]bool{}
	var b strings.Builder
	for _, v := range vars {
		if v.Category != tfc.CategoryTerraform {
			continue
		}
		seen[v.Key] = true
		if v.HCL {
			fmt.Fprintf(&b, "%s = %s\n", v.Key, v.Value)
		} else {
			fmt.Fprintf(&b, "%s = %s\n", v.Key, hclString(v.Value))
		}
	}
	if env != nil {
		keys := make([]string, 0, len(env.TerraformVariables))
		for k := range env.TerraformVariables {
			if !seen[k] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			j, _ := json.Marshal(env.TerraformVariables[k])
			fmt.Fprintf(&b, "%s = %s\n", k, strings.ReplaceAll(strings.ReplaceAll(string(j), "${", "$${"), "%{", "%%{"))
		}
	}
	return b.String()
}

// hclString quotes s as an HCL string literal with no interpolation.
func hclString(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

// environ is the process environment: PATH and a private HOME, the
// automation switches, and the phase's variables (which include the
// workspace's env variables).
func (x *Executor) environ(dir string, phaseEnv map[string]string) map[string]string {
	env := map[string]string{
		"PATH":               os.Getenv("PATH"),
		"HOME":               filepath.Join(dir, "home"),
		"TF_IN_AUTOMATION":   "1",
		"TF_INPUT":           "0",
		"CHECKPOINT_DISABLE": "1",
		"TF_CLI_CONFIG_FILE": os.DevNull,
	}
	for k, v := range phaseEnv {
		env[k] = v
	}
	return env
}

// terraform runs init and plan (saving the plan), or apply of the saved
// plan, streaming the output into the phase's log.
func (x *Executor) terraform(ctx context.Context, job *tfc.RunJob, work string, env []string, logf func(string, ...any)) tfc.PhaseResult {
	logged := 0
	stream := func(line string) {
		switch {
		case logged > MaxLogBytes:
			return
		case logged+len(line) > MaxLogBytes:
			line = fmt.Sprintf("(the log is truncated: a phase's log is limited to %d bytes)", MaxLogBytes)
			logged = MaxLogBytes + 1
		default:
			logged += len(line) + 1
		}
		if err := x.svc.AppendRunLog(job.RunID, job.Phase, []string{line}); errors.Is(err, tfc.ErrNotFound) {
			x.Cancel(job.RunID) // the run went with its workspace: stop it
		}
	}
	// Terraform's machine-readable UI where the workspace has structured
	// run output: the CLI's cloud backend renders each JSON line.
	jsonUI := func(args []string) []string {
		if job.Structured {
			return append(args, "-json")
		}
		return args
	}
	if job.Phase == "apply" {
		if code, err := x.run(ctx, work, env, stream, append(jsonUI([]string{"apply", "-input=false", "-no-color"}), "tfplan")...); err != nil || code != 0 {
			return tfc.PhaseResult{Err: exitErr("apply", code, err)}
		}
		raw, err := os.ReadFile(filepath.Join(work, "terraform.tfstate"))
		if err != nil {
			return tfc.PhaseResult{Err: fmt.Errorf("Failed to read the new state: %v", err)}
		}
		counts := readCounts(filepath.Join(work, "tfplan.json"))
		counts.State = raw
		return counts
	}
	var initOut []string
	code, err := x.run(ctx, work, env, func(l string) { initOut = append(initOut, l) }, "init", "-input=false", "-no-color")
	if err != nil || code != 0 {
		_ = x.svc.AppendRunLog(job.RunID, job.Phase, initOut)
		return tfc.PhaseResult{Err: exitErr("init", code, err)}
	}
	args := jsonUI([]string{"plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=tfplan"})
	if job.IsDestroy {
		args = append(args, "-destroy")
	}
	if job.RefreshOnly {
		args = append(args, "-refresh-only")
	}
	if job.NoRefresh {
		args = append(args, "-refresh=false")
	}
	for _, a := range job.TargetAddrs {
		args = append(args, "-target="+a)
	}
	for _, a := range job.ReplaceAddrs {
		args = append(args, "-replace="+a)
	}
	code, err = x.run(ctx, work, env, stream, args...)
	if err != nil || (code != 0 && code != 2) {
		return tfc.PhaseResult{Err: exitErr("plan", code, err)}
	}
	var plan []string
	if c, err := x.run(ctx, work, env, func(l string) { plan = append(plan, l) }, "show", "-json", "tfplan"); err != nil || c != 0 {
		return tfc.PhaseResult{Err: exitErr("show", c, err)}
	}
	js := []byte(strings.Join(plan, "\n"))
	if job.Structured {
		// The CLI renders a structured run's plan from the redacted JSON
		// plan, which carries the providers' schemas.
		var schemas []string
		if c, err := x.run(ctx, work, env, func(l string) { schemas = append(schemas, l) }, "providers", "schema", "-json"); err != nil || c != 0 {
			return tfc.PhaseResult{Err: exitErr("providers schema", c, err)}
		}
		js = withSchemas(js, []byte(strings.Join(schemas, "\n")))
	}
	_ = os.WriteFile(filepath.Join(work, "tfplan.json"), js, 0o600)
	res := readCounts(filepath.Join(work, "tfplan.json"))
	res.HasChanges, res.JSONPlan = code == 2, js
	return res
}

// applyHeaderLines is how many lines the Terraform CLI's cloud backend
// skips at the start of an apply's log: the agent's header, which repeats
// the plan's (Terraform's version, the platform, initializing).
const applyHeaderLines = 3

// applyHeader is the end of the agent's header an apply's log needs after
// its first n lines, so that the CLI skips exactly the lines before
// Terraform's own output (whose first lines would be lost otherwise).
func applyHeader(n int) []string {
	header := []string{"Terraform (the run's version)", "on " + runtime.GOOS + "_" + runtime.GOARCH, "Initializing plugins and modules..."}
	if n >= applyHeaderLines {
		return nil
	}
	return header[n:]
}

// withSchemas adds the providers' schemas (`terraform providers schema
// -json`) and the formats' versions (plan_format_version,
// provider_format_version) to a JSON plan, as in HCP Terraform's redacted
// JSON plan; the plan stays as it was if either does not parse.
func withSchemas(plan, schemas []byte) []byte {
	var p, s map[string]json.RawMessage
	if json.Unmarshal(plan, &p) != nil || json.Unmarshal(schemas, &s) != nil {
		return plan
	}
	if v, ok := s["provider_schemas"]; ok {
		p["provider_schemas"] = v
	}
	// The renderer compares these with its own formats' versions.
	if v, ok := p["format_version"]; ok {
		p["plan_format_version"] = v
	}
	if v, ok := s["format_version"]; ok {
		p["provider_format_version"] = v
	}
	out, err := json.Marshal(p)
	if err != nil {
		return plan
	}
	return out
}

// readCounts sums a JSON plan's resource changes as TFC's plan counts.
func readCounts(path string) tfc.PhaseResult {
	var res tfc.PhaseResult
	b, err := os.ReadFile(path)
	if err != nil {
		return res
	}
	var plan struct {
		ResourceChanges []struct {
			Change struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if json.Unmarshal(b, &plan) != nil {
		return res
	}
	for _, rc := range plan.ResourceChanges {
		if len(rc.Change.Importing) > 0 {
			res.Imports++
		}
		for _, a := range rc.Change.Actions {
			switch a {
			case "create":
				res.Additions++
			case "update":
				res.Changes++
			case "delete":
				res.Destructions++
			}
		}
	}
	return res
}

func exitErr(step string, code int, err error) error {
	if err != nil {
		return fmt.Errorf("terraform %s: %v", step, err)
	}
	return fmt.Errorf("terraform %s exited with code %d", step, code)
}

// run runs Terraform in its own process group, so a cancel or a timeout
// kills it and everything it started (providers, provisioners), and hands
// each output line to line.
func (x *Executor) run(ctx context.Context, dir string, env []string, line func(string), args ...string) (int, error) {
	cmd := exec.Command(x.cfg.Terraform, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		pw.Close()
		return -1, err
	}
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 4<<20)
		for sc.Scan() {
			line(sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
		close(done)
	}()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-waited
	}
	pw.Close()
	<-done
	if ctx.Err() != nil {
		return -1, ctx.Err()
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}
