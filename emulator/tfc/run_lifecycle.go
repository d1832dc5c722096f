package tfc

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tfcemu/tfcemu/emulator/identity"
)

// The run state machine: queueing, phases starting and failing, the run
// actions (apply, discard, cancel), the admin API's advance, and the run
// log.

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
	st.touch("Runs", r.ID)
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
		st.touch("Runs", r.ID)
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
			r, perms, err := st.runFor(c.p, c.path("id"))
			if err != nil {
				return nil, err
			}
			// Cancelling takes queueing rights; applying, discarding and
			// forcing take apply rights.
			if allowed := perms.canApply || (action == "cancel" && perms.canQueueRun); !allowed {
				return nil, errNotFound
			}
			st.touch("Runs", r.ID)
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
			st.touch("Runs", r.ID)
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
		st.touch("Runs", r.ID)
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
		st.touch("Runs", r.ID)
		p.Log = append(p.Log, "Error: "+message)
		p.Status, p.Timestamps["errored-at"] = "errored", now
		r.Status, r.Timestamps["errored-at"] = RunErrored, now
		if phase == "plan" {
			r.Apply.Status = "unreachable"
		}
		return nil
	})
}
