package tfc

import (
	"net/http"
	"strings"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// namePattern is what TFC allows in organization and workspace names.
var namePattern = lazyre.New(`^[A-Za-z0-9_-]+$`)

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
		st.activateTeamMembers(o.Name, c.now) // marks the memberships it adds
		st.touch("Orgs", o.Name)
		st.touch("Projects", o.DefaultProjectID)
		st.touch("Teams", o.OwnersTeamID)
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
			st.renameOrg(o, *in.Name) // marks every entry it renames
		}
		st.touch("Orgs", o.Name)
		in.apply(o)
		o.DefaultExecutionMode, o.DefaultAgentPoolID = mode, pool
		return Document{Data: st.orgResource(o, c.p)}, nil
	})
}

// renameOrg renames an organization and every kind's reference to it,
// and marks what it changes for the state file: each renamed entry (the
// organization's own, not the whole state), and the organizations whole
// (the renamed one keeps its place in their order, which replaying a new
// key would not).
func (st *State) renameOrg(o *Organization, name string) {
	old := o.Name
	delete(st.Orgs, old)
	o.Name = name
	st.Orgs[name] = o
	st.touchKind("Orgs")
	for _, m := range st.Modules {
		if m.Org == old && m.RegistryName == "private" && m.Namespace == old {
			m.Namespace = name // a private module's namespace is its organization (marked below: it is the organization's)
		}
	}
	for _, k := range kinds {
		k.renameOrg(st, old, name)
	}
}

func (s *Service) deleteOrganization(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		o, err := st.requireOwner(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		st.remove("Orgs", o.Name) // marks every entry it deletes
		st.touch("Orgs", o.Name)
		return nil, nil
	})
}
