package tfc

import (
	"context"
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

func (r *Run) phase(name string) *Phase {
	if name == "apply" {
		return r.Apply
	}
	return r.Plan
}
