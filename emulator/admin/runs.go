package admin

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/runs"
	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// PhaseEnvironment is the body of GET /_emulator/runs/{id}/environment for
// a workspace run: the run, the phase, and what the agent hands to
// Terraform and hooks, with file paths under Dir.
type PhaseEnvironment struct {
	Run    tfc.RunView `json:"run"`
	Phase  string      `json:"phase"`
	Status string      `json:"status"`
	runs.Rendered
	Log []string `json:"log"`
}

func parsePhase(r *http.Request, def string) (string, error) {
	phase := r.URL.Query().Get("phase")
	if phase == "" {
		phase = def
	}
	if phase != "plan" && phase != "apply" {
		return "", fmt.Errorf(`"phase" must be plan or apply, not %q`, phase)
	}
	return phase, nil
}

func runNotFound(id string) (int, any) {
	return failure(http.StatusNotFound, fmt.Sprintf("run %q not found", id))
}

// runFailed answers err, not nil, of an action on run id: 404 for a run
// that is not there, 409 for one in the wrong state, else 500.
func runFailed(id string, err error) (int, any) {
	switch {
	case errors.Is(err, tfc.ErrNotFound):
		return runNotFound(id)
	case errors.Is(err, tfc.ErrConflict):
		return failure(http.StatusConflict, err.Error())
	}
	return failure(http.StatusInternalServerError, err.Error())
}

// runEnvironment is GET /_emulator/runs/{id}/environment?phase=plan|apply
// [&dir=DIR]; module test runs (trun-) have only a plan phase.
func (a *API) runEnvironment(r *http.Request) (int, any) {
	id := r.PathValue("id")
	phase, err := parsePhase(r, "plan")
	if err != nil {
		return badRequest("%v", err)
	}
	if strings.HasPrefix(id, "trun-") {
		if phase == "apply" {
			return badRequest("module test runs have only a plan phase")
		}
		env, err := a.cfg.Runs.TestRunEnvironment(id)
		if errors.Is(err, tfc.ErrNotFound) {
			return runNotFound(id)
		}
		if err != nil {
			return failure(http.StatusInternalServerError, err.Error())
		}
		return http.StatusOK, env
	}
	dir := r.URL.Query().Get("dir")
	if dir == "" {
		dir = filepath.Join("/tmp/tfcemu/runs", id, phase)
	}
	if !filepath.IsAbs(dir) {
		return badRequest(`"dir" must be an absolute path`)
	}
	view, env, log, err := a.cfg.Runs.PhaseEnvironmentOf(id, phase)
	if errors.Is(err, tfc.ErrNotFound) {
		return runNotFound(id)
	}
	if err != nil {
		return failure(http.StatusInternalServerError, err.Error())
	}
	return http.StatusOK, PhaseEnvironment{Run: view, Phase: phase, Status: view.Phases[phase], Rendered: runs.Render(env, dir), Log: log}
}

// AdvanceRequest is the body of POST /_emulator/runs/{id}/advance.
type AdvanceRequest struct {
	// Until keeps advancing (confirming plans) until the run has this
	// status: planned, applied, ...; empty advances one phase.
	Until string `json:"until,omitempty"`
}

func (a *API) advanceRun(r *http.Request) (int, any) {
	var req AdvanceRequest
	if err := decode(r, &req, true); err != nil {
		return decodeFailed(err)
	}
	switch req.Until {
	case "", tfc.RunPlanned, tfc.RunApplying, tfc.RunApplied:
	default:
		return badRequest(`"until" must be planned, applying or applied, not %q`, req.Until)
	}
	status, err := a.cfg.Runs.AdvanceRun(r.Context(), r.PathValue("id"), req.Until)
	if err != nil {
		return runFailed(r.PathValue("id"), err)
	}
	return http.StatusOK, map[string]string{"id": r.PathValue("id"), "status": status}
}

// LogRequest appends lines to a phase's log (hook output).
type LogRequest struct {
	Phase string   `json:"phase"`
	Lines []string `json:"lines"`
}

func (a *API) appendLog(r *http.Request) (int, any) {
	var req LogRequest
	if err := decode(r, &req, false); err != nil {
		return decodeFailed(err)
	}
	if req.Phase != "plan" && req.Phase != "apply" {
		return badRequest(`"phase" must be plan or apply`)
	}
	if err := a.cfg.Runs.AppendRunLog(r.PathValue("id"), req.Phase, req.Lines); err != nil {
		return runFailed(r.PathValue("id"), err)
	}
	return http.StatusNoContent, nil
}

// FailRequest fails a phase, as a failed hook does.
type FailRequest struct {
	Phase   string `json:"phase"`
	Message string `json:"message"`
}

func (a *API) failPhase(r *http.Request) (int, any) {
	var req FailRequest
	if err := decode(r, &req, false); err != nil {
		return decodeFailed(err)
	}
	if req.Phase != "plan" && req.Phase != "apply" || req.Message == "" {
		return badRequest(`"phase" must be plan or apply and "message" must not be empty`)
	}
	if err := a.cfg.Runs.FailRunPhase(r.PathValue("id"), req.Phase, req.Message); err != nil {
		return runFailed(r.PathValue("id"), err)
	}
	return http.StatusNoContent, nil
}

// runLog is the phase log as plain text (the plan's log-read-url).
func (a *API) runLog(w http.ResponseWriter, r *http.Request) {
	phase, err := parsePhase(r, "plan")
	if err != nil {
		a.respond(w)(badRequest("%v", err))
		return
	}
	_, _, log, err := a.cfg.Runs.PhaseEnvironmentOf(r.PathValue("id"), phase)
	if err != nil {
		a.respond(w)(runNotFound(r.PathValue("id")))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(strings.Join(log, "\n") + "\n"))
}

// AgentRequest registers an agent of a version in a pool.
type AgentRequest struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

func (a *API) registerAgent(r *http.Request) (int, any) {
	var req AgentRequest
	if err := decode(r, &req, false); err != nil {
		return decodeFailed(err)
	}
	if req.Name == "" {
		req.Name = "tfcemu-agent"
	}
	id, err := a.cfg.Runs.RegisterAgent(r.PathValue("id"), req.Name, req.Version)
	switch {
	case errors.Is(err, tfc.ErrNotFound):
		return failure(http.StatusNotFound, err.Error())
	case err != nil:
		return badRequest("%v", err)
	}
	return http.StatusCreated, map[string]string{"id": id, "version": req.Version}
}

// RunRequest queues a run: POST /_emulator/runs. AgentVersion, if set,
// runs it as an agent of that version would, without changing the
// workspace.
type RunRequest struct {
	Organization string `json:"organization"`
	Workspace    string `json:"workspace"`
	AgentVersion string `json:"agent_version,omitempty"`
}

func (a *API) queueRun(r *http.Request) (int, any) {
	var req RunRequest
	if err := decode(r, &req, false); err != nil {
		return decodeFailed(err)
	}
	if req.Organization == "" || req.Workspace == "" {
		return badRequest(`"organization" and "workspace" are required`)
	}
	id, err := a.cfg.Runs.QueueRun(r.Context(), req.Organization, req.Workspace, req.AgentVersion)
	switch {
	case errors.Is(err, tfc.ErrNotFound):
		return failure(http.StatusNotFound, err.Error())
	case errors.Is(err, tfc.ErrInvalid):
		return badRequest("%v", err)
	case err != nil:
		return failure(http.StatusInternalServerError, err.Error())
	}
	return http.StatusCreated, map[string]string{"id": id}
}
