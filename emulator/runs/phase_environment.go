package runs

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/identity"
	"github.com/tfcemu/tfcemu/emulator/tfc"
	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// Agent versions that bring the features.
const (
	VersionWorkloadIdentity = "1.7.0"  // tokens and dynamic credentials
	VersionVaultBacked      = "1.8.0"  // Vault-backed credentials
	VersionVaultCACert      = "1.9.0"  // TFC_VAULT_ENCODED_CACERT
	VersionMultipleConfigs  = "1.12.0" // tagged tokens and configurations
)

// DirPlaceholder stands for the phase's directory in file paths; it is
// replaced when the environment is read (Render).
const DirPlaceholder = "{{dir}}"

// tagPattern is what a tag may be: letters, digits and underscores.
var tagPattern = lazyre.New(`^[A-Za-z0-9_]+$`)

// reservedTags may not be used as tags.
var reservedTags = map[string]bool{"TYPE": true}

// Minter is what the builder needs of the issuer.
type Minter interface {
	MintWorkspaceRun(identity.WorkspaceRun) (identity.Token, error)
}

// PhaseEnvironmentBuilder builds the environment an HCP Terraform agent
// gives one run phase (tfc.EnvironmentBuilder): the run variables, the
// workspace's env variables, workload identity tokens and dynamic
// credentials, as the agent's version allows.
type PhaseEnvironmentBuilder struct {
	Minter Minter
	// HTTPClient reaches Vault for the Vault login.
	HTTPClient *http.Client
}

var _ tfc.EnvironmentBuilder = (*PhaseEnvironmentBuilder)(nil)

// phase is one build in progress.
type phase struct {
	in   tfc.PhaseInput
	vars map[string]string // env-category variables
	out  *tfc.PhaseEnvironment
	b    *PhaseEnvironmentBuilder
	// aliases holds each provider kind's configurations for the
	// tfc_<kind>_dynamic_credentials variable, by configuration key.
	aliases map[string]map[string]any
	// vaults are the Vault logins by configuration tag ("" is default),
	// for Vault-backed credentials.
	vaults map[string]vaultSession
}

func (p *phase) log(format string, a ...any) {
	p.out.Log = append(p.out.Log, fmt.Sprintf(format, a...))
}

func (p *phase) supports(version string) bool {
	return tfc.CompareVersions(p.in.AgentVersion, version) >= 0
}

// Build computes the phase's environment, or the error that fails it.
func (b *PhaseEnvironmentBuilder) Build(ctx context.Context, in tfc.PhaseInput) (*tfc.PhaseEnvironment, error) {
	p := &phase{in: in, b: b, vars: map[string]string{}, aliases: map[string]map[string]any{}, vaults: map[string]vaultSession{}, out: &tfc.PhaseEnvironment{
		Env: map[string]string{}, Files: map[string]string{}, TerraformVariables: map[string]any{},
	}}
	env := p.out.Env
	env["TFC_RUN_ID"] = in.RunID
	env["TFC_WORKSPACE_NAME"] = in.Workspace.Name
	env["TFC_WORKSPACE_SLUG"] = in.Organization.Name + "/" + in.Workspace.Name
	env["TFC_PROJECT_NAME"] = in.Project.Name
	env["TFC_CONFIGURATION_VERSION_GIT_BRANCH"] = ""
	env["TFC_CONFIGURATION_VERSION_GIT_COMMIT_SHA"] = ""
	env["TFC_CONFIGURATION_VERSION_GIT_TAG"] = ""
	for _, v := range in.Variables {
		switch v.Category {
		case tfc.CategoryEnv:
			env[v.Key] = v.Value
			p.vars[v.Key] = v.Value
		case tfc.CategoryTerraform:
			p.out.TerraformVariables[v.Key] = v.Value
		}
	}
	p.log("Agent %s running %s for %s", in.AgentVersion, in.Phase, env["TFC_WORKSPACE_SLUG"])
	if !p.supports(VersionWorkloadIdentity) {
		if p.hasIdentityConfig() {
			p.log("Agent version %s does not support workload identity (requires %s or later): no workload identity token or dynamic credentials were generated", in.AgentVersion, VersionWorkloadIdentity)
		}
		return p.out, nil
	}
	if err := p.manualTokens(); err != nil {
		return p.out, err
	}
	for _, prov := range providers {
		if err := p.dynamicCredentials(ctx, prov); err != nil {
			return p.out, err
		}
	}
	for _, vb := range vaultBackedProviders {
		if err := p.vaultBackedCredentials(ctx, vb); err != nil {
			return p.out, err
		}
	}
	return p.out, nil
}

func (p *phase) hasIdentityConfig() bool {
	for k := range p.vars {
		if strings.HasPrefix(k, "TFC_WORKLOAD_IDENTITY_AUDIENCE") || strings.HasSuffix(k, "_PROVIDER_AUTH") || strings.Contains(k, "_PROVIDER_AUTH_") {
			return true
		}
	}
	return false
}

// mint signs a token for this phase with aud.
func (p *phase) mint(aud string) (identity.Token, error) {
	return p.b.Minter.MintWorkspaceRun(identity.WorkspaceRun{
		Organization: p.in.Organization, Project: p.in.Project, Workspace: p.in.Workspace,
		RunID: p.in.RunID, Phase: p.in.Phase, Audience: aud,
	})
}

// tagOK checks a tag and says why it is ignored when it is not usable.
func (p *phase) tagOK(variable, tag string) bool {
	switch {
	case !tagPattern.MatchString(tag):
		p.log("Warning: ignoring %s: a tag may contain only letters, numbers and underscores", variable)
		return false
	case reservedTags[tag]:
		p.log("Warning: ignoring %s: %s is a reserved keyword and cannot be used as a tag", variable, tag)
		return false
	case !p.supports(VersionMultipleConfigs):
		p.log("Warning: ignoring %s: multiple workload identity configurations require agent %s or later (this agent is %s)", variable, VersionMultipleConfigs, p.in.AgentVersion)
		return false
	}
	return true
}

// manualTokens handles TFC_WORKLOAD_IDENTITY_AUDIENCE[_TAG].
func (p *phase) manualTokens() error {
	const prefix = "TFC_WORKLOAD_IDENTITY_AUDIENCE"
	for _, k := range slices.Sorted(maps.Keys(p.vars)) {
		if !strings.HasPrefix(k, prefix) || p.vars[k] == "" {
			continue
		}
		tag := strings.TrimPrefix(k, prefix)
		name := "TFC_WORKLOAD_IDENTITY_TOKEN"
		if tag != "" {
			if !strings.HasPrefix(tag, "_") {
				continue // another variable that merely starts the same way
			}
			tag = tag[1:]
			if !p.tagOK(k, tag) {
				continue
			}
			name += "_" + tag
		}
		tok, err := p.mint(p.vars[k])
		if err != nil {
			return err
		}
		p.out.Env[name] = tok.JWT
		p.log("Generated workload identity token %s for audience %q", name, p.vars[k])
	}
	return nil
}
