package identity

import "fmt"

// Run phases a workspace-run token can be issued for.
const (
	PhasePlan  = "plan"
	PhaseApply = "apply"
)

// RegisteredClaims are the standard claims every TFC token starts with, in
// the documented order; aud is a single string, as TFC sends it.
type RegisteredClaims struct {
	JTI       string `json:"jti"`
	Issuer    string `json:"iss"`
	Audience  string `json:"aud"`
	IssuedAt  int64  `json:"iat"`
	NotBefore int64  `json:"nbf"`
	Expiry    int64  `json:"exp"`
	Subject   string `json:"sub"`
}

// WorkspaceRunClaims is the payload of a workspace-run token. Fields are in
// the order of the documented example
// (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens).
type WorkspaceRunClaims struct {
	RegisteredClaims
	TerraformOrganizationID   string `json:"terraform_organization_id"`
	TerraformOrganizationName string `json:"terraform_organization_name"`
	TerraformProjectID        string `json:"terraform_project_id"`
	TerraformProjectName      string `json:"terraform_project_name"`
	TerraformWorkspaceID      string `json:"terraform_workspace_id"`
	TerraformWorkspaceName    string `json:"terraform_workspace_name"`
	TerraformFullWorkspace    string `json:"terraform_full_workspace"`
	TerraformRunID            string `json:"terraform_run_id"`
	TerraformRunPhase         string `json:"terraform_run_phase"`
}

// ModuleTestClaims is the payload of a registry module test-run token
// (https://developer.hashicorp.com/terraform/cloud-docs/registry/test/dynamic-credentials):
// no workspace, project or full-workspace claims,
// and the run phase is always "plan".
type ModuleTestClaims struct {
	RegisteredClaims
	TerraformRunPhase         string `json:"terraform_run_phase"`
	TerraformOrganizationID   string `json:"terraform_organization_id"`
	TerraformOrganizationName string `json:"terraform_organization_name"`
	TerraformRunID            string `json:"terraform_run_id"`
}

// FullWorkspace is the terraform_full_workspace claim:
// organization:ORG:project:PROJECT:workspace:WS, names verbatim (spaces kept).
func FullWorkspace(org, project, workspace string) string {
	return fmt.Sprintf("organization:%s:project:%s:workspace:%s", org, project, workspace)
}

// WorkspaceRunSubject is the sub claim of a workspace-run token.
func WorkspaceRunSubject(org, project, workspace, phase string) string {
	return FullWorkspace(org, project, workspace) + ":run_phase:" + phase
}

// ModuleTestSubject is the sub claim of a module test-run token.
func ModuleTestSubject(org, module string) string {
	return fmt.Sprintf("organization:%s:module:%s:operation:test_run", org, module)
}
