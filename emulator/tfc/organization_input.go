package tfc

import (
	"fmt"
	"strings"
)

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
