package tfc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

// PhaseCounts are a plan's or apply's resource counts.
type PhaseCounts struct {
	Additions, Changes, Destructions, Imports int
}

// logKeyPrefix starts the archivist keys of run logs.
const logKeyPrefix = "log-"

// logKey is the unguessable archivist key of a phase's log: its id signed
// with the service's secret, so no key needs storing.
func (s *Service) logKey(phaseID string) string {
	m := hmac.New(sha256.New, s.logSecret)
	m.Write([]byte(phaseID))
	return logKeyPrefix + phaseID + "." + hex.EncodeToString(m.Sum(nil))[:40]
}

// logURL is a phase's log-read-url: an archivist URL on the listener the
// request came in on.
func (s *Service) logURL(r *http.Request, phaseID string) string {
	if s.logSecret == nil {
		return ""
	}
	return *objectURL(r, s.logKey(phaseID))
}

// downloadLog serves a phase log as TFC's archivist does: STX, the log,
// and ETX once the phase is over, windowed by ?offset and ?limit.
func (s *Service) downloadLog(w http.ResponseWriter, r *http.Request, key string) error {
	id, _, _ := strings.Cut(strings.TrimPrefix(key, logKeyPrefix), ".")
	if s.logSecret == nil || !hmac.Equal([]byte(key), []byte(s.logKey(id))) {
		return errNotFound
	}
	var text string
	err := s.store.View(func(st *State) error {
		_, p := st.runOfPhase(id)
		if p == nil {
			return errNotFound
		}
		text = "\x02"
		if len(p.Log) > 0 {
			text += strings.Join(p.Log, "\n") + "\n"
		}
		switch p.Status {
		case "finished", "errored", "canceled", "unreachable":
			text += "\x03"
		}
		return nil
	})
	if err != nil {
		return err
	}
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	if offset < 0 || offset > len(text) {
		offset = len(text)
	}
	text = text[offset:]
	if limit, err := strconv.Atoi(q.Get("limit")); err == nil && limit >= 0 && limit < len(text) {
		text = text[:limit]
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(text)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write([]byte(text))
	}
	return nil
}

// readPlanJSON is GET /plans/:id/json-output (and -redacted): the plan's
// JSON once it finished; 204 while there is none, as TFC answers.
func (s *Service) readPlanJSON(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		r, p := st.runOfPhase(c.path("id"))
		if p == nil || p != r.Plan {
			return nil, errNotFound
		}
		if _, perms, err := st.runFor(c.p, r.ID); err != nil {
			return nil, err
		} else if !perms.canQueueRun {
			return nil, errNotFound
		}
		if r.JSONPlan == nil {
			return nil, errNotFound
		}
		return rawBody{ContentType: "application/json", Data: r.JSONPlan}, nil
	})
}

// runOfPhase finds the run a plan or apply id belongs to, and the phase;
// nil when no run has it.
func (st *State) runOfPhase(id string) (*Run, *Phase) {
	for _, r := range st.Runs {
		for _, p := range []*Phase{r.Plan, r.Apply} {
			if p.ID == id {
				return r, p
			}
		}
	}
	return nil, nil
}
