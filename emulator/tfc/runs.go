package tfc

import (
	"net/http"
	"sort"
	"time"
)

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
	wsID, err := res.requiredRelationshipID("workspace", "Workspace")
	if err != nil {
		return 0, nil, err
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

// runFor finds a run p may see, with p's permissions on its workspace.
func (st *State) runFor(p principal, id string) (*Run, workspacePerms, error) {
	r, ok := st.Runs[id]
	if !ok {
		return nil, workspacePerms{}, errNotFound
	}
	w := st.Workspaces[r.WorkspaceID]
	if w == nil {
		return nil, workspacePerms{}, errNotFound
	}
	perms := st.workspacePermissions(p, w)
	if !perms.canRead {
		return nil, workspacePerms{}, errNotFound
	}
	return r, perms, nil
}

func (s *Service) readRun(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		r, perms, err := st.runFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		return Document{Data: runResource(r, perms), Included: s.runIncluded(st, c.r, r, perms)}, nil
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
			r, p := st.runOfPhase(c.path("id"))
			if p == nil || p != r.phase(name) {
				return nil, errNotFound
			}
			if _, _, err := st.runFor(c.p, r.ID); err != nil {
				return nil, err
			}
			return Document{Data: phaseResource(r, p, s.logURL(c.r, p.ID))}, nil
		})
	}
}
