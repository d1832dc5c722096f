package tfc

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/identity"
)

// HostedAgentVersion is the agent HCP Terraform runs remote-mode runs on:
// new enough for every workload identity feature.
const HostedAgentVersion = "1.23.0"

// Run statuses the emulator moves runs through.
const (
	RunPlanning           = "planning"
	RunPlanned            = "planned"
	RunPlannedAndFinished = "planned_and_finished"
	RunApplying           = "applying"
	RunApplied            = "applied"
	RunDiscarded          = "discarded"
	RunCanceled           = "canceled"
	RunErrored            = "errored"
)

// Run is a workspace run with its plan and apply phases.
type Run struct {
	ID           string
	WorkspaceID  string
	Status       string
	Message      string
	IsDestroy    bool
	PlanOnly     bool
	AutoApply    bool
	AgentVersion string
	CreatedAt    time.Time
	CreatedBy    Ref
	Timestamps   map[string]time.Time
	Plan         *Phase
	Apply        *Phase
	// ConfigVersionID is the configuration the run executes; runs without
	// one are moved by the admin API only.
	ConfigVersionID string
	// HasChanges and JSONPlan are what an executed plan found.
	HasChanges bool
	JSONPlan   []byte
	// Plan options: -refresh=false, -refresh-only, -target, -replace and
	// the run's own variables (-var), which win over the workspace's.
	NoRefresh    bool
	RefreshOnly  bool
	TargetAddrs  []string
	ReplaceAddrs []string
	RunVariables []RunVariable
	seq          int64
}

func (r *Run) order() int64 { return r.seq }

// Phase is a run's plan or apply.
type Phase struct {
	ID         string
	Name       string // plan or apply
	Status     string // pending, running, finished, errored, canceled, unreachable
	Timestamps map[string]time.Time
	Log        []string
	Env        *PhaseEnvironment
	Counts     PhaseCounts
}

// PhaseEnvironment is what an agent hands to Terraform and hooks for one
// phase: environment variables, files (paths relative to the phase's
// directory), Terraform input variables and the run log lines the agent
// writes while preparing them.
type PhaseEnvironment struct {
	Env                map[string]string `json:"env"`
	FileEnv            []string          `json:"-"`
	Files              map[string]string `json:"files"`
	TerraformVariables map[string]any    `json:"terraform_variables,omitempty"`
	Log                []string          `json:"log"`
}

// PhaseInput is what the environment builder gets for a phase.
type PhaseInput struct {
	RunID        string
	Phase        string
	Organization identity.Named
	Project      identity.Named
	Workspace    identity.Named
	// Variables are the workspace's effective variables (varsets applied).
	Variables     []Variable
	AgentVersion  string
	ExecutionMode string
}

// EnvironmentBuilder computes a phase's environment; an error fails the
// phase with its message, as a failed credential exchange fails a run.
type EnvironmentBuilder interface {
	Build(ctx context.Context, in PhaseInput) (*PhaseEnvironment, error)
}

type runActions struct {
	IsCancelable      bool `json:"is-cancelable"`
	IsConfirmable     bool `json:"is-confirmable"`
	IsDiscardable     bool `json:"is-discardable"`
	IsForceCancelable bool `json:"is-force-cancelable"`
}

type runPermissions struct {
	CanApply          bool `json:"can-apply"`
	CanCancel         bool `json:"can-cancel"`
	CanDiscard        bool `json:"can-discard"`
	CanForceCancel    bool `json:"can-force-cancel"`
	CanForceExecute   bool `json:"can-force-execute"`
	CanComment        bool `json:"can-comment"`
	CanOverridePolicy bool `json:"can-override-policy-check"`
}

type runAttributes struct {
	Actions          runActions        `json:"actions"`
	AutoApply        bool              `json:"auto-apply"`
	CanceledAt       *string           `json:"canceled-at"`
	CreatedAt        string            `json:"created-at"`
	HasChanges       bool              `json:"has-changes"`
	IsDestroy        bool              `json:"is-destroy"`
	Message          string            `json:"message"`
	PlanOnly         bool              `json:"plan-only"`
	Permissions      runPermissions    `json:"permissions"`
	PositionInQueue  int               `json:"position-in-queue"`
	Refresh          bool              `json:"refresh"`
	RefreshOnly      bool              `json:"refresh-only"`
	ReplaceAddrs     []string          `json:"replace-addrs"`
	TargetAddrs      []string          `json:"target-addrs"`
	Variables        []RunVariable     `json:"variables"`
	Source           string            `json:"source"`
	Status           string            `json:"status"`
	StatusTimestamps map[string]string `json:"status-timestamps"`
	TriggerReason    string            `json:"trigger-reason"`
}

func rfc3339Map(m map[string]time.Time) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.UTC().Format(time.RFC3339)
	}
	return out
}

// runResource is the one representation of a run, with what the caller's
// permissions on its workspace let it do to the run.
func runResource(r *Run, perms workspacePerms) Resource {
	manage := perms.canApply
	a := runAttributes{
		Actions: runActions{IsCancelable: r.Status == RunPlanning || r.Status == RunApplying || r.Status == RunPending || r.Status == RunConfirmed, IsConfirmable: r.Status == RunPlanned,
			IsDiscardable: r.Status == RunPlanned || (r.Status == RunPending && r.ConfigVersionID != "")},
		AutoApply: r.AutoApply, CreatedAt: Timestamp(r.CreatedAt), HasChanges: r.HasChanges, IsDestroy: r.IsDestroy, Message: r.Message, PlanOnly: r.PlanOnly,
		Permissions: runPermissions{CanApply: manage, CanCancel: perms.canQueueRun, CanDiscard: manage, CanForceCancel: manage, CanForceExecute: manage, CanComment: true},
		Refresh:     !r.NoRefresh, RefreshOnly: r.RefreshOnly, ReplaceAddrs: r.ReplaceAddrs, TargetAddrs: r.TargetAddrs, Variables: r.RunVariables,
		Source: "tfe-api", Status: r.Status, StatusTimestamps: rfc3339Map(r.Timestamps), TriggerReason: "manual",
	}
	if t, ok := r.Timestamps["canceled-at"]; ok {
		s := Timestamp(t)
		a.CanceledAt = &s
	}
	created := r.CreatedBy
	return Resource{ID: r.ID, Type: "runs", Attributes: a,
		Relationships: map[string]Relationship{
			"workspace":             toOne("workspaces", r.WorkspaceID),
			"plan":                  toOne("plans", r.Plan.ID),
			"apply":                 toOne("applies", r.Apply.ID),
			"created-by":            {Data: &created},
			"configuration-version": toOne("configuration-versions", r.ConfigVersionID),
		},
		Links: map[string]string{"self": "/api/v2/runs/" + r.ID}}
}

type phaseAttributes struct {
	Status               string            `json:"status"`
	StatusTimestamps     map[string]string `json:"status-timestamps"`
	HasChanges           bool              `json:"has-changes,omitempty"`
	ResourceAdditions    int               `json:"resource-additions"`
	ResourceChanges      int               `json:"resource-changes"`
	ResourceDestructions int               `json:"resource-destructions"`
	ResourceImports      int               `json:"resource-imports"`
	LogReadURL           string            `json:"log-read-url"`
}

func phaseResource(r *Run, p *Phase, logURL string) Resource {
	typ := "plans"
	if p.Name == "apply" {
		typ = "applies"
	}
	if logURL == "" {
		logURL = "/_emulator/runs/" + r.ID + "/log?phase=" + p.Name
	}
	return Resource{ID: p.ID, Type: typ,
		Attributes: phaseAttributes{Status: p.Status, StatusTimestamps: rfc3339Map(p.Timestamps), HasChanges: p.Name == "plan" && r.HasChanges,
			ResourceAdditions: p.Counts.Additions, ResourceChanges: p.Counts.Changes, ResourceDestructions: p.Counts.Destructions, ResourceImports: p.Counts.Imports,
			LogReadURL: logURL},
		Links: map[string]string{"self": "/api/v2/" + typ + "/" + p.ID}}
}

type runInput struct {
	Refresh      *bool         `json:"refresh"`
	RefreshOnly  *bool         `json:"refresh-only"`
	TargetAddrs  []string      `json:"target-addrs"`
	ReplaceAddrs []string      `json:"replace-addrs"`
	Variables    []RunVariable `json:"variables"`
	Message      *string       `json:"message"`
	IsDestroy    *bool         `json:"is-destroy"`
	PlanOnly     *bool         `json:"plan-only"`
	AutoApply    *bool         `json:"auto-apply"`
}

// agentVersion is the version of the agent a workspace's runs run on: the
// hosted agent for remote runs, the oldest agent of the pool in agent mode.
func (st *State) agentVersion(w *Workspace) (string, error) {
	mode, pool := st.effectiveExecution(w)
	if mode != "agent" {
		return HostedAgentVersion, nil
	}
	var versions []string
	for _, a := range st.Agents {
		if a.PoolID == pool {
			versions = append(versions, a.Version)
		}
	}
	if len(versions) == 0 {
		return "", invalidAttribute("/data/relationships/workspace", "Workspace "+w.Name+" runs on agent pool "+pool+", which has no agents")
	}
	sort.Slice(versions, func(i, j int) bool { return CompareVersions(versions[i], versions[j]) < 0 })
	return versions[0], nil
}

// createRun queues a run and starts its plan.
func (s *Service) createRun(c *call) (int, any, error) {
	var in runInput
	res, err := decodeResource(c.r, "runs", &in)
	if err != nil {
		return 0, nil, err
	}
	wsID, ok, err := res.relationshipID("workspace")
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		return 0, nil, invalidAttribute("/data/relationships/workspace", "Workspace is required")
	}
	cvID, _, err := res.relationshipID("configuration-version")
	if err != nil {
		return 0, nil, err
	}
	var runID string
	executed := false
	status, body, err := s.update(http.StatusCreated, func(st *State) (any, error) {
		w, ok := st.Workspaces[wsID]
		if !ok || !st.workspacePermissions(c.p, w).canQueueRun {
			return nil, errNotFound
		}
		cv, err := st.runConfigVersion(w, cvID, s.executor != nil)
		if err != nil {
			return nil, err
		}
		r, err := st.queueRun(w, st.runCreator(c.p, w.Org), c.now, "", in)
		if err != nil {
			return nil, err
		}
		if cv != nil {
			r.queueForExecution(cv, c.now)
			executed = true
		}
		runID = r.ID
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	if executed {
		s.wake(runID)
	} else {
		s.startPhase(c.r.Context(), runID, "plan")
	}
	_, body, err = s.view(status, func(st *State) (any, error) {
		r, ok := st.Runs[runID]
		if !ok {
			return nil, errNotFound // its workspace was deleted meanwhile
		}
		return Document{Data: runResource(r, st.workspacePermissions(c.p, st.Workspaces[r.WorkspaceID]))}, nil
	})
	return status, body, err
}

// runCreator is a run's created-by: the user, or for a team or
// organization token the service user TFC shows for it (go-tfe reads
// created-by as a user).
func (st *State) runCreator(p principal, org string) Ref {
	switch p.kind {
	case "user":
		return Ref{ID: p.userID, Type: "users"}
	case "team":
		if t, ok := st.Teams[p.teamID]; ok && t.ServiceUserID != "" {
			return Ref{ID: t.ServiceUserID, Type: "users"}
		}
	default:
		if o, ok := st.Orgs[org]; ok && o.ServiceUserID != "" {
			return Ref{ID: o.ServiceUserID, Type: "users"}
		}
	}
	return creatorRef(p)
}

// queueRun adds a run in its plan phase. An empty agentVersion means the
// version of the agent the workspace runs on.
func (st *State) queueRun(w *Workspace, creator Ref, now time.Time, agentVersion string, in runInput) (*Run, error) {
	version := agentVersion
	if version == "" {
		var err error
		if version, err = st.agentVersion(w); err != nil {
			return nil, err
		}
	}
	r := &Run{ID: newID("run"), WorkspaceID: w.ID, Status: RunPlanning, AutoApply: w.AutoApply, AgentVersion: version,
		CreatedAt: now, CreatedBy: creator, Timestamps: map[string]time.Time{"plan-queued-at": now, "planning-at": now},
		Plan:  &Phase{ID: newID("plan"), Name: "plan", Status: "running", Timestamps: map[string]time.Time{"queued-at": now, "started-at": now}},
		Apply: &Phase{ID: newID("apply"), Name: "apply", Status: "pending", Timestamps: map[string]time.Time{}},
		seq:   st.next()}
	setIf(&r.Message, in.Message)
	setIf(&r.IsDestroy, in.IsDestroy)
	setIf(&r.PlanOnly, in.PlanOnly)
	setIf(&r.AutoApply, in.AutoApply)
	if r.Message == "" {
		r.Message = "Queued manually using the API"
	}
	if err := r.setPlanOptions(in); err != nil {
		return nil, err
	}
	st.Runs[r.ID] = r
	return r, nil
}

// QueueRun queues a run in org/workspace for the admin API, optionally as
// if an agent of agentVersion picked it up, and starts its plan.
func (s *Service) QueueRun(ctx context.Context, org, workspace, agentVersion string) (string, error) {
	if agentVersion != "" && !AgentVersionPattern.MatchString(agentVersion) {
		return "", fmt.Errorf("agent version %q is not MAJOR.MINOR.PATCH: %w", agentVersion, ErrInvalid)
	}
	var id string
	err := s.store.Update(func(st *State) error {
		w, ok := st.workspaceByName(org, workspace)
		if !ok {
			return fmt.Errorf("workspace %q in organization %q: %w", workspace, org, ErrNotFound)
		}
		msg := "Queued by tfcemu agent"
		r, err := st.queueRun(w, st.runCreator(principal{kind: "organization", org: org}, org), s.now().Truncate(time.Millisecond), agentVersion, runInput{Message: &msg})
		if err != nil {
			return fmt.Errorf("%v: %w", err, ErrInvalid)
		}
		id = r.ID
		return nil
	})
	if err != nil {
		return "", err
	}
	s.startPhase(ctx, id, "plan")
	return id, nil
}

// ErrInvalid marks a refused admin request.
var ErrInvalid = fmt.Errorf("invalid")

// startPhase computes a phase's environment outside the store lock (it may
// call Vault, which may call back into TFC) and records it, or fails the
// phase and the run with the builder's message.
func (s *Service) startPhase(ctx context.Context, runID, phase string) {
	var in PhaseInput
	err := s.store.View(func(st *State) error {
		r, ok := st.Runs[runID]
		if !ok {
			return ErrNotFound // deleted with its workspace meanwhile
		}
		w := st.Workspaces[r.WorkspaceID]
		o := st.Orgs[w.Org]
		p := st.Projects[w.ProjectID]
		mode, _ := st.effectiveExecution(w)
		in = PhaseInput{RunID: r.ID, Phase: phase, AgentVersion: r.AgentVersion, ExecutionMode: mode,
			Organization: identity.Named{ID: o.ExternalID, Name: o.Name}, Project: identity.Named{ID: p.ID, Name: p.Name},
			Workspace: identity.Named{ID: w.ID, Name: w.Name}}
		for _, v := range st.EffectiveVariables(w.ID) {
			in.Variables = append(in.Variables, *v)
		}
		return nil
	})
	if err != nil {
		return
	}
	var env *PhaseEnvironment
	var buildErr error
	if s.builder != nil {
		env, buildErr = s.builder.Build(ctx, in)
	}
	now := s.now()
	_ = s.store.Update(func(st *State) error {
		r, ok := st.Runs[runID]
		if !ok {
			return nil
		}
		p := r.phase(phase)
		p.Env = env
		if env != nil {
			p.Log = append(p.Log, env.Log...)
		}
		if buildErr != nil {
			p.Log = append(p.Log, "Error: "+buildErr.Error())
			p.Status, p.Timestamps["errored-at"] = "errored", now
			r.Status, r.Timestamps["errored-at"] = RunErrored, now
			if phase == "plan" {
				r.Apply.Status = "unreachable"
			}
		}
		return nil
	})
}

func (r *Run) phase(name string) *Phase {
	if name == "apply" {
		return r.Apply
	}
	return r.Plan
}

// runFor finds a run p may see.
func (st *State) runFor(p principal, id string) (*Run, *Workspace, error) {
	r, ok := st.Runs[id]
	if !ok {
		return nil, nil, errNotFound
	}
	w := st.Workspaces[r.WorkspaceID]
	if w == nil || !st.workspacePermissions(p, w).canRead {
		return nil, nil, errNotFound
	}
	return r, w, nil
}

func (s *Service) readRun(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		r, w, err := st.runFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		return Document{Data: runResource(r, st.workspacePermissions(c.p, w))}, nil
	})
}

func (s *Service) listRuns(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		w, perms, err := st.workspaceWith(c.p, c.workspaceRef(), nil)
		if err != nil {
			return nil, err
		}
		var all []Resource
		runs := sortedBySeq(st.Runs, func(r *Run) bool { return r.WorkspaceID == w.ID })
		for i := len(runs) - 1; i >= 0; i-- { // newest first, as TFC lists runs
			all = append(all, runResource(runs[i], perms))
		}
		return paginate(c.r, all)
	})
}

func (s *Service) readPhase(name string) handler {
	return func(c *call) (int, any, error) {
		return s.view(http.StatusOK, func(st *State) (any, error) {
			for _, r := range st.Runs {
				if p := r.phase(name); p.ID == c.path("id") {
					if _, _, err := st.runFor(c.p, r.ID); err != nil {
						return nil, err
					}
					return Document{Data: phaseResource(r, p, s.logURL(c.r, p.ID))}, nil
				}
			}
			return nil, errNotFound
		})
	}
}

func errTransition(r *Run, action string) *Error {
	return newError(http.StatusConflict, "conflict", fmt.Sprintf("transition not allowed: cannot %s a run that is %s", action, r.Status))
}

// runAction is POST /runs/:id/actions/{apply,discard,cancel,force-cancel}.
func (s *Service) runAction(action string) handler {
	return func(c *call) (int, any, error) {
		if empty, err := peekEmpty(c.r); err != nil {
			return 0, nil, err
		} else if !empty {
			var body struct {
				Comment *string `json:"comment"`
			}
			raw, _ := readBody(c.r)
			if err := jsonUnmarshalStrict(raw, &body); err != nil {
				return 0, nil, err
			}
		}
		startApply, wake, cancel := false, false, false
		status, body, err := s.update(http.StatusAccepted, func(st *State) (any, error) {
			r, w, err := st.runFor(c.p, c.path("id"))
			if err != nil {
				return nil, err
			}
			// Cancelling takes queueing rights; applying, discarding and
			// forcing take apply rights.
			perms := st.workspacePermissions(c.p, w)
			if allowed := perms.canApply || (action == "cancel" && perms.canQueueRun); !allowed {
				return nil, errNotFound
			}
			now := c.now
			if r.ConfigVersionID != "" && s.executor != nil {
				cancel, err = r.executedAction(action, now)
				wake = err == nil
				return nil, err
			}
			switch action {
			case "apply":
				if r.Status != RunPlanned {
					return nil, errTransition(r, "apply")
				}
				r.Status, r.Timestamps["confirmed-at"], r.Timestamps["applying-at"] = RunApplying, now, now
				r.Apply.Status, r.Apply.Timestamps["queued-at"], r.Apply.Timestamps["started-at"] = "running", now, now
				startApply = true
			case "discard":
				if r.Status != RunPlanned {
					return nil, errTransition(r, "discard")
				}
				r.Status, r.Timestamps["discarded-at"] = RunDiscarded, now
				r.Apply.Status = "unreachable"
			default: // cancel, force-cancel
				if r.Status != RunPlanning && r.Status != RunApplying {
					return nil, errTransition(r, "cancel")
				}
				p := r.Plan
				if r.Status == RunApplying {
					p = r.Apply
				} else {
					r.Apply.Status = "unreachable"
				}
				p.Status, p.Timestamps["canceled-at"] = "canceled", now
				r.Status, r.Timestamps["canceled-at"] = RunCanceled, now
			}
			return nil, nil
		})
		if err == nil && startApply {
			s.startPhase(c.r.Context(), c.path("id"), "apply")
		}
		if cancel {
			s.executor.Cancel(c.path("id"))
		}
		if wake {
			s.wake(c.path("id"))
		}
		return status, body, err
	}
}

// AdvanceRun finishes the run's running phase as Terraform finishing would:
// a finished plan waits for confirmation (planned), ends the run
// (plan-only), or goes on to apply (auto-apply); a finished apply is
// applied. With until set, it keeps going, confirming plans, until the run
// reaches that status or stops.
func (s *Service) AdvanceRun(ctx context.Context, id, until string) (string, error) {
	for i := 0; i < 4; i++ {
		var status string
		startApply := false
		err := s.store.Update(func(st *State) error {
			r, ok := st.Runs[id]
			if !ok {
				return fmt.Errorf("run %q: %w", id, ErrNotFound)
			}
			now := s.now()
			if r.ConfigVersionID != "" && s.executor != nil {
				return fmt.Errorf("run %s is executed by Terraform (--runs=execute) and moves by itself: %w", id, ErrConflict)
			}
			if until != "" && r.Status == until {
				status = r.Status // already there
				return nil
			}
			switch r.Status {
			case RunPlanning:
				r.Plan.Status, r.Plan.Timestamps["finished-at"] = "finished", now
				r.Timestamps["planned-at"] = now
				switch {
				case r.PlanOnly:
					r.Status = RunPlannedAndFinished
					r.Apply.Status = "unreachable"
				case r.AutoApply || (until != "" && until != RunPlanned):
					r.Status, r.Timestamps["applying-at"] = RunApplying, now
					r.Apply.Status, r.Apply.Timestamps["queued-at"], r.Apply.Timestamps["started-at"] = "running", now, now
					startApply = true
				default:
					r.Status = RunPlanned
				}
			case RunPlanned:
				if until == "" || until == RunPlanned {
					return fmt.Errorf("run %s is planned and waits for confirmation: %w", id, ErrConflict)
				}
				r.Status, r.Timestamps["confirmed-at"], r.Timestamps["applying-at"] = RunApplying, now, now
				r.Apply.Status, r.Apply.Timestamps["queued-at"], r.Apply.Timestamps["started-at"] = "running", now, now
				startApply = true
			case RunApplying:
				r.Apply.Status, r.Apply.Timestamps["finished-at"] = "finished", now
				r.Status, r.Timestamps["applied-at"] = RunApplied, now
			default:
				return fmt.Errorf("run %s is %s and has nothing to advance: %w", id, r.Status, ErrConflict)
			}
			status = r.Status
			return nil
		})
		if err != nil {
			return "", err
		}
		if startApply {
			s.startPhase(ctx, id, "apply")
			_ = s.store.View(func(st *State) error {
				if r, ok := st.Runs[id]; ok {
					status = r.Status
				}
				return nil
			})
		}
		if until == "" || status == until || status == RunErrored || status == RunApplied || status == RunPlannedAndFinished {
			return status, nil
		}
	}
	return "", fmt.Errorf("run %s did not reach %s", id, until)
}

// ErrConflict is returned when a run cannot move as asked.
var ErrConflict = fmt.Errorf("conflict")

// RunView is a run's state for the admin API and the agent CLI.
type RunView struct {
	ID           string            `json:"id"`
	Status       string            `json:"status"`
	Workspace    string            `json:"workspace"`
	AgentVersion string            `json:"agent_version"`
	Phases       map[string]string `json:"phases"`
}

// PhaseEnvironmentOf returns a run phase's environment and log.
func (s *Service) PhaseEnvironmentOf(id, phase string) (RunView, *PhaseEnvironment, []string, error) {
	var view RunView
	var env *PhaseEnvironment
	var log []string
	err := s.store.View(func(st *State) error {
		r, ok := st.Runs[id]
		if !ok {
			return fmt.Errorf("run %q: %w", id, ErrNotFound)
		}
		w := st.Workspaces[r.WorkspaceID]
		view = RunView{ID: r.ID, Status: r.Status, AgentVersion: r.AgentVersion,
			Phases: map[string]string{"plan": r.Plan.Status, "apply": r.Apply.Status}}
		if w != nil {
			view.Workspace = w.Org + "/" + w.Name
		}
		p := r.phase(phase)
		env, log = p.Env, append([]string(nil), p.Log...)
		return nil
	})
	return view, env, log, err
}

// AppendRunLog adds lines to a phase's log, as hook output lands there.
func (s *Service) AppendRunLog(id, phase string, lines []string) error {
	return s.store.Update(func(st *State) error {
		r, ok := st.Runs[id]
		if !ok {
			return fmt.Errorf("run %q: %w", id, ErrNotFound)
		}
		p := r.phase(phase)
		p.Log = append(p.Log, lines...)
		return nil
	})
}

// FailRunPhase marks a running phase errored (a hook failed or timed out).
func (s *Service) FailRunPhase(id, phase, message string) error {
	return s.store.Update(func(st *State) error {
		r, ok := st.Runs[id]
		if !ok {
			return fmt.Errorf("run %q: %w", id, ErrNotFound)
		}
		p, now := r.phase(phase), s.now()
		if p.Status != "running" {
			return fmt.Errorf("the %s phase of run %s is %s, not running: %w", phase, id, p.Status, ErrConflict)
		}
		p.Log = append(p.Log, "Error: "+message)
		p.Status, p.Timestamps["errored-at"] = "errored", now
		r.Status, r.Timestamps["errored-at"] = RunErrored, now
		if phase == "plan" {
			r.Apply.Status = "unreachable"
		}
		return nil
	})
}

func runLogText(lines []string) string { return strings.Join(lines, "\n") }
