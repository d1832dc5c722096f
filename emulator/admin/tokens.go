package admin

import (
	"errors"
	"net/http"
	"time"

	"github.com/tfcemu/tfcemu/emulator/identity"
	"github.com/tfcemu/tfcemu/emulator/ids"
	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// TokenRequest is the body of POST /_emulator/workload-identity-tokens.
// With Workspace it mints a workspace-run token for Phase; with Module it
// mints a registry module test token that lives for the organization's
// module-test-token-ttl.
type TokenRequest struct {
	Organization string `json:"organization"`
	Project      string `json:"project,omitempty"`
	Workspace    string `json:"workspace,omitempty"`
	Module       string `json:"module,omitempty"`
	Phase        string `json:"phase,omitempty"`
	Audience     string `json:"audience"`
	RunID        string `json:"run_id,omitempty"`
}

// TokenResponse is a minted token with its claims.
type TokenResponse struct {
	Token     string `json:"token"`
	KeyID     string `json:"kid"`
	ExpiresAt string `json:"expires_at"`
	Claims    any    `json:"claims"`
}

func (a *API) mintToken(r *http.Request) (int, any) {
	var req TokenRequest
	if err := decode(r, &req, false); err != nil {
		return decodeFailed(err)
	}
	switch {
	case req.Organization == "":
		return badRequest(`"organization" is required`)
	case req.Audience == "":
		return badRequest(`"audience" is required and must not be empty`)
	case (req.Workspace == "") == (req.Module == ""):
		return badRequest(`give exactly one of "workspace" (a workspace run token) or "module" (a module test token)`)
	}
	var (
		tok identity.Token
		err error
	)
	if req.Workspace != "" {
		tok, err = a.mintWorkspaceRun(req)
	} else {
		tok, err = a.mintModuleTest(req)
	}
	if err != nil {
		return mintError(err)
	}
	return http.StatusCreated, TokenResponse{
		Token:     tok.JWT,
		KeyID:     tok.KeyID,
		ExpiresAt: tok.ExpiresAt.Format(time.RFC3339),
		Claims:    tok.Claims,
	}
}

// errModulePhase refuses a module test token for any phase but plan.
var errModulePhase = errors.New(`"phase": module test tokens are always for phase "plan"`)

// errProjectMismatch says the request named a project the workspace is not in.
type errProjectMismatch struct{ workspace, want, got string }

func (e errProjectMismatch) Error() string {
	return "workspace " + e.workspace + " is in project \"" + e.got + "\", not \"" + e.want + "\""
}

func (a *API) mintWorkspaceRun(req TokenRequest) (identity.Token, error) {
	if req.Phase != identity.PhasePlan && req.Phase != identity.PhaseApply {
		return identity.Token{}, identity.ErrInvalidPhase
	}
	ws, err := a.cfg.Directory.LookupWorkspace(req.Organization, req.Workspace)
	if err != nil {
		return identity.Token{}, err
	}
	if req.Project != "" && req.Project != ws.Project.Name {
		return identity.Token{}, errProjectMismatch{req.Workspace, req.Project, ws.Project.Name}
	}
	runID := req.RunID
	if runID == "" {
		runID = ids.New("run")
	}
	return a.cfg.Issuer.MintWorkspaceRun(identity.WorkspaceRun{
		Organization: identity.Named{ID: ws.Organization.ExternalID, Name: ws.Organization.Name},
		Project:      identity.Named{ID: ws.Project.ID, Name: ws.Project.Name},
		Workspace:    identity.Named{ID: ws.Workspace.ID, Name: ws.Workspace.Name},
		RunID:        runID,
		Phase:        req.Phase,
		Audience:     req.Audience,
	})
}

func (a *API) mintModuleTest(req TokenRequest) (identity.Token, error) {
	if req.Phase != "" && req.Phase != identity.PhasePlan {
		return identity.Token{}, errModulePhase
	}
	org, err := a.cfg.Directory.LookupOrganization(req.Organization)
	if err != nil {
		return identity.Token{}, err
	}
	runID := req.RunID
	if runID == "" {
		runID = ids.New("trun")
	}
	return a.cfg.Issuer.MintModuleTest(identity.ModuleTestRun{
		Organization: identity.Named{ID: org.ExternalID, Name: org.Name},
		Module:       req.Module,
		RunID:        runID,
		Audience:     req.Audience,
		TTL:          time.Duration(org.ModuleTestTokenTTL) * time.Second,
	})
}

// mintError maps minting errors to admin responses.
func mintError(err error) (int, any) {
	var mismatch errProjectMismatch
	switch {
	case errors.Is(err, tfc.ErrNotFound):
		return failure(http.StatusNotFound, err.Error())
	case errors.Is(err, identity.ErrInvalidPhase):
		return badRequest(`"phase": %v`, err)
	case errors.Is(err, identity.ErrEmptyAudience), errors.Is(err, identity.ErrInvalidTTL),
		errors.Is(err, errModulePhase), errors.As(err, &mismatch):
		return badRequest("%v", err)
	}
	return failure(http.StatusInternalServerError, "mint: "+err.Error())
}
