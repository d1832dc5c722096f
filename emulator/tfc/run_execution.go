package tfc

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"
)

// Statuses of executed runs besides the manual ones: waiting in the
// workspace's queue, and confirmed (applied by a user or auto-apply) until
// the executor starts the apply.
const (
	RunPending   = "pending"
	RunConfirmed = "confirmed"
)

// RunExecutor executes runs that have a configuration version: the
// service tells it when a workspace's queue may have moved (a run was
// queued, confirmed, or finished) and when a run was canceled. Both calls
// are made outside the store lock and must not block.
type RunExecutor interface {
	Wake(workspaceID string)
	Cancel(runID string)
}

// SetExecutor makes the service queue runs with a configuration version
// for x instead of starting their plan at once (set before serving).
func (s *Service) SetExecutor(x RunExecutor) {
	s.executor = x
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	s.logSecret = b
}

// RunClaim is a run phase the executor is to execute now.
type RunClaim struct {
	RunID, Phase string
}

// ClaimRuns moves a workspace's queue: confirmed runs start applying,
// pending speculative runs start planning, and the oldest pending run
// starts planning when no other non-speculative run of the workspace is
// active (one run at a time per workspace) and no one holds its lock.
func (s *Service) ClaimRuns(wsID string) []RunClaim {
	var claims []RunClaim
	now := s.now().Truncate(time.Millisecond)
	_ = s.store.Update(func(st *State) error {
		st.touch("Runs") // the runs claimed below, if any
		runs := sortedBySeq(st.Runs, func(r *Run) bool { return r.WorkspaceID == wsID && r.ConfigVersionID != "" })
		// A workspace locked by a user holds its queue (speculative plans
		// still run), as TFC does until the lock is released.
		w := st.Workspaces[wsID]
		busy := w != nil && w.Locked
		for _, r := range runs {
			switch r.Status {
			case RunPlanning, RunPlanned, RunConfirmed, RunApplying:
				busy = busy || !r.PlanOnly
			}
			if r.Status == RunConfirmed {
				st.touch("Runs", r.ID)
				r.Status, r.Timestamps["applying-at"] = RunApplying, now
				r.Apply.Status, r.Apply.Timestamps["started-at"] = "running", now
				claims = append(claims, RunClaim{RunID: r.ID, Phase: "apply"})
			}
		}
		for _, r := range runs {
			if r.Status != RunPending || (!r.PlanOnly && busy) {
				continue
			}
			busy = busy || !r.PlanOnly
			st.touch("Runs", r.ID)
			r.Status, r.Timestamps["planning-at"] = RunPlanning, now
			r.Plan.Status, r.Plan.Timestamps["started-at"] = "running", now
			claims = append(claims, RunClaim{RunID: r.ID, Phase: "plan"})
		}
		return nil
	})
	return claims
}

// RunJob is what the executor needs to execute one phase of a run.
type RunJob struct {
	RunID, Phase, WorkspaceID string
	// Archive is the configuration version's tar.gz.
	Archive []byte
	// State is the workspace's current raw state, nil for none.
	State []byte
	// Variables are the workspace's effective variables (varsets applied).
	Variables []Variable
	// Env is the phase's environment from the EnvironmentBuilder.
	Env        *PhaseEnvironment
	IsDestroy  bool
	Structured bool
	// WorkingDirectory is the workspace's working directory inside the
	// configuration ("" for its root).
	WorkingDirectory string
	// Plan options of the run.
	NoRefresh, RefreshOnly    bool
	TargetAddrs, ReplaceAddrs []string
	RunVariables              []RunVariable
}

// runningPhase finds run runID and its phase, which must be running.
func (st *State) runningPhase(runID, phase string) (*Run, *Phase, error) {
	r, ok := st.Runs[runID]
	if !ok {
		return nil, nil, fmt.Errorf("run %q: %w", runID, ErrNotFound)
	}
	p := r.phase(phase)
	if p.Status != "running" {
		return nil, nil, fmt.Errorf("the %s phase of run %s is %s: %w", phase, runID, p.Status, ErrConflict)
	}
	return r, p, nil
}

// ExecutionJob builds a claimed phase's environment (as startPhase does
// for manual runs) and returns the job; an error means the phase does not
// run (the builder errored it, or the run was canceled meanwhile).
func (s *Service) ExecutionJob(ctx context.Context, runID, phase string) (*RunJob, error) {
	s.startPhase(ctx, runID, phase)
	var job *RunJob
	err := s.store.View(func(st *State) error {
		r, p, err := st.runningPhase(runID, phase)
		if err != nil {
			return err
		}
		cv, ok := st.ConfigVersions[r.ConfigVersionID]
		if !ok || cv.Archive == nil {
			return fmt.Errorf("run %s: configuration version %s has no archive: %w", runID, r.ConfigVersionID, ErrNotFound)
		}
		w := st.Workspaces[r.WorkspaceID]
		job = &RunJob{RunID: r.ID, Phase: phase, WorkspaceID: r.WorkspaceID, Archive: cv.Archive, Env: p.Env,
			IsDestroy: r.IsDestroy, Structured: w.StructuredOutput, WorkingDirectory: w.WorkingDirectory, NoRefresh: r.NoRefresh, RefreshOnly: r.RefreshOnly,
			TargetAddrs: r.TargetAddrs, ReplaceAddrs: r.ReplaceAddrs, RunVariables: r.RunVariables}
		if sv := st.currentStateVersion(r.WorkspaceID); sv != nil {
			job.State = sv.State
		}
		for _, v := range st.EffectiveVariables(w.ID) {
			job.Variables = append(job.Variables, *v)
		}
		return nil
	})
	if err != nil {
		_ = s.FailRunPhase(runID, phase, err.Error())
		s.wake(runID)
		return nil, err
	}
	return job, nil
}

// PhaseResult is how an executed phase ended.
type PhaseResult struct {
	// Err, when set, errors the run with its message.
	Err error
	// Canceled marks a phase stopped by a cancel (nothing changes: the
	// cancel already recorded it) or by the emulator shutting down.
	Canceled bool
	// HasChanges and the counts are the plan's (or apply's) summary.
	HasChanges                                bool
	Additions, Changes, Destructions, Imports int
	// JSONPlan is the redacted JSON plan (plans/:id/json-output).
	JSONPlan []byte
	// State is the state an apply wrote, stored as the workspace's new
	// state version when the apply succeeded.
	State []byte
}

// FinishPhase records how an executed phase ended: a finished plan waits
// for confirmation, ends the run (speculative, or no changes) or is
// confirmed (auto-apply); a finished apply stores the new state version
// and the run is applied; an errored phase errors the run and leaves the
// workspace's state as it was.
func (s *Service) FinishPhase(runID, phase string, res PhaseResult) error {
	now := s.now().Truncate(time.Millisecond)
	err := s.store.Update(func(st *State) error {
		r, p, err := st.runningPhase(runID, phase)
		if err != nil {
			return err
		}
		st.touch("Runs", r.ID)
		p.Counts = PhaseCounts{Additions: res.Additions, Changes: res.Changes, Destructions: res.Destructions, Imports: res.Imports}
		fail := func(status, msg string) {
			if msg != "" {
				p.Log = append(p.Log, "Error: "+msg)
			}
			p.Status, p.Timestamps[status+"-at"] = status, now
			r.Status, r.Timestamps[status+"-at"] = status, now
			if phase == "plan" {
				r.Apply.Status = "unreachable"
			}
		}
		switch {
		case res.Canceled:
			fail(RunCanceled, "")
			return nil
		case res.Err != nil:
			fail(RunErrored, res.Err.Error())
			return nil
		}
		p.Status, p.Timestamps["finished-at"] = "finished", now
		if phase == "apply" {
			if res.State != nil {
				if err := st.storeRunState(r, res.State, now); err != nil {
					p.Status = "errored"
					fail(RunErrored, "Failed to upload state: "+err.Error())
					return nil
				}
			}
			r.Status, r.Timestamps["applied-at"] = RunApplied, now
			return nil
		}
		r.HasChanges, r.JSONPlan = res.HasChanges, res.JSONPlan
		r.Timestamps["planned-at"] = now
		switch {
		case r.PlanOnly || !res.HasChanges:
			r.Status, r.Timestamps["planned-and-finished-at"] = RunPlannedAndFinished, now
			r.Apply.Status = "unreachable"
		case r.AutoApply:
			r.Status, r.Timestamps["confirmed-at"], r.Timestamps["apply-queued-at"] = RunConfirmed, now, now
			r.Apply.Status, r.Apply.Timestamps["queued-at"] = "queued", now
		default:
			r.Status = RunPlanned
		}
		return nil
	})
	s.wake(runID)
	return err
}

// storeRunState makes an apply's state the workspace's current state
// version, created by the run.
func (st *State) storeRunState(r *Run, raw []byte, now time.Time) error {
	var head struct {
		Serial  int64  `json:"serial"`
		Lineage string `json:"lineage"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("the state is not JSON: %v", err)
	}
	if cur := st.currentStateVersion(r.WorkspaceID); cur != nil && cur.Serial > head.Serial {
		return fmt.Errorf("serial %d is older than the current state's %d", head.Serial, cur.Serial)
	}
	sv := &StateVersion{ID: newID("sv"), WorkspaceID: r.WorkspaceID, Status: StateVersionPending, Serial: head.Serial,
		Lineage: head.Lineage, MD5: fmt.Sprintf("%x", md5.Sum(raw)), RunID: r.ID, CreatedBy: r.CreatedBy, CreatedAt: now}
	if err := st.finalize(sv, raw, now); err != nil {
		st.dropSVOutputs(sv)
		return err
	}
	st.discardPending(r.WorkspaceID)
	sv.seq = st.next()
	st.StateVersions[sv.ID] = sv
	st.touch("StateVersions", sv.ID)
	return nil
}

// wake tells the executor that a run's workspace queue may move.
func (s *Service) wake(runID string) {
	if s.executor == nil {
		return
	}
	var ws string
	_ = s.store.View(func(st *State) error {
		if r, ok := st.Runs[runID]; ok {
			ws = r.WorkspaceID
		}
		return nil
	})
	if ws != "" {
		s.executor.Wake(ws)
	}
}

// CancelRunning cancels every executed run that is planning or applying,
// as the emulator shuts down: the runs end canceled, nothing of them
// reaches the workspace state.
func (s *Service) CancelRunning() []string {
	var ids []string
	now := s.now().Truncate(time.Millisecond)
	_ = s.store.Update(func(st *State) error {
		st.touch("Runs") // the runs canceled below, if any
		for _, r := range st.Runs {
			if r.ConfigVersionID == "" || (r.Status != RunPlanning && r.Status != RunApplying) {
				continue
			}
			p := r.phase("plan")
			if r.Status == RunApplying {
				p = r.Apply
			} else {
				r.Apply.Status = "unreachable"
			}
			p.Log = append(p.Log, "Error: the run was canceled because the emulator shut down")
			st.touch("Runs", r.ID)
			p.Status, p.Timestamps["canceled-at"] = "canceled", now
			r.Status, r.Timestamps["canceled-at"] = RunCanceled, now
			ids = append(ids, r.ID)
		}
		return nil
	})
	return ids
}

// runConfigVersion is the configuration version a new run executes: the
// one named, which must be an uploaded one of the workspace, or with an
// executor the workspace's current one when uploaded; nil runs the run
// manually (admin API).
func (st *State) runConfigVersion(w *Workspace, id string, executor bool) (*ConfigurationVersion, error) {
	if id == "" {
		if !executor {
			return nil, nil
		}
		// The newest uploaded configuration that is not speculative.
		list := sortedBySeq(st.ConfigVersions, func(cv *ConfigurationVersion) bool {
			return cv.WorkspaceID == w.ID && cv.Status == ConfigurationUploaded && !cv.Speculative && !cv.Provisional
		})
		if len(list) == 0 {
			return nil, nil
		}
		return list[len(list)-1], nil
	}
	cv, ok := st.ConfigVersions[id]
	if !ok || cv.WorkspaceID != w.ID {
		return nil, invalidAttribute("/data/relationships/configuration-version", "Configuration version not found")
	}
	if cv.Status != ConfigurationUploaded {
		return nil, invalidAttribute("/data/relationships/configuration-version", "Configuration version has not been uploaded yet")
	}
	if !executor {
		return nil, nil
	}
	return cv, nil
}

// queueForExecution puts a new run in its workspace's queue (pending) for
// the executor; a speculative configuration makes a plan-only run.
func (r *Run) queueForExecution(cv *ConfigurationVersion, now time.Time) {
	r.ConfigVersionID = cv.ID
	r.PlanOnly = r.PlanOnly || cv.Speculative
	r.Status = RunPending
	r.Timestamps = map[string]time.Time{"plan-queued-at": now}
	r.Plan.Status = "pending"
	r.Plan.Timestamps = map[string]time.Time{"queued-at": now}
}

// executedAction is apply, discard or cancel of an executed run; cancel
// reports whether a running process is to be stopped.
func (r *Run) executedAction(action string, now time.Time) (stop bool, err error) {
	switch action {
	case "apply":
		if r.Status != RunPlanned {
			return false, errTransition(r, "apply")
		}
		r.Status, r.Timestamps["confirmed-at"], r.Timestamps["apply-queued-at"] = RunConfirmed, now, now
		r.Apply.Status, r.Apply.Timestamps["queued-at"] = "queued", now
	case "discard":
		if r.Status != RunPlanned && r.Status != RunPending {
			return false, errTransition(r, "discard")
		}
		r.Status, r.Timestamps["discarded-at"] = RunDiscarded, now
		if r.Plan.Status == "pending" {
			r.Plan.Status = "unreachable"
		}
		r.Apply.Status = "unreachable"
	default: // cancel, force-cancel
		switch r.Status {
		case RunPending, RunPlanning:
			stop = r.Status == RunPlanning
			r.Plan.Status, r.Plan.Timestamps["canceled-at"] = "canceled", now
			r.Apply.Status = "unreachable"
		case RunConfirmed, RunApplying:
			stop = r.Status == RunApplying
			r.Apply.Status, r.Apply.Timestamps["canceled-at"] = "canceled", now
		default:
			return false, errTransition(r, "cancel")
		}
		r.Status, r.Timestamps["canceled-at"] = RunCanceled, now
	}
	return stop, nil
}

// WakeAll wakes the executor for every workspace with executed runs
// waiting (pending or confirmed), as after loading a state file.
func (s *Service) WakeAll() {
	if s.executor == nil {
		return
	}
	seen := map[string]bool{}
	var wss []string
	_ = s.store.View(func(st *State) error {
		for _, r := range sortedBySeq(st.Runs, func(r *Run) bool {
			return r.ConfigVersionID != "" && (r.Status == RunPending || r.Status == RunConfirmed)
		}) {
			if !seen[r.WorkspaceID] {
				seen[r.WorkspaceID] = true
				wss = append(wss, r.WorkspaceID)
			}
		}
		return nil
	})
	for _, ws := range wss {
		s.executor.Wake(ws)
	}
}

// autoQueue queues a run of a configuration version uploaded with
// auto-queue-runs, as TFC does once the upload is ingested: only when
// runs execute, and once per version. It returns the run's id, or "".
func (s *Service) autoQueue(st *State, cvID string, now time.Time) string {
	cv, ok := st.ConfigVersions[cvID]
	if s.executor == nil || !ok || !cv.AutoQueueRuns || cv.Provisional || cv.Status != ConfigurationUploaded {
		return ""
	}
	for _, r := range st.Runs {
		if r.ConfigVersionID == cv.ID {
			return "" // a second upload to the same URL queues nothing more
		}
	}
	w := st.Workspaces[cv.WorkspaceID]
	msg := "Triggered via API"
	r, err := st.queueRun(w, st.runCreator(principal{kind: "organization", org: w.Org}, w.Org), now, "", runInput{Message: &msg})
	if err != nil {
		return "" // an agent-mode workspace without agents: nothing to queue on
	}
	r.queueForExecution(cv, now)
	return r.ID
}
