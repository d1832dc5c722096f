package tfc

import (
	"slices"
	"time"
)

// Names TFC gives the resources every organization starts with.
const (
	OwnersTeamName     = "owners"
	DefaultProjectName = "Default Project"
)

// DefaultModuleTestTokenTTL is an organization's module-test-token-ttl
// when none is set, in seconds.
const DefaultModuleTestTokenTTL = 600

// User is a TFC user account.
type User struct {
	ID        string
	Username  string
	Email     string
	CreatedAt time.Time
	// ServiceFor is set on the synthetic service user that /account/details
	// shows to a team or organization token: a Ref to that team or org.
	ServiceFor *Ref
	seq        int64
}

func (u *User) order() int64 { return u.seq }

// Organization is a TFC organization. Its JSON:API id is its name.
type Organization struct {
	Name                       string
	ExternalID                 string
	Email                      string
	CreatedAt                  time.Time
	DefaultProjectID           string
	OwnersTeamID               string
	DefaultAgentPoolID         string
	ServiceUserID              string
	ModuleTestTokenTTL         int
	CollaboratorAuthPolicy     string
	DefaultExecutionMode       string
	CostEstimationEnabled      bool
	AssessmentsEnforced        bool
	AllowForceDeleteWorkspaces bool
	SendPassingStatuses        bool
	SpeculativePlanManagement  bool
	AggregatedCommitStatus     bool
	SessionRemember            *int
	SessionTimeout             *int
	OwnersTeamSAMLRoleID       string
	UserTokensEnabled          bool
	MaxTTLEnabled              bool
	StacksEnabled              bool
	Tags                       []OrgTag
	Subscription               Subscription
	seq                        int64
}

func (o *Organization) order() int64 { return o.seq }

// newOrganization adds an organization with its owners team and Default
// Project, as TFC creates them.
func newOrganization(st *State, name, email string, now time.Time) *Organization {
	o := &Organization{
		Name: name, ExternalID: newID("org"), Email: email, CreatedAt: now,
		ModuleTestTokenTTL:     DefaultModuleTestTokenTTL,
		CollaboratorAuthPolicy: "password",
		DefaultExecutionMode:   "remote",
		CostEstimationEnabled:  true,
		UserTokensEnabled:      true,
		// TFC turns both on for every new organization.
		AggregatedCommitStatus:    true,
		SpeculativePlanManagement: true,
		seq:                       st.next(),
	}
	o.ServiceUserID = newID("user")
	st.Orgs[name] = o
	p := &Project{ID: newID("prj"), Name: DefaultProjectName, Org: name, CreatedAt: now, seq: st.next()}
	st.Projects[p.ID] = p
	st.indexProject(p)
	o.DefaultProjectID = p.ID
	owners := newTeam(st, name, OwnersTeamName, now)
	owners.Visibility = "secret"
	owners.Access = allAccess()
	o.OwnersTeamID = owners.ID
	return o
}

// TeamAccess is a team's organization-access.
type TeamAccess struct {
	ManagePolicies           bool `json:"manage-policies"`
	ManagePolicyOverrides    bool `json:"manage-policy-overrides"`
	DelegatePolicyOverrides  bool `json:"delegate-policy-overrides"`
	ManageWorkspaces         bool `json:"manage-workspaces"`
	ManageVCSSettings        bool `json:"manage-vcs-settings"`
	ManageProviders          bool `json:"manage-providers"`
	ManageModules            bool `json:"manage-modules"`
	ManageRunTasks           bool `json:"manage-run-tasks"`
	ManageProjects           bool `json:"manage-projects"`
	ReadWorkspaces           bool `json:"read-workspaces"`
	ReadProjects             bool `json:"read-projects"`
	ManageMembership         bool `json:"manage-membership"`
	ManageTeams              bool `json:"manage-teams"`
	ManageOrganizationAccess bool `json:"manage-organization-access"`
	AccessSecretTeams        bool `json:"access-secret-teams"`
	ManageAgentPools         bool `json:"manage-agent-pools"`
}

func allAccess() TeamAccess {
	return TeamAccess{true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true}
}

// Team is a team of an organization.
type Team struct {
	ID                         string
	Name                       string
	Org                        string
	Visibility                 string
	SSOTeamID                  string
	AllowMemberTokenManagement bool
	Access                     TeamAccess
	Members                    []string // user ids
	ServiceUserID              string
	CreatedAt                  time.Time
	seq                        int64
}

func (t *Team) order() int64 { return t.seq }

func newTeam(st *State, org, name string, now time.Time) *Team {
	t := &Team{ID: newID("team"), Name: name, Org: org, Visibility: "secret", AllowMemberTokenManagement: true,
		ServiceUserID: newID("user"), CreatedAt: now, seq: st.next()}
	st.Teams[t.ID] = t
	st.indexTeam(t)
	st.changes.mark("Teams", t.ID)
	return t
}

func (t *Team) hasMember(userID string) bool {
	return slices.Contains(t.Members, userID)
}

// Project groups workspaces.
type Project struct {
	ID          string
	Name        string
	Description string
	Org         string
	// ExecutionMode and AgentPoolID overwrite the organization's defaults
	// for the project's workspaces when set.
	ExecutionMode string
	AgentPoolID   string
	// TagBindings are the project's key/value tags, in the order set.
	TagBindings []TagBinding
	// AutoDestroyActivityDuration ("3d", "12h") is inherited by the
	// project's workspaces; empty for none.
	AutoDestroyActivityDuration string
	CreatedAt                   time.Time
	seq                         int64
}

func (p *Project) order() int64 { return p.seq }

// Workspace is a TFC workspace.
type Workspace struct {
	ID                 string
	Name               string
	Org                string
	ProjectID          string
	Description        string
	ExecutionMode      string
	ExecutionModeSet   bool
	AgentPoolID        string
	AutoApply          bool
	TerraformVersion   string
	WorkingDirectory   string
	AllowDestroyPlan   bool
	FileTriggers       bool
	QueueAllRuns       bool
	SpeculativeEnabled bool
	GlobalRemoteState  bool
	Locked             bool
	LockedBy           *Ref
	TagNames           []string
	TagBindings        []TagBinding
	AutoApplyTrigger   bool
	AutoDestroyAt      *time.Time
	// AutoDestroyActivityDuration is the workspace's own duration, used
	// when OwnAutoDestroy (inherits-project-auto-destroy false).
	AutoDestroyActivityDuration string
	OwnAutoDestroy              bool
	SourceName                  string
	SourceURL                   string
	TriggerPrefixes             []string
	TriggerPatterns             []string
	Assessments                 bool
	StructuredOutput            bool
	CreatedAt                   time.Time
	UpdatedAt                   time.Time
	seq                         int64

	// ProjectRemoteState shares the state with the project's workspaces;
	// RemoteStateConsumers lists the workspace ids it is shared with.
	ProjectRemoteState   bool
	RemoteStateConsumers []string
}

func (w *Workspace) order() int64 { return w.seq }

func newWorkspace(st *State, org, name, projectID string, now time.Time) *Workspace {
	w := &Workspace{ID: newID("ws"), Name: name, Org: org, ProjectID: projectID,
		AllowDestroyPlan: true, FileTriggers: true, SpeculativeEnabled: true, TerraformVersion: "1.14.0", StructuredOutput: true,
		TagNames: []string{}, CreatedAt: now, UpdatedAt: now, seq: st.next()}
	st.Workspaces[w.ID] = w
	st.indexWorkspace(w)
	st.changes.mark("Workspaces", w.ID)
	return w
}

// Variable categories.
const (
	CategoryTerraform = "terraform"
	CategoryEnv       = "env"
	CategoryPolicySet = "policy-set"
)

// Variable is a workspace variable or a variable set's variable.
type Variable struct {
	ID          string
	Key         string
	Value       string
	Description string
	Category    string
	HCL         bool
	Sensitive   bool
	VersionID   string
	WorkspaceID string // set for workspace variables
	VarSetID    string // set for variable set variables
	CreatedAt   time.Time
	seq         int64
}

func (v *Variable) order() int64 { return v.seq }

// VariableSet is a variable set of an organization.
type VariableSet struct {
	ID           string
	Name         string
	Description  string
	Global       bool
	Priority     bool
	Org          string
	ParentProjID string // set when the set is owned by a project
	WorkspaceIDs []string
	ProjectIDs   []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	seq          int64
}

func (v *VariableSet) order() int64 { return v.seq }

// Token kinds: one table holds every API token.
const (
	TokenUser       = "user"
	TokenTeamLegacy = "team-legacy"
	TokenTeam       = "team"
	TokenOrg        = "organization"
	TokenOrgAudit   = "audit-trails"
)

// Token is an API token of any kind.
type Token struct {
	ID          string
	Kind        string
	Secret      string
	Description *string
	CreatedAt   time.Time
	ExpiredAt   *time.Time
	LastUsedAt  *time.Time
	CreatedBy   Ref
	UserID      string // user tokens
	TeamID      string // team tokens
	Org         string // organization, audit-trails and agent tokens
	PoolID      string // agent tokens
	seq         int64
}

func (t *Token) order() int64 { return t.seq }

// expired reports whether the token is past its expiry at now.
func (t *Token) expired(now time.Time) bool { return t.ExpiredAt != nil && !now.Before(*t.ExpiredAt) }

func (st *State) addToken(t *Token) {
	t.seq = st.next()
	st.Tokens[t.ID] = t
	st.changes.mark("Tokens", t.ID)
	if t.Kind != TokenAgent {
		st.secrets[t.Secret] = t.ID
	}
}

// tokenBySecret finds the token a bearer secret belongs to.
func (st *State) tokenBySecret(secret string) (*Token, bool) {
	id, ok := st.secrets[secret]
	if !ok {
		return nil, false
	}
	t, ok := st.Tokens[id]
	return t, ok
}

// RegistryModule is a private registry module.
type RegistryModule struct {
	ID           string
	Org          string
	Name         string
	Provider     string
	Namespace    string
	RegistryName string
	NoCode       bool
	// NoCodeID is the no-code module TFC makes for a no-code module.
	NoCodeID   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	TestConfig TestConfiguration
	seq        int64
}

func (m *RegistryModule) order() int64 { return m.seq }

// FullName is how module test tokens name the module:
// terraform-<provider>-<name>, as the documented example does.
func (m *RegistryModule) FullName() string { return "terraform-" + m.Provider + "-" + m.Name }

// TestConfiguration is a module's dynamic credentials for test runs.
type TestConfiguration struct {
	ID        string
	Enabled   bool
	Provider  string            // aws, gcp, azure, vault; empty when disabled
	Settings  map[string]string // provider attributes, defaults applied
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TestRun is a registry module test run.
type TestRun struct {
	ID        string
	ModuleID  string
	Status    string
	CreatedAt time.Time
	// Timestamps are the status-timestamps, by name ("queued-at", ...).
	Timestamps map[string]time.Time
	// Token is the workload identity token of the run, when the module's
	// test configuration enables OIDC.
	Token     string
	Claims    any
	ExpiresAt time.Time
	Provider  string
	Settings  map[string]string
	seq       int64
}

func (r *TestRun) order() int64 { return r.seq }

// AgentPool is an organization's pool of self-hosted agents.
type AgentPool struct {
	ID                   string
	Org                  string
	Name                 string
	OrganizationScoped   bool
	AllowedWorkspaceIDs  []string
	AllowedProjectIDs    []string
	ExcludedWorkspaceIDs []string
	CreatedAt            time.Time
	seq                  int64
}

func (p *AgentPool) order() int64 { return p.seq }

// Agent is a registered tfc-agent. Its version decides which workload
// identity features runs on it get.
type Agent struct {
	ID         string
	PoolID     string
	Name       string
	Version    string
	Status     string
	LastPingAt time.Time
	seq        int64
}

func (a *Agent) order() int64 { return a.seq }

// TagBinding is a key/value tag bound to a project or a workspace.
type TagBinding struct {
	ID    string
	Key   string
	Value string
}
