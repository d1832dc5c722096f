package emulator_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator"
)

// fakeTerraform is a stand-in Terraform CLI: what it does is chosen by
// the configuration's "mode" file (ok, fail or hang); hang starts a child
// that writes its pid to the "pidfile" path of the configuration.
const fakeTerraform = `#!/bin/sh
mode=$(cat mode 2>/dev/null)
case "$1" in
init) echo "Terraform has been successfully initialized!" ;;
plan)
  echo "fake plan of $TFC_RUN_ID"
  case "$mode" in
  fail) echo "Error: the plan failed"; exit 1 ;;
  hang) sleep 300 & echo $! > "$(cat pidfile)"; wait; exit 0 ;;
  esac
  echo "Plan: 1 to add, 0 to change, 0 to destroy."
  touch tfplan
  exit 2 ;;
show) echo '{"format_version":"1.2","resource_changes":[{"address":"terraform_data.x","change":{"actions":["create"]}}]}' ;;
apply)
  serial=$(( $(sed -n 's/.*"serial": *\([0-9]*\).*/\1/p' terraform.tfstate 2>/dev/null || echo 0) + 1 ))
  printf '{"version":4,"terraform_version":"1.11.4","serial":%s,"lineage":"fake","outputs":{"greeting":{"value":"hi","type":"string"}},"resources":[{"mode":"managed","type":"terraform_data","name":"x","provider":"provider[\"terraform.io/builtin/terraform\"]","instances":[{}]}]}' "${serial:-1}" > terraform.tfstate
  echo "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." ;;
esac
`

type execEnv struct {
	e   *emulator.Emulator
	c   *tfe.Client
	ws  *tfe.Workspace
	dir string
}

func newExecEnv(t *testing.T, cfg emulator.Config) *execEnv {
	t.Helper()
	x := newExecEnvFrom(t, t.TempDir(), cfg)
	ws, err := x.c.Workspaces.Create(context.Background(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("exec")})
	if err != nil {
		t.Fatal(err)
	}
	x.ws = ws
	return x
}

// newExecEnvFrom starts an executing emulator with the fake Terraform in dir.
func newExecEnvFrom(t *testing.T, dir string, cfg emulator.Config) *execEnv {
	t.Helper()
	bin := filepath.Join(dir, "terraform")
	if err := os.WriteFile(bin, []byte(fakeTerraform), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg.TerraformBin, cfg.RunsDir = bin, filepath.Join(dir, "runs")
	e := startEmulator(t, cfg)
	c, err := tfe.NewClient(&tfe.Config{Address: e.Info().TFCURL, Token: e.Info().OwnerToken, RetryServerErrors: true})
	if err != nil {
		t.Fatal(err)
	}
	return &execEnv{e: e, c: c, dir: dir}
}

func tarGzOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	_ = tw.Close()
	_ = gz.Close()
	return buf.Bytes()
}

// upload makes an uploaded configuration version of archive.
func (x *execEnv) upload(t *testing.T, speculative bool, archive []byte) *tfe.ConfigurationVersion {
	t.Helper()
	cv, err := x.c.ConfigurationVersions.Create(context.Background(), x.ws.ID, tfe.ConfigurationVersionCreateOptions{AutoQueueRuns: tfe.Bool(false), Speculative: tfe.Bool(speculative)})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.c.ConfigurationVersions.UploadTarGzip(context.Background(), cv.UploadURL, bytes.NewReader(archive)); err != nil {
		t.Fatal(err)
	}
	return cv
}

func (x *execEnv) run(t *testing.T, cv *tfe.ConfigurationVersion) *tfe.Run {
	t.Helper()
	r, err := x.c.Runs.Create(context.Background(), tfe.RunCreateOptions{Workspace: x.ws, ConfigurationVersion: cv})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// await waits for a run to reach status.
func (x *execEnv) await(t *testing.T, id string, status tfe.RunStatus) *tfe.Run {
	t.Helper()
	return x.awaitAny(t, id, status)
}

// awaitAny waits for a run to reach one of statuses.
func (x *execEnv) awaitAny(t *testing.T, id string, statuses ...tfe.RunStatus) *tfe.Run {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := x.c.Runs.Read(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range statuses {
			if r.Status == s {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s is %s, want one of %v", id, r.Status, statuses)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (x *execEnv) planLog(t *testing.T, r *tfe.Run) string {
	t.Helper()
	logs, err := x.c.Plans.Logs(context.Background(), r.Plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(logs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExecutedRunsQueueAndApply(t *testing.T) {
	x := newExecEnv(t, emulator.Config{})
	cv := x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"}))
	first := x.run(t, cv)
	second := x.run(t, cv)
	first = x.await(t, first.ID, tfe.RunPlanned)
	if second = x.await(t, second.ID, tfe.RunPending); second.Actions == nil || !second.Actions.IsCancelable || !second.Actions.IsDiscardable {
		t.Fatalf("a pending run is cancelable: %+v", second.Actions)
	}
	// A speculative plan does not wait for the workspace's queue.
	spec := x.run(t, x.upload(t, true, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"})))
	if spec = x.await(t, spec.ID, tfe.RunPlannedAndFinished); !spec.PlanOnly {
		t.Fatalf("a speculative configuration makes a plan-only run: %+v", spec)
	}

	plan, err := x.c.Plans.Read(context.Background(), first.Plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if plan.ResourceAdditions != 1 || !plan.HasChanges || plan.Status != tfe.PlanFinished || !strings.HasPrefix(plan.LogReadURL, x.e.Info().TFCURL+"/_archivist/") {
		t.Fatalf("plan = %+v", plan)
	}
	if log := x.planLog(t, first); !strings.Contains(log, "fake plan of "+first.ID) || !strings.Contains(log, "Plan: 1 to add") {
		t.Fatalf("plan log = %q", log)
	}
	js, err := x.c.Plans.ReadJSONOutput(context.Background(), first.Plan.ID)
	if err != nil || !bytes.Contains(js, []byte(`"resource_changes"`)) {
		t.Fatalf("json-output = %s, %v", js, err)
	}
	if _, err := x.c.StateVersions.ReadCurrent(context.Background(), x.ws.ID); !errors.Is(err, tfe.ErrResourceNotFound) {
		t.Fatalf("a plan stored state: %v", err)
	}

	if err := x.c.Runs.Apply(context.Background(), first.ID, tfe.RunApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	x.await(t, first.ID, tfe.RunApplied)
	sv, err := x.c.StateVersions.ReadCurrent(context.Background(), x.ws.ID)
	if err != nil || sv.Serial != 1 || sv.Run == nil || sv.Run.ID != first.ID {
		t.Fatalf("current state version = %+v, %v", sv, err)
	}
	outs, err := x.c.StateVersionOutputs.ReadCurrent(context.Background(), x.ws.ID)
	if err != nil || len(outs.Items) != 1 || outs.Items[0].Name != "greeting" || outs.Items[0].Value != "hi" {
		t.Fatalf("outputs = %+v, %v", outs, err)
	}
	// The queue moves: the second run plans now, against the new state.
	x.await(t, second.ID, tfe.RunPlanned)
	if err := x.c.Runs.Discard(context.Background(), second.ID, tfe.RunDiscardOptions{}); err != nil {
		t.Fatal(err)
	}
	x.await(t, second.ID, tfe.RunDiscarded)
}

func TestExecutedFailingPlanErrorsTheRun(t *testing.T) {
	x := newExecEnv(t, emulator.Config{})
	r := x.run(t, x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "fail"})))
	r = x.await(t, r.ID, tfe.RunErrored)
	if log := x.planLog(t, r); !strings.Contains(log, "Error: the plan failed") || !strings.Contains(log, "terraform plan exited with code 1") {
		t.Fatalf("plan log = %q", log)
	}
	if _, err := x.c.StateVersions.ReadCurrent(context.Background(), x.ws.ID); !errors.Is(err, tfe.ErrResourceNotFound) {
		t.Fatalf("a failed run stored state: %v", err)
	}
}

// hang starts a run whose plan hangs with a child process, and returns
// the run and the child's pid.
func (x *execEnv) hang(t *testing.T) (*tfe.Run, int) {
	t.Helper()
	pidfile := filepath.Join(x.dir, "child.pid")
	r := x.run(t, x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "hang", "pidfile": pidfile})))
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(pidfile); err == nil && len(bytes.TrimSpace(b)) > 0 {
			pid, err := strconv.Atoi(string(bytes.TrimSpace(b)))
			if err != nil {
				t.Fatal(err)
			}
			return r, pid
		}
		if time.Now().After(deadline) {
			t.Fatal("the plan's child never started")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awaitGone waits for a process to be gone (killed with its group).
func awaitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("process %d outlived its run", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCancelKillsThePlansProcessGroup(t *testing.T) {
	x := newExecEnv(t, emulator.Config{})
	r, pid := x.hang(t)
	if err := x.c.Runs.Cancel(context.Background(), r.ID, tfe.RunCancelOptions{}); err != nil {
		t.Fatal(err)
	}
	x.await(t, r.ID, tfe.RunCanceled)
	awaitGone(t, pid)
}

func TestPhaseTimeoutErrorsTheRun(t *testing.T) {
	x := newExecEnv(t, emulator.Config{PhaseTimeout: time.Second})
	r, pid := x.hang(t)
	r = x.await(t, r.ID, tfe.RunErrored)
	awaitGone(t, pid)
	if log := x.planLog(t, r); !strings.Contains(log, "Operation timed out") {
		t.Fatalf("plan log = %q", log)
	}
}

func TestShutdownCancelsRunningRuns(t *testing.T) {
	stateFile := filepath.Join(t.TempDir(), "state.json")
	x := newExecEnv(t, emulator.Config{StateFile: stateFile})
	r, pid := x.hang(t)
	if err := x.e.Close(); err != nil {
		t.Fatal(err)
	}
	awaitGone(t, pid)
	again := startEmulator(t, emulator.Config{StateFile: stateFile, Runs: emulator.RunsManual})
	c, err := tfe.NewClient(&tfe.Config{Address: again.Info().TFCURL, Token: again.Info().OwnerToken})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Runs.Read(context.Background(), r.ID)
	if err != nil || got.Status != tfe.RunCanceled {
		t.Fatalf("after a shutdown the run is %+v, %v; want canceled", got, err)
	}
}

func TestAnAppliedStateIsSavedWithoutAnotherRequest(t *testing.T) {
	stateFile := filepath.Join(t.TempDir(), "state.json")
	x := newExecEnv(t, emulator.Config{StateFile: stateFile})
	cv, err := x.c.ConfigurationVersions.Create(context.Background(), x.ws.ID, tfe.ConfigurationVersionCreateOptions{AutoQueueRuns: tfe.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.c.ConfigurationVersions.UploadTarGzip(context.Background(), cv.UploadURL, bytes.NewReader(tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"}))); err != nil {
		t.Fatal(err)
	}
	r, err := x.c.Runs.Create(context.Background(), tfe.RunCreateOptions{Workspace: x.ws, ConfigurationVersion: cv, AutoApply: tfe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	x.await(t, r.ID, tfe.RunApplied)
	// The state file already has the run applied (reads do not save).
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := stateFileText(stateFile) // the document and its write-ahead log
		if err == nil && bytes.Contains(b, []byte(`"applied"`)) && bytes.Contains(b, []byte(r.ID)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the state file lacks the applied run %s", r.ID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPendingRunsMoveOnAfterARestart(t *testing.T) {
	stateFile := filepath.Join(t.TempDir(), "state.json")
	x := newExecEnv(t, emulator.Config{StateFile: stateFile})
	cv := x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"}))
	first := x.run(t, cv)
	second := x.run(t, cv)
	x.await(t, first.ID, tfe.RunPlanned)
	x.await(t, second.ID, tfe.RunPending)
	if err := x.c.Runs.Discard(context.Background(), first.ID, tfe.RunDiscardOptions{}); err != nil {
		t.Fatal(err)
	}
	// Closing races the second run's start: it ends canceled or planned
	// by the restarted emulator, never stuck pending.
	if err := x.e.Close(); err != nil {
		t.Fatal(err)
	}
	again := newExecEnvFrom(t, x.dir, emulator.Config{StateFile: stateFile})
	r := again.awaitAny(t, second.ID, tfe.RunPlanned, tfe.RunCanceled)
	if r.Status == tfe.RunPending {
		t.Fatalf("run %s is still pending after a restart", r.ID)
	}
}

func TestBadConfigurationArchivesAreRefused(t *testing.T) {
	x := newExecEnv(t, emulator.Config{})
	for name, archive := range map[string][]byte{
		"escaping path": tarGzOf(t, map[string]string{"../escape.tf": "x"}),
		"absolute path": tarGzOf(t, map[string]string{"/tmp/escape.tf": "x"}),
		"not a tar": func() []byte {
			var b bytes.Buffer
			g := gzip.NewWriter(&b)
			_, _ = g.Write([]byte("nope"))
			_ = g.Close()
			return b.Bytes()
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			cv, err := x.c.ConfigurationVersions.Create(context.Background(), x.ws.ID, tfe.ConfigurationVersionCreateOptions{AutoQueueRuns: tfe.Bool(false)})
			if err != nil {
				t.Fatal(err)
			}
			err = x.c.ConfigurationVersions.UploadTarGzip(context.Background(), cv.UploadURL, bytes.NewReader(archive))
			if err == nil || !strings.Contains(err.Error(), "422") {
				t.Fatalf("upload = %v, want a 422", err)
			}
			read, err := x.c.ConfigurationVersions.Read(context.Background(), cv.ID)
			if err != nil || read.Status != tfe.ConfigurationPending {
				t.Fatalf("after a refused upload = %+v, %v", read, err)
			}
			if _, err := x.c.Runs.Create(context.Background(), tfe.RunCreateOptions{Workspace: x.ws, ConfigurationVersion: cv}); err == nil || !strings.Contains(err.Error(), "has not been uploaded") {
				t.Fatalf("a run of a refused configuration = %v", err)
			}
		})
	}
	list, err := x.c.Runs.List(context.Background(), x.ws.ID, nil)
	if err != nil || len(list.Items) != 0 {
		t.Fatalf("runs = %+v, %v; want none", list, err)
	}
}

func TestExecutedRunsRunTheAgentHooksAndRefuseAdvance(t *testing.T) {
	hooksDir := t.TempDir()
	hook := "#!/bin/sh\necho \"pre-plan hook of $TFC_RUN_ID\"\n"
	if err := os.WriteFile(filepath.Join(hooksDir, "terraform-pre-plan"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	x := newExecEnv(t, emulator.Config{HooksDir: hooksDir})
	r := x.run(t, x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"})))
	r = x.await(t, r.ID, tfe.RunPlanned)
	if log := x.planLog(t, r); !strings.Contains(log, "pre-plan hook of "+r.ID) {
		t.Fatalf("plan log = %q", log)
	}
	req, _ := http.NewRequest(http.MethodPost, x.e.Info().TFCURL+"/_emulator/runs/"+r.ID+"/advance", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("advancing an executed run = %d, want 409", res.StatusCode)
	}
}

func TestRunPlanOptionsAreCheckedAndShown(t *testing.T) {
	x := newExecEnv(t, emulator.Config{})
	cv := x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"}))
	for name, opts := range map[string]tfe.RunCreateOptions{
		"refresh-only destroy":         {RefreshOnly: tfe.Bool(true), IsDestroy: tfe.Bool(true)},
		"refresh-only without refresh": {RefreshOnly: tfe.Bool(true), Refresh: tfe.Bool(false)},
		"bad variable name":            {Variables: []*tfe.RunVariable{{Key: "not a name", Value: `"x"`}}},
		"empty target":                 {TargetAddrs: []string{" "}},
	} {
		opts.Workspace, opts.ConfigurationVersion = x.ws, cv
		if _, err := x.c.Runs.Create(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "422") && !strings.Contains(err.Error(), "invalid attribute") {
			t.Fatalf("%s: err = %v, want a 422", name, err)
		}
	}
	if list, err := x.c.Runs.List(context.Background(), x.ws.ID, nil); err != nil || len(list.Items) != 0 {
		t.Fatalf("refused runs were created: %+v, %v", list, err)
	}
	r, err := x.c.Runs.Create(context.Background(), tfe.RunCreateOptions{Workspace: x.ws, ConfigurationVersion: cv, PlanOnly: tfe.Bool(true),
		TargetAddrs: []string{"terraform_data.x"}, Variables: []*tfe.RunVariable{{Key: "greeting", Value: `"hi"`}}})
	if err != nil {
		t.Fatal(err)
	}
	r = x.await(t, r.ID, tfe.RunPlannedAndFinished)
	if len(r.TargetAddrs) != 1 || r.TargetAddrs[0] != "terraform_data.x" || len(r.Variables) != 1 || r.Variables[0].Key != "greeting" || !r.Refresh {
		t.Fatalf("run = %+v", r)
	}
	events, err := x.c.RunEvents.List(context.Background(), r.ID, nil)
	if err != nil || len(events.Items) != 0 {
		t.Fatalf("run events = %+v, %v", events, err)
	}
}

func TestAutoQueueRunsQueuesARunOnUpload(t *testing.T) {
	x := newExecEnv(t, emulator.Config{})
	cv, err := x.c.ConfigurationVersions.Create(context.Background(), x.ws.ID, tfe.ConfigurationVersionCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.c.ConfigurationVersions.UploadTarGzip(context.Background(), cv.UploadURL, bytes.NewReader(tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"}))); err != nil {
		t.Fatal(err)
	}
	list, err := x.c.Runs.List(context.Background(), x.ws.ID, nil)
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("runs after an auto-queue upload = %+v, %v", list, err)
	}
	r := x.await(t, list.Items[0].ID, tfe.RunPlanned)
	if r.ConfigurationVersion == nil || r.ConfigurationVersion.ID != cv.ID || r.Message != "Triggered via API" {
		t.Fatalf("run = %+v", r)
	}
}

func TestALockedWorkspaceHoldsItsQueue(t *testing.T) {
	x := newExecEnv(t, emulator.Config{})
	if _, err := x.c.Workspaces.Lock(context.Background(), x.ws.ID, tfe.WorkspaceLockOptions{Reason: tfe.String("maintenance")}); err != nil {
		t.Fatal(err)
	}
	cv := x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"}))
	r := x.run(t, cv)
	spec := x.run(t, x.upload(t, true, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"})))
	x.await(t, spec.ID, tfe.RunPlannedAndFinished) // speculative plans do not wait
	x.await(t, r.ID, tfe.RunPending)
	queue, err := x.c.Organizations.ReadRunQueue(context.Background(), "my-org", tfe.ReadRunQueueOptions{})
	if err != nil || len(queue.Items) != 1 || queue.Items[0].ID != r.ID || queue.Items[0].PositionInQueue != 1 {
		t.Fatalf("run queue = %+v, %v", queue, err)
	}
	capacity, err := x.c.Organizations.ReadCapacity(context.Background(), "my-org")
	if err != nil || capacity.Pending != 1 || capacity.Running != 0 {
		t.Fatalf("capacity = %+v, %v", capacity, err)
	}
	if _, err := x.c.Organizations.ReadCapacity(context.Background(), "no-such-org"); !errors.Is(err, tfe.ErrResourceNotFound) {
		t.Fatalf("capacity of an unknown organization = %v", err)
	}
	if _, err := x.c.Workspaces.Unlock(context.Background(), x.ws.ID); err != nil {
		t.Fatal(err)
	}
	x.await(t, r.ID, tfe.RunPlanned)
}

func TestTheWorkingDirectoryIsWhereTerraformRuns(t *testing.T) {
	x := newExecEnv(t, emulator.Config{})
	if _, err := x.c.Workspaces.UpdateByID(context.Background(), x.ws.ID, tfe.WorkspaceUpdateOptions{WorkingDirectory: tfe.String("infra")}); err != nil {
		t.Fatal(err)
	}
	// The fake reads "mode" in the directory it runs in: only infra/ has one.
	r := x.run(t, x.upload(t, false, tarGzOf(t, map[string]string{"mode": "fail", "infra/main.tf": "# fake", "infra/mode": "ok"})))
	x.await(t, r.ID, tfe.RunPlanned)
	// A working directory the configuration lacks errors the run.
	r = x.run(t, x.upload(t, false, tarGzOf(t, map[string]string{"main.tf": "# fake", "mode": "ok"})))
	if err := x.c.Runs.Discard(context.Background(), x.mustLatestPlanned(t), tfe.RunDiscardOptions{}); err != nil {
		t.Fatal(err)
	}
	r = x.await(t, r.ID, tfe.RunErrored)
	if log := x.planLog(t, r); !strings.Contains(log, `The working directory "infra" is not a directory of the configuration`) {
		t.Fatalf("plan log = %q", log)
	}
}

// mustLatestPlanned is the id of the workspace's planned run.
func (x *execEnv) mustLatestPlanned(t *testing.T) string {
	t.Helper()
	list, err := x.c.Runs.List(context.Background(), x.ws.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.Items {
		if r.Status == tfe.RunPlanned {
			return r.ID
		}
	}
	t.Fatal("no planned run")
	return ""
}

func TestResetStopsRunningRuns(t *testing.T) {
	x := newExecEnv(t, emulator.Config{})
	_, pid := x.hang(t)
	x.e.Reset()
	awaitGone(t, pid)
}
