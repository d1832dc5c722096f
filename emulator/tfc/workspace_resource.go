package tfc

import (
	"fmt"
)

type wsActions struct {
	IsDestroyable bool `json:"is-destroyable"`
}

type wsPermissions struct {
	CanDestroy           bool `json:"can-destroy"`
	CanForceUnlock       bool `json:"can-force-unlock"`
	CanLock              bool `json:"can-lock"`
	CanManageRunTasks    bool `json:"can-manage-run-tasks"`
	CanQueueApply        bool `json:"can-queue-apply"`
	CanQueueDestroy      bool `json:"can-queue-destroy"`
	CanQueueRun          bool `json:"can-queue-run"`
	CanReadSettings      bool `json:"can-read-settings"`
	CanReadStateVersions bool `json:"can-read-state-versions"`
	CanReadVariable      bool `json:"can-read-variable"`
	CanUnlock            bool `json:"can-unlock"`
	CanUpdate            bool `json:"can-update"`
	CanUpdateVariable    bool `json:"can-update-variable"`
	CanForceDelete       bool `json:"can-force-delete"`
	// What team access added: state outputs and uploads, tags, health.
	CanReadStateOutputs      bool `json:"can-read-state-outputs"`
	CanCreateStateVersions   bool `json:"can-create-state-versions"`
	CanManageTags            bool `json:"can-manage-tags"`
	CanManageAssessments     bool `json:"can-manage-assessments"`
	CanReadAssessmentResults bool `json:"can-read-assessment-results"`
}

type wsSettingOverwrites struct {
	ExecutionMode bool `json:"execution-mode"`
	AgentPool     bool `json:"agent-pool"`
}

type wsAttributes struct {
	Actions                    wsActions           `json:"actions"`
	AllowDestroyPlan           bool                `json:"allow-destroy-plan"`
	AssessmentsEnabled         bool                `json:"assessments-enabled"`
	AutoApply                  bool                `json:"auto-apply"`
	AutoApplyRunTrigger        bool                `json:"auto-apply-run-trigger"`
	AutoDestroyAt              *string             `json:"auto-destroy-at"`
	AutoDestroyActivity        *string             `json:"auto-destroy-activity-duration"`
	CanQueueDestroyPlan        bool                `json:"can-queue-destroy-plan"`
	CreatedAt                  string              `json:"created-at"`
	Description                string              `json:"description"`
	Environment                string              `json:"environment"`
	ExecutionMode              string              `json:"execution-mode"`
	FileTriggersEnabled        bool                `json:"file-triggers-enabled"`
	GlobalRemoteState          bool                `json:"global-remote-state"`
	ProjectRemoteState         bool                `json:"project-remote-state"`
	InheritsProjectAutoDestroy bool                `json:"inherits-project-auto-destroy"`
	Locked                     bool                `json:"locked"`
	Name                       string              `json:"name"`
	Operations                 bool                `json:"operations"`
	Permissions                wsPermissions       `json:"permissions"`
	QueueAllRuns               bool                `json:"queue-all-runs"`
	SpeculativeEnabled         bool                `json:"speculative-enabled"`
	Source                     string              `json:"source"`
	SourceName                 *string             `json:"source-name"`
	SourceURL                  *string             `json:"source-url"`
	StructuredRunOutput        bool                `json:"structured-run-output-enabled"`
	TerraformVersion           string              `json:"terraform-version"`
	TriggerPrefixes            []string            `json:"trigger-prefixes"`
	TriggerPatterns            []string            `json:"trigger-patterns"`
	VCSRepo                    *struct{}           `json:"vcs-repo"`
	WorkingDirectory           string              `json:"working-directory"`
	UpdatedAt                  string              `json:"updated-at"`
	ResourceCount              int                 `json:"resource-count"`
	ApplyDurationAverage       *int                `json:"apply-duration-average"`
	PlanDurationAverage        *int                `json:"plan-duration-average"`
	PolicyCheckFailures        *int                `json:"policy-check-failures"`
	RunFailures                *int                `json:"run-failures"`
	RunsCount                  int                 `json:"workspace-kpis-runs-count"`
	TagNames                   []string            `json:"tag-names"`
	SettingOverwrites          wsSettingOverwrites `json:"setting-overwrites"`
}

// workspaceResource is the one representation of a workspace, with the
// caller's permissions on it.
func (st *State) workspaceResource(w *Workspace, p principal) Resource {
	return st.workspaceResourceWith(w, st.workspacePermissions(p, w))
}

// workspaceResourceWith is workspaceResource for permissions already
// worked out (a list works them out once for all its workspaces).
func (st *State) workspaceResourceWith(w *Workspace, perms workspacePerms) Resource {
	mode, pool := st.effectiveExecution(w)
	// operations is the deprecated twin of execution-mode.
	operations := mode != "local"
	self := fmt.Sprintf("/api/v2/organizations/%s/workspaces/%s", w.Org, w.Name)
	return Resource{
		ID:   w.ID,
		Type: "workspaces",
		Attributes: wsAttributes{
			Actions: wsActions{IsDestroyable: perms.canDelete}, AllowDestroyPlan: w.AllowDestroyPlan, AutoApply: w.AutoApply,
			CanQueueDestroyPlan: perms.canApply && w.AllowDestroyPlan, CreatedAt: Timestamp(w.CreatedAt), Description: w.Description,
			Environment: "default", ExecutionMode: mode, FileTriggersEnabled: w.FileTriggers, GlobalRemoteState: w.GlobalRemoteState,
			ProjectRemoteState: w.ProjectRemoteState, ResourceCount: st.workspaceResourceCount(w.ID),
			Locked: w.Locked, Name: w.Name, Operations: operations,
			AutoApplyRunTrigger: w.AutoApplyTrigger, AutoDestroyAt: timestampPtr(w.AutoDestroyAt),
			Source: "tfe-api", SourceName: nonEmpty(w.SourceName), SourceURL: nonEmpty(w.SourceURL), AssessmentsEnabled: w.Assessments,
			Permissions:  perms.attribute(),
			QueueAllRuns: w.QueueAllRuns, SpeculativeEnabled: w.SpeculativeEnabled, StructuredRunOutput: w.StructuredOutput,
			TerraformVersion: w.TerraformVersion, TriggerPrefixes: orEmpty(w.TriggerPrefixes), TriggerPatterns: orEmpty(w.TriggerPatterns),
			WorkingDirectory: w.WorkingDirectory, UpdatedAt: Timestamp(w.UpdatedAt), TagNames: append([]string{}, w.TagNames...),
			SettingOverwrites:          wsSettingOverwrites{ExecutionMode: w.ExecutionModeSet, AgentPool: w.ExecutionModeSet},
			InheritsProjectAutoDestroy: !w.OwnAutoDestroy, AutoDestroyActivity: st.autoDestroyDuration(w),
		},
		Relationships: map[string]Relationship{
			"organization":                  toOne("organizations", w.Org),
			"project":                       toOne("projects", w.ProjectID),
			"agent-pool":                    toOne("agent-pools", pool),
			"current-run":                   toOne("runs", ""),
			"current-state-version":         toOne("state-versions", st.CurrentStateVersions[w.ID]),
			"current-configuration-version": toOne("configuration-versions", st.currentConfigVersionID(w.ID)),
			"outputs":                       toMany("workspace-outputs", st.workspaceOutputIDs(w.ID)),
			"vars":                          {Data: toMany("vars", st.workspaceVarIDs(w.ID)).Data, Links: map[string]string{"related": "/api/v2/workspaces/" + w.ID + "/vars"}},
			"locked-by":                     lockedBy(w),
			"tag-bindings": {Data: toMany("tag-bindings", tagBindingIDs(w.TagBindings)).Data,
				Links: map[string]string{"related": "/api/v2/workspaces/" + w.ID + "/tag-bindings"}},
			"effective-tag-bindings": {Data: toMany("effective-tag-bindings", effectiveIDs(st.effectiveTagBindings(w))).Data,
				Links: map[string]string{"related": "/api/v2/workspaces/" + w.ID + "/effective-tag-bindings"}},
		},
		Links: map[string]string{"self": self, "self-html": fmt.Sprintf("/app/%s/workspaces/%s", w.Org, w.Name)},
	}
}

// autoDestroyDuration is a workspace's auto-destroy activity duration: its
// own, or the one it inherits from its project.
func (st *State) autoDestroyDuration(w *Workspace) *string {
	if w.OwnAutoDestroy {
		return nonEmpty(w.AutoDestroyActivityDuration)
	}
	if p := st.Projects[w.ProjectID]; p != nil {
		return nonEmpty(p.AutoDestroyActivityDuration)
	}
	return nil
}
