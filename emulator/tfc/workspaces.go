package tfc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
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
var terraformVersion = regexp.MustCompile(`^(latest|[~><=!\s]*\d+(\.\d+){0,2}(-[0-9A-Za-z.]+)?([\s,]*[~><=!]+\s*\d+(\.\d+){0,2})*)$`)

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

// effectiveExecution is a workspace's execution mode and agent pool: its
// own when set, else its project's, else its organization's defaults.
func (st *State) effectiveExecution(w *Workspace) (string, string) {
	if w.ExecutionModeSet {
		return w.ExecutionMode, w.AgentPoolID
	}
	if p, ok := st.Projects[w.ProjectID]; ok && p.ExecutionMode != "" {
		return p.ExecutionMode, p.AgentPoolID
	}
	o := st.Orgs[w.Org]
	return o.DefaultExecutionMode, o.DefaultAgentPoolID
}

func (st *State) workspaceVarIDs(wsID string) []string {
	var ids []string
	for _, v := range sortedBySeq(st.Vars, func(v *Variable) bool { return v.WorkspaceID == wsID }) {
		ids = append(ids, v.ID)
	}
	return ids
}

func (st *State) workspaceByName(org, name string) (*Workspace, bool) {
	for _, w := range st.Workspaces {
		if w.Org == org && w.Name == name {
			return w, true
		}
	}
	return nil, false
}

// checkWorkspacePool refuses an agent pool that is not the organization's,
// or one given outside agent execution mode.
func (st *State) checkWorkspacePool(org string, in *workspaceInput) error {
	if in.AgentPoolID == nil || *in.AgentPoolID == "" {
		return nil
	}
	mode := "agent"
	if in.ExecutionMode != nil {
		mode = *in.ExecutionMode
	}
	_, _, err := st.executionSettings(org, &mode, in.AgentPoolID, "", "", "/data/attributes/agent-pool-id")
	return err
}

// workspaceFor finds a workspace by id (path {id}) or by organization and
// name (path {org} and {name}), visible to p.
func (st *State) workspaceFor(p principal, ref wsRef) (*Workspace, error) {
	w, _, err := st.workspaceWith(p, ref, nil)
	return w, err
}

// writableWorkspace is workspaceFor for a change to the workspace's
// settings: a caller who may read the workspace but not administer it
// gets the same 404.
func (st *State) writableWorkspace(p principal, ref wsRef) (*Workspace, error) {
	w, _, err := st.workspaceWith(p, ref, needUpdate)
	return w, err
}

// projectRelationship reads the optional project relationship of a
// workspace request and checks it belongs to org.
func (st *State) projectRelationship(res *requestResource, org string) (string, error) {
	id, ok, err := res.relationshipID("project")
	if err != nil || !ok {
		return "", err
	}
	if p, found := st.Projects[id]; !found || p.Org != org {
		return "", invalidAttribute("/data/relationships/project/data/id", fmt.Sprintf("Project %q was not found in organization %s", id, org))
	}
	return id, nil
}

func (s *Service) listWorkspaces(c *call) (int, any, error) {
	q := c.r.URL.Query()
	search, projectID := strings.ToLower(q.Get("search[name]")), q.Get("filter[project][id]")
	tags, withEffective := taggedFilter(c), includesEffectiveTags(c)
	wantTags, excludeTags := tagSearch(c)
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		a := st.accessIn(c.p, o.Name)
		var all []Resource
		included := map[string][]Resource{}
		for _, w := range sortedBySeq(st.Workspaces, func(w *Workspace) bool { return w.Org == o.Name }) {
			perms := a.workspace(w)
			if !perms.canRead {
				continue
			}
			effective := st.effectiveTagBindings(w)
			if (search == "" || strings.Contains(strings.ToLower(w.Name), search)) && (projectID == "" || w.ProjectID == projectID) &&
				tags.match(effective) && matchTags(w.TagNames, wantTags, excludeTags) {
				all = append(all, st.workspaceResourceWith(w, perms))
				included[w.ID] = effective
			}
		}
		return paginateIncluding(c.r, all, included, withEffective)
	})
}

func (s *Service) createWorkspace(c *call) (int, any, error) {
	var in workspaceInput
	res, bindings, _, err := decodeTagged(c, "workspaces", &in, true)
	if err != nil {
		return 0, nil, err
	}
	const tagsPointer = "/data/relationships/tags/data"
	tagRefs, err := tagRefsFrom(res.Relationships["tags"].Data, tagsPointer)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		projectID, err := st.projectRelationship(res, o.Name)
		if err != nil {
			return nil, err
		}
		if projectID == "" {
			projectID = o.DefaultProjectID
		}
		// Creating needs manage-workspaces, or create on the project.
		if !st.accessIn(c.p, o.Name).project(st.Projects[projectID]).canCreateWorkspaces {
			return nil, errNotFound
		}
		if _, taken := st.workspaceByName(o.Name, *in.Name); taken {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		if err := st.checkWorkspacePool(o.Name, &in); err != nil {
			return nil, err
		}
		names, err := o.resolveTags(tagRefs, tagsPointer, true, c.now)
		if err != nil {
			return nil, err
		}
		w := newWorkspace(st, o.Name, *in.Name, projectID, c.now)
		in.apply(w)
		for _, n := range names {
			if !slices.Contains(w.TagNames, n) {
				w.TagNames = append(w.TagNames, n)
			}
		}
		w.TagBindings = bindings
		return Document{Data: st.workspaceResource(w, c.p)}, nil
	})
}

func (s *Service) readWorkspace(c *call) (int, any, error) {
	withEffective := includesEffectiveTags(c)
	return s.view(http.StatusOK, func(st *State) (any, error) {
		w, err := st.workspaceFor(c.p, c.workspaceRef())
		if err != nil {
			return nil, err
		}
		doc := Document{Data: st.workspaceResource(w, c.p)}
		if withEffective {
			doc.Included = st.effectiveTagBindings(w)
		}
		return doc, nil
	})
}

func (s *Service) updateWorkspace(c *call) (int, any, error) {
	var in workspaceInput
	res, bindings, tagsSent, err := decodeTagged(c, "workspaces", &in, false)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		w, err := st.writableWorkspace(c.p, c.workspaceRef())
		if err != nil {
			return nil, err
		}
		projectID, err := st.projectRelationship(res, w.Org)
		if err != nil {
			return nil, err
		}
		if projectID != "" && projectID != w.ProjectID && !st.canMoveWorkspace(c.p, w, projectID) {
			return nil, errNotFound
		}
		if in.Name != nil && *in.Name != w.Name {
			if _, taken := st.workspaceByName(w.Org, *in.Name); taken {
				return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
			}
		}
		if err := st.checkWorkspacePool(w.Org, &in); err != nil {
			return nil, err
		}
		in.apply(w)
		if projectID != "" {
			w.ProjectID = projectID
		}
		if tagsSent {
			w.TagBindings = bindings
		}
		w.UpdatedAt = c.now
		return Document{Data: st.workspaceResource(w, c.p)}, nil
	})
}

// includesEffectiveTags reports whether a workspace read or list asks for
// include=effective_tag_bindings. Other includes are accepted and ignored,
// as before.
func includesEffectiveTags(c *call) bool {
	for _, v := range strings.Split(c.r.URL.Query().Get("include"), ",") {
		if v == "effective_tag_bindings" {
			return true
		}
	}
	return false
}

func (s *Service) deleteWorkspace(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		w, _, err := st.workspaceWith(c.p, c.workspaceRef(), needDelete)
		if err != nil {
			return nil, err
		}
		st.remove("Workspaces", w.ID)
		return nil, nil
	})
}

func lockedBy(w *Workspace) Relationship {
	if w.LockedBy == nil {
		return Relationship{Data: nil}
	}
	ref := *w.LockedBy
	return Relationship{Data: &ref}
}

// lockAction is POST /workspaces/:id/actions/{lock,unlock,force-unlock}:
// 409s carry the wording go-tfe maps to ErrWorkspaceLocked and friends.
func (s *Service) lockAction(action string) handler {
	return func(c *call) (int, any, error) {
		if empty, err := peekEmpty(c.r); err != nil {
			return 0, nil, err
		} else if !empty {
			var body struct {
				Data *struct {
					Attributes struct {
						Reason *string `json:"reason"`
					} `json:"attributes"`
				} `json:"data"`
			}
			raw, _ := readBody(c.r)
			if err := jsonUnmarshalStrict(raw, &body); err != nil {
				return 0, nil, err
			}
		}
		return s.update(http.StatusOK, func(st *State) (any, error) {
			need := needLock
			if action == "force-unlock" {
				need = needForceUnlock
			}
			w, _, err := st.workspaceWith(c.p, c.workspaceRef(), need)
			if err != nil {
				return nil, err
			}
			me := creatorRef(c.p)
			switch action {
			case "lock":
				if w.Locked {
					return nil, errConflict("Unable to lock workspace. The workspace is already locked.")
				}
				w.Locked, w.LockedBy = true, &me
			case "unlock":
				switch {
				case !w.Locked:
					return nil, errConflict("Unable to unlock workspace. The workspace is not locked.")
				case *w.LockedBy != me:
					return nil, errConflict("Unable to unlock workspace. The workspace is locked by " + lockerKind(w.LockedBy.Type) + " " + w.LockedBy.ID + ".")
				case st.hasPendingState(w.ID):
					return nil, errStatePending
				}
				w.Locked, w.LockedBy = false, nil
			default: // force-unlock
				if !w.Locked {
					return nil, errConflict("Unable to unlock workspace. The workspace is not locked.")
				}
				w.Locked, w.LockedBy = false, nil
			}
			return Document{Data: st.workspaceResource(w, c.p)}, nil
		})
	}
}

func lockerKind(typ string) string {
	switch typ {
	case "runs":
		return "Run"
	case "teams":
		return "Team"
	}
	return "User"
}
