package admin

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Fault is an injected fault: requests whose path starts with PathPrefix
// (and whose method is Method, if set) wait Latency and/or get Status.
// Count limits how many requests it hits (0: all).
type Fault struct {
	ID         string `json:"id"`
	Method     string `json:"method,omitempty"`
	PathPrefix string `json:"path_prefix"`
	Status     int    `json:"status,omitempty"`
	Latency    string `json:"latency,omitempty"`
	Count      int    `json:"count,omitempty"`
}

// Observability is the journal, the faults and snapshots.
type Observability interface {
	JournalEntries(limit int, unmatchedOnly bool) any
	ClearJournal()
	AddFault(Fault) (Fault, error)
	Faults() []Fault
	DeleteFault(id string) bool
	Snapshot() (json.RawMessage, error)
	Restore(json.RawMessage) error
}

func (a *API) requests(r *http.Request) (int, any) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest(`"limit" must be a non-negative number`)
		}
		limit = n
	}
	return http.StatusOK, map[string]any{"requests": a.cfg.Observe.JournalEntries(limit, r.URL.Query().Get("unmatched") == "true")}
}

func (a *API) clearRequests(*http.Request) (int, any) {
	a.cfg.Observe.ClearJournal()
	return http.StatusNoContent, nil
}

func (a *API) listFaults(*http.Request) (int, any) {
	return http.StatusOK, map[string]any{"faults": a.cfg.Observe.Faults()}
}

func (a *API) addFault(r *http.Request) (int, any) {
	var f Fault
	if err := decode(r, &f, false); err != nil {
		return decodeFailed(err)
	}
	if f.ID != "" {
		return badRequest(`"id" is assigned by the emulator`)
	}
	out, err := a.cfg.Observe.AddFault(f)
	if err != nil {
		return badRequest("%v", err)
	}
	return http.StatusCreated, out
}

func (a *API) deleteFault(r *http.Request) (int, any) {
	if !a.cfg.Observe.DeleteFault(r.PathValue("id")) {
		return failure(http.StatusNotFound, "no fault "+r.PathValue("id"))
	}
	return http.StatusNoContent, nil
}

func (a *API) deleteFaults(*http.Request) (int, any) {
	a.cfg.Observe.DeleteFault("")
	return http.StatusNoContent, nil
}

func (a *API) getSnapshot(*http.Request) (int, any) {
	raw, err := a.cfg.Observe.Snapshot()
	if err != nil {
		return failure(http.StatusInternalServerError, err.Error())
	}
	return http.StatusOK, raw
}

func (a *API) putSnapshot(r *http.Request) (int, any) {
	limit := a.cfg.MaxSnapshotBytes
	if limit <= 0 {
		limit = MaxSnapshotBytes
	}
	var raw json.RawMessage
	if err := decodeLimit(r, &raw, false, limit); err != nil {
		return decodeFailed(err)
	}
	if err := a.cfg.Observe.Restore(raw); err != nil {
		return badRequest("snapshot not restored, state unchanged: %v", err)
	}
	return http.StatusNoContent, nil
}
