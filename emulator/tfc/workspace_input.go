package tfc

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// workspaceInput is the attributes a workspace create or update may send.
type workspaceInput struct {
	Name               *string         `json:"name"`
	Description        *string         `json:"description"`
	ExecutionMode      *string         `json:"execution-mode"`
	AgentPoolID        *string         `json:"agent-pool-id"`
	AutoApply          *bool           `json:"auto-apply"`
	TerraformVersion   *string         `json:"terraform-version"`
	WorkingDirectory   *string         `json:"working-directory"`
	AllowDestroyPlan   *bool           `json:"allow-destroy-plan"`
	FileTriggers       *bool           `json:"file-triggers-enabled"`
	QueueAllRuns       *bool           `json:"queue-all-runs"`
	SpeculativeEnabled *bool           `json:"speculative-enabled"`
	GlobalRemoteState  *bool           `json:"global-remote-state"`
	ProjectRemoteState *bool           `json:"project-remote-state"`
	AutoApplyTrigger   *bool           `json:"auto-apply-run-trigger"`
	AutoDestroyAt      json.RawMessage `json:"auto-destroy-at"` // raw: null clears
	SourceName         *string         `json:"source-name"`
	SourceURL          *string         `json:"source-url"`
	TriggerPrefixes    []string        `json:"trigger-prefixes"`
	TriggerPatterns    []string        `json:"trigger-patterns"`
	Operations         *bool           `json:"operations"`
	Assessments        *bool           `json:"assessments-enabled"`
	StructuredOutput   *bool           `json:"structured-run-output-enabled"`
	// SettingOverwrites false for execution-mode (or agent-pool) drops the
	// workspace's own execution mode and agent pool, so it inherits its
	// project's or organization's.
	SettingOverwrites *struct {
		ExecutionMode *bool `json:"execution-mode"`
		AgentPool     *bool `json:"agent-pool"`
	} `json:"setting-overwrites"`
	// AutoDestroy is raw so that null (clear) and absent (keep) differ.
	AutoDestroy         json.RawMessage `json:"auto-destroy-activity-duration"`
	InheritsAutoDestroy *bool           `json:"inherits-project-auto-destroy"`
	autoDestroyAt       *time.Time
	autoDestroy         *string
}

// terraformVersion is "latest", a version, or a version constraint.
var terraformVersion = lazyre.New(`^(latest|[~><=!\s]*\d+(\.\d+){0,2}(-[0-9A-Za-z.]+)?([\s,]*[~><=!]+\s*\d+(\.\d+){0,2})*)$`)

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (in *workspaceInput) validate(create bool) error {
	if in.ExecutionMode == nil && in.Operations != nil {
		// operations is the deprecated form of execution-mode: false is
		// local, true remote. An execution mode sent with it wins.
		mode := "local"
		if *in.Operations {
			mode = "remote"
		}
		in.ExecutionMode = &mode
	}
	var errs Errors
	if create || in.Name != nil {
		switch {
		case in.Name == nil || *in.Name == "":
			errs = append(errs, invalidAttribute("/data/attributes/name", "Name can't be blank"))
		case !namePattern.MatchString(*in.Name) || len(*in.Name) > 90:
			errs = append(errs, invalidAttribute("/data/attributes/name", "Name may only contain letters, numbers, - and _, and must be at most 90 characters"))
		}
	}
	if v := in.ExecutionMode; v != nil && *v != "remote" && *v != "local" && *v != "agent" {
		errs = append(errs, invalidAttribute("/data/attributes/execution-mode", fmt.Sprintf("Execution mode %q is not one of remote, local, agent", *v)))
	}
	if in.ExecutionMode != nil && *in.ExecutionMode == "agent" && (in.AgentPoolID == nil || *in.AgentPoolID == "") {
		errs = append(errs, invalidAttribute("/data/attributes/agent-pool-id", "Agent pool must be present when execution mode is agent"))
	}
	if v := in.TerraformVersion; v != nil && !terraformVersion.MatchString(*v) {
		errs = append(errs, invalidAttribute("/data/attributes/terraform-version", fmt.Sprintf("Terraform version %q is not a version, a version constraint or latest", *v)))
	}
	if raw := in.AutoDestroyAt; len(raw) > 0 && string(raw) != "null" && string(raw) != `""` {
		var v string
		t, err := time.Time{}, json.Unmarshal(raw, &v)
		if err == nil {
			t, err = time.Parse(time.RFC3339, v)
		}
		if err != nil {
			errs = append(errs, invalidAttribute("/data/attributes/auto-destroy-at", "Auto destroy at is not an ISO 8601 time"))
		}
		t = t.UTC()
		in.autoDestroyAt = &t
	}
	if d, err := parseAutoDestroyDuration(in.AutoDestroy); err != nil {
		errs = append(errs, err.(*Error))
	} else {
		in.autoDestroy = d
	}
	if so := in.SettingOverwrites; so != nil && overwritesDisagree(so.ExecutionMode, so.AgentPool) {
		errs = append(errs, errOverwritesDisagree())
	}
	if len(in.TriggerPrefixes) > 0 && len(in.TriggerPatterns) > 0 {
		errs = append(errs, invalidAttribute("/data/attributes/trigger-patterns", "Trigger patterns and trigger prefixes cannot both be set"))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (in *workspaceInput) apply(w *Workspace) {
	setIf(&w.AutoApplyTrigger, in.AutoApplyTrigger)
	if len(in.AutoDestroyAt) > 0 { // null or "" clears it
		w.AutoDestroyAt = in.autoDestroyAt
	}
	setIf(&w.SourceName, in.SourceName)
	setIf(&w.SourceURL, in.SourceURL)
	if in.TriggerPrefixes != nil {
		w.TriggerPrefixes, w.TriggerPatterns = in.TriggerPrefixes, nil
	}
	if in.TriggerPatterns != nil {
		w.TriggerPatterns, w.TriggerPrefixes = in.TriggerPatterns, nil
	}
	setIf(&w.Assessments, in.Assessments)
	setIf(&w.StructuredOutput, in.StructuredOutput)
	setIf(&w.Name, in.Name)
	setIf(&w.Description, in.Description)
	if in.ExecutionMode != nil {
		w.ExecutionMode, w.ExecutionModeSet = *in.ExecutionMode, true
		if *in.ExecutionMode != "agent" {
			w.AgentPoolID = ""
		}
	}
	setIf(&w.AgentPoolID, in.AgentPoolID)
	if in.inherits() {
		w.ExecutionMode, w.ExecutionModeSet, w.AgentPoolID = "", false, ""
	}
	setIf(&w.AutoApply, in.AutoApply)
	setIf(&w.TerraformVersion, in.TerraformVersion)
	setIf(&w.WorkingDirectory, in.WorkingDirectory)
	setIf(&w.AllowDestroyPlan, in.AllowDestroyPlan)
	setIf(&w.FileTriggers, in.FileTriggers)
	setIf(&w.QueueAllRuns, in.QueueAllRuns)
	setIf(&w.SpeculativeEnabled, in.SpeculativeEnabled)
	setIf(&w.GlobalRemoteState, in.GlobalRemoteState)
	setIf(&w.ProjectRemoteState, in.ProjectRemoteState)
	in.applyAutoDestroy(w)
}

// overwritesDisagree reports setting-overwrites that send both flags with
// different values: execution mode and agent pool are inherited together.
func overwritesDisagree(executionMode, agentPool *bool) bool {
	return executionMode != nil && agentPool != nil && *executionMode != *agentPool
}

// inherits reports whether the request gives up the workspace's own
// execution settings: setting-overwrites execution-mode false, or
// agent-pool false without execution-mode (the two are set together).
func (in *workspaceInput) inherits() bool {
	o := in.SettingOverwrites
	if o == nil {
		return false
	}
	return (o.ExecutionMode != nil && !*o.ExecutionMode) || (o.ExecutionMode == nil && o.AgentPool != nil && !*o.AgentPool)
}

// applyAutoDestroy sets a workspace's own auto-destroy activity duration.
// A duration of its own stops the project's from applying; inheriting
// again (inherits-project-auto-destroy true) drops it.
func (in *workspaceInput) applyAutoDestroy(w *Workspace) {
	if len(in.AutoDestroy) > 0 {
		w.AutoDestroyActivityDuration = ""
		if in.autoDestroy != nil {
			w.AutoDestroyActivityDuration, w.OwnAutoDestroy = *in.autoDestroy, true
		}
	}
	if in.InheritsAutoDestroy != nil {
		w.OwnAutoDestroy = !*in.InheritsAutoDestroy
		if *in.InheritsAutoDestroy {
			w.AutoDestroyActivityDuration = ""
		}
	}
}
