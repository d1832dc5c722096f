package tfc

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// namePattern is what TFC allows in organization and workspace names.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

type orgPermissions struct {
	CanCreateTeam               bool `json:"can-create-team"`
	CanCreateWorkspace          bool `json:"can-create-workspace"`
	CanCreateWorkspaceMigration bool `json:"can-create-workspace-migration"`
	CanDeployNoCodeModules      bool `json:"can-deploy-no-code-modules"`
	CanDestroy                  bool `json:"can-destroy"`
	CanManageAuditing           bool `json:"can-manage-auditing"`
	CanManageNoCodeModules      bool `json:"can-manage-no-code-modules"`
	CanManageRunTasks           bool `json:"can-manage-run-tasks"`
	CanTraverse                 bool `json:"can-traverse"`
	CanUpdate                   bool `json:"can-update"`
	CanUpdateAPIToken           bool `json:"can-update-api-token"`
	CanUpdateOAuth              bool `json:"can-update-oauth"`
	CanUpdateSentinel           bool `json:"can-update-sentinel"`
	CanEnableStacks             bool `json:"can-enable-stacks"`
	CanCreateProject            bool `json:"can-create-project"`
}

type orgAttributes struct {
	ExternalID                       string         `json:"external-id"`
	CreatedAt                        string         `json:"created-at"`
	Email                            string         `json:"email"`
	SessionTimeout                   *int           `json:"session-timeout"`
	SessionRemember                  *int           `json:"session-remember"`
	CollaboratorAuthPolicy           string         `json:"collaborator-auth-policy"`
	PlanExpired                      bool           `json:"plan-expired"`
	PlanExpiresAt                    *string        `json:"plan-expires-at"`
	PlanIsTrial                      bool           `json:"plan-is-trial"`
	PlanIsEnterprise                 bool           `json:"plan-is-enterprise"`
	CostEstimationEnabled            bool           `json:"cost-estimation-enabled"`
	SendPassingStatuses              bool           `json:"send-passing-statuses-for-untriggered-speculative-plans"`
	AggregatedCommitStatusEnabled    bool           `json:"aggregated-commit-status-enabled"`
	SpeculativePlanManagementEnabled bool           `json:"speculative-plan-management-enabled"`
	AllowForceDeleteWorkspaces       bool           `json:"allow-force-delete-workspaces"`
	Name                             string         `json:"name"`
	Permissions                      orgPermissions `json:"permissions"`
	SAMLEnabled                      bool           `json:"saml-enabled"`
	OwnersTeamSAMLRoleID             *string        `json:"owners-team-saml-role-id"`
	TwoFactorConformant              bool           `json:"two-factor-conformant"`
	AssessmentsEnforced              bool           `json:"assessments-enforced"`
	DefaultExecutionMode             string         `json:"default-execution-mode"`
	RemainingTestableCount           int            `json:"remaining-testable-count"`
	TrialExpiresAt                   *string        `json:"trial-expires-at"`
	IsUnified                        bool           `json:"is-unified"`
	StacksEnabled                    bool           `json:"stacks-enabled"`
	UserTokensEnabled                bool           `json:"user-tokens-enabled"`
	MaxTTLEnabled                    bool           `json:"max-ttl-enabled"`
	ModuleTestTokenTTL               int            `json:"module-test-token-ttl"`
}

// orgResource is the one representation of an organization.
func (st *State) orgResource(o *Organization, p principal) Resource {
	owner := st.isOwner(p, o.Name)
	var samlRole *string
	if o.OwnersTeamSAMLRoleID != "" {
		samlRole = &o.OwnersTeamSAMLRoleID
	}
	self := "/api/v2/organizations/" + o.Name
	return Resource{
		ID:   o.Name,
		Type: "organizations",
		Attributes: orgAttributes{
			ExternalID: o.ExternalID, CreatedAt: Timestamp(o.CreatedAt), Email: o.Email,
			SessionTimeout: o.SessionTimeout, SessionRemember: o.SessionRemember,
			CollaboratorAuthPolicy: o.CollaboratorAuthPolicy,
			CostEstimationEnabled:  o.CostEstimationEnabled, SendPassingStatuses: o.SendPassingStatuses,
			AggregatedCommitStatusEnabled: o.AggregatedCommitStatus, SpeculativePlanManagementEnabled: o.SpeculativePlanManagement,
			AllowForceDeleteWorkspaces: o.AllowForceDeleteWorkspaces, Name: o.Name,
			Permissions: orgPermissions{
				CanCreateTeam: owner || st.can(p, o.Name, manageTeams), CanCreateWorkspace: st.can(p, o.Name, manageWorkspaces),
				CanCreateWorkspaceMigration: owner, CanDeployNoCodeModules: owner, CanDestroy: owner, CanManageAuditing: owner,
				CanManageNoCodeModules: owner, CanManageRunTasks: owner, CanTraverse: true, CanUpdate: owner,
				CanUpdateAPIToken: owner, CanUpdateOAuth: owner, CanUpdateSentinel: owner, CanEnableStacks: owner,
				CanCreateProject: st.can(p, o.Name, manageProjects),
			},
			OwnersTeamSAMLRoleID: samlRole, TwoFactorConformant: true, AssessmentsEnforced: o.AssessmentsEnforced,
			DefaultExecutionMode: o.DefaultExecutionMode, RemainingTestableCount: 100,
			StacksEnabled: o.StacksEnabled, UserTokensEnabled: o.UserTokensEnabled, MaxTTLEnabled: o.MaxTTLEnabled,
			ModuleTestTokenTTL: o.ModuleTestTokenTTL,
		},
		Relationships: map[string]Relationship{
			"default-project":      toOne("projects", o.DefaultProjectID),
			"default-agent-pool":   toOne("agent-pools", o.DefaultAgentPoolID),
			"oauth-tokens":         {Links: map[string]string{"related": self + "/oauth-tokens"}},
			"authentication-token": {Links: map[string]string{"related": self + "/authentication-token"}},
			"entitlement-set":      {Data: &Ref{ID: o.ExternalID, Type: "entitlement-sets"}, Links: map[string]string{"related": self + "/entitlement-set"}},
			"subscription":         {Data: &Ref{ID: subscriptionID(o), Type: "subscriptions"}, Links: map[string]string{"related": "/api/v2/subscriptions/" + subscriptionID(o)}},
		},
		Links: map[string]string{"self": self},
	}
}

// orgInput is the attributes a create or update may send.
type orgInput struct {
	Name                       *string `json:"name"`
	Email                      *string `json:"email"`
	SessionRemember            *int    `json:"session-remember"`
	SessionTimeout             *int    `json:"session-timeout"`
	CollaboratorAuthPolicy     *string `json:"collaborator-auth-policy"`
	CostEstimationEnabled      *bool   `json:"cost-estimation-enabled"`
	AssessmentsEnforced        *bool   `json:"assessments-enforced"`
	OwnersTeamSAMLRoleID       *string `json:"owners-team-saml-role-id"`
	SendPassingStatuses        *bool   `json:"send-passing-statuses-for-untriggered-speculative-plans"`
	AggregatedCommitStatus     *bool   `json:"aggregated-commit-status-enabled"`
	SpeculativePlanManagement  *bool   `json:"speculative-plan-management-enabled"`
	AllowForceDeleteWorkspaces *bool   `json:"allow-force-delete-workspaces"`
	DefaultExecutionMode       *string `json:"default-execution-mode"`
	UserTokensEnabled          *bool   `json:"user-tokens-enabled"`
	MaxTTLEnabled              *bool   `json:"max-ttl-enabled"`
	StacksEnabled              *bool   `json:"stacks-enabled"`
	ModuleTestTokenTTL         *int    `json:"module-test-token-ttl"`
}

// Bounds of module-test-token-ttl, in seconds.
const (
	MinModuleTestTokenTTL = 300
	MaxModuleTestTokenTTL = 1800
)

// validate collects every problem of the input; create requires name and
// email.
func (in *orgInput) validate(create bool) error {
	var errs Errors
	if in.Name != nil || create {
		switch {
		case in.Name == nil || *in.Name == "":
			errs = append(errs, invalidAttribute("/data/attributes/name", "Name can't be blank"))
		case !namePattern.MatchString(*in.Name):
			errs = append(errs, invalidAttribute("/data/attributes/name", "Name may only contain letters, numbers, - and _"))
		}
	}
	if in.Email != nil || create {
		if in.Email == nil || !strings.Contains(*in.Email, "@") {
			errs = append(errs, invalidAttribute("/data/attributes/email", "Email is invalid"))
		}
	}
	if v := in.CollaboratorAuthPolicy; v != nil && *v != "password" && *v != "two_factor_mandatory" {
		errs = append(errs, invalidAttribute("/data/attributes/collaborator-auth-policy", fmt.Sprintf("Collaborator auth policy %q is not one of password, two_factor_mandatory", *v)))
	}
	if v := in.DefaultExecutionMode; v != nil && *v != "remote" && *v != "local" && *v != "agent" {
		errs = append(errs, invalidAttribute("/data/attributes/default-execution-mode", fmt.Sprintf("Default execution mode %q is not one of remote, local, agent", *v)))
	}
	if v := in.ModuleTestTokenTTL; v != nil && (*v < MinModuleTestTokenTTL || *v > MaxModuleTestTokenTTL) {
		errs = append(errs, docInvalid("/data/attributes/module-test-token-ttl", "Module test token TTL must be between 300 and 1800 seconds"))
	}
	for name, v := range map[string]*int{"session-remember": in.SessionRemember, "session-timeout": in.SessionTimeout} {
		if v != nil && *v < 1 {
			errs = append(errs, invalidAttribute("/data/attributes/"+name, "must be a positive number of minutes"))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (in *orgInput) apply(o *Organization) {
	setIf(&o.Email, in.Email)
	if in.SessionRemember != nil {
		o.SessionRemember = in.SessionRemember
	}
	if in.SessionTimeout != nil {
		o.SessionTimeout = in.SessionTimeout
	}
	setIf(&o.CollaboratorAuthPolicy, in.CollaboratorAuthPolicy)
	setIf(&o.CostEstimationEnabled, in.CostEstimationEnabled)
	setIf(&o.AssessmentsEnforced, in.AssessmentsEnforced)
	setIf(&o.OwnersTeamSAMLRoleID, in.OwnersTeamSAMLRoleID)
	setIf(&o.SendPassingStatuses, in.SendPassingStatuses)
	setIf(&o.AggregatedCommitStatus, in.AggregatedCommitStatus)
	setIf(&o.SpeculativePlanManagement, in.SpeculativePlanManagement)
	setIf(&o.AllowForceDeleteWorkspaces, in.AllowForceDeleteWorkspaces)
	setIf(&o.DefaultExecutionMode, in.DefaultExecutionMode)
	setIf(&o.UserTokensEnabled, in.UserTokensEnabled)
	setIf(&o.MaxTTLEnabled, in.MaxTTLEnabled)
	setIf(&o.StacksEnabled, in.StacksEnabled)
	setIf(&o.ModuleTestTokenTTL, in.ModuleTestTokenTTL)
}

// setIf assigns *src to *dst when the request sent it.
func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// orgNameTaken compares case-insensitively, as TFC does.
func (st *State) orgNameTaken(name string) bool {
	for n := range st.Orgs {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

func (s *Service) listOrganizations(c *call) (int, any, error) {
	q := strings.ToLower(c.r.URL.Query().Get("q"))
	return s.view(http.StatusOK, func(st *State) (any, error) {
		var all []Resource
		for _, o := range sortedBySeq(st.Orgs, func(o *Organization) bool { return st.memberOf(c.p, o.Name) }) {
			if q == "" || strings.Contains(strings.ToLower(o.Name), q) || strings.Contains(strings.ToLower(o.Email), q) {
				all = append(all, st.orgResource(o, c.p))
			}
		}
		return paginate(c.r, all)
	})
}

func (s *Service) createOrganization(c *call) (int, any, error) {
	var in orgInput
	if _, err := decodeResource(c.r, "organizations", &in); err != nil {
		return 0, nil, err
	}
	if err := in.validate(true); err != nil {
		return 0, nil, err
	}
	if c.p.kind != "user" {
		// Only users create organizations; team and organization tokens
		// cannot see outside their organization.
		return 0, nil, errNotFound
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		if st.orgNameTaken(*in.Name) {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		o := newOrganization(st, *in.Name, *in.Email, c.now)
		in.apply(o)
		st.Teams[o.OwnersTeamID].Members = []string{c.p.userID}
		st.activateTeamMembers(o.Name, c.now)
		return Document{Data: st.orgResource(o, c.p)}, nil
	})
}

func (s *Service) readOrganization(c *call) (int, any, error) {
	inc, err := includes(c.r, "default-project")
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		doc := Document{Data: st.orgResource(o, c.p)}
		if inc["default-project"] {
			doc.Included = []Resource{st.projectResource(st.Projects[o.DefaultProjectID])}
		}
		return doc, nil
	})
}

func (s *Service) updateOrganization(c *call) (int, any, error) {
	var in orgInput
	res, err := decodeResource(c.r, "organizations", &in)
	if err != nil {
		if e, ok := err.(*Error); ok && e.pointer() == "/data/attributes/module-test-token-ttl" {
			retitle(err)
		}
		return 0, nil, err
	}
	if err := in.validate(false); err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		o, err := st.requireOwner(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		var poolID *string
		if id, sent, err := res.relationshipID("default-agent-pool"); err != nil {
			return nil, err
		} else if sent {
			poolID = &id
		}
		mode, pool, err := st.executionSettings(o.Name, in.DefaultExecutionMode, poolID, o.DefaultExecutionMode, o.DefaultAgentPoolID, "/data/relationships/default-agent-pool")
		if err != nil {
			return nil, err
		}
		if in.Name != nil && *in.Name != o.Name {
			if st.orgNameTaken(*in.Name) && !strings.EqualFold(*in.Name, o.Name) {
				return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
			}
			st.renameOrg(o, *in.Name)
		}
		in.apply(o)
		o.DefaultExecutionMode, o.DefaultAgentPoolID = mode, pool
		return Document{Data: st.orgResource(o, c.p)}, nil
	})
}

// reassign rewrites the organization name field of every value that has
// old.
func reassign[T any](m map[string]*T, org func(*T) *string, old, name string) {
	for _, v := range m {
		if f := org(v); *f == old {
			*f = name
		}
	}
}

// renameOrg moves an organization and everything that names it.
func (st *State) renameOrg(o *Organization, name string) {
	old := o.Name
	delete(st.Orgs, old)
	o.Name = name
	st.Orgs[name] = o
	reassign(st.Teams, func(t *Team) *string { return &t.Org }, old, name)
	reassign(st.Projects, func(p *Project) *string { return &p.Org }, old, name)
	reassign(st.Workspaces, func(w *Workspace) *string { return &w.Org }, old, name)
	reassign(st.VarSets, func(v *VariableSet) *string { return &v.Org }, old, name)
	reassign(st.Tokens, func(t *Token) *string { return &t.Org }, old, name)
	reassign(st.AgentPools, func(p *AgentPool) *string { return &p.Org }, old, name)
	reassign(st.Memberships, func(m *OrganizationMembership) *string { return &m.Org }, old, name)
	for _, m := range st.Modules {
		if m.Org == old {
			m.Org = name
			if m.RegistryName == "private" && m.Namespace == old {
				m.Namespace = name // a private module's namespace is its organization
			}
		}
	}
}

func (s *Service) deleteOrganization(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		o, err := st.requireOwner(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		st.remove("Orgs", o.Name)
		return nil, nil
	})
}

type entitlementAttributes struct {
	Agents                bool `json:"agents"`
	AuditLogging          bool `json:"audit-logging"`
	CostEstimation        bool `json:"cost-estimation"`
	GlobalRunTasks        bool `json:"global-run-tasks"`
	Operations            bool `json:"operations"`
	PrivateModuleRegistry bool `json:"private-module-registry"`
	PrivateRunTasks       bool `json:"private-run-tasks"`
	RunTasks              bool `json:"run-tasks"`
	SSO                   bool `json:"sso"`
	Sentinel              bool `json:"sentinel"`
	StateStorage          bool `json:"state-storage"`
	Teams                 bool `json:"teams"`
	VCSIntegrations       bool `json:"vcs-integrations"`
}

// readEntitlements reports every feature as entitled: the emulator has no
// plans.
func (s *Service) readEntitlements(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		return Document{Data: Resource{ID: o.ExternalID, Type: "entitlement-sets",
			Attributes: entitlementAttributes{true, true, true, true, true, true, true, true, true, true, true, true, true},
			Links:      map[string]string{"self": "/api/v2/entitlement-sets/" + o.ExternalID}}}, nil
	})
}

// listStacks is empty: the emulator has no stacks, but go-tfe's cleanup
// lists them.
func (s *Service) listStacks(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		if _, err := st.orgFor(c.p, c.path("org")); err != nil {
			return nil, err
		}
		return paginate(c.r, nil)
	})
}
