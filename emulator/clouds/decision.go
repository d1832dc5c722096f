package clouds

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tfcemu/tfcemu/emulator/internal/reqinfo"
)

// Decision is one exchange a cloud decided: who asked to become whom, with
// which token, and why the cloud said yes or no. No real cloud explains its
// refusals; the emulator does, in GET /_emulator/<cloud>/decisions and in
// the request journal.
type Decision struct {
	// Time is when the cloud decided, on the virtual clock.
	Time time.Time `json:"time"`
	// Cloud is aws, gcp or azure.
	Cloud string `json:"cloud"`
	// Action is the cloud's operation, e.g. sts:AssumeRoleWithWebIdentity.
	Action string `json:"action"`
	// Principal is what the caller asked to become: a role ARN, a service
	// account, an application.
	Principal string `json:"principal"`
	// Claims are the token's claims as the cloud read them (verified or
	// not: a refused signature still shows what the token said).
	Claims map[string]any `json:"claims,omitempty"`
	// Allowed is the outcome.
	Allowed bool `json:"allowed"`
	// Error is the cloud's error code when refused (AccessDenied,
	// InvalidIdentityToken, unauthorized_client, AADSTS700213, ...).
	Error string `json:"error,omitempty"`
	// Reasons say which statement, condition or credential matched or
	// failed and why, in the order they were evaluated.
	Reasons []string `json:"reasons"`
}

// Summary is the decision in one line, for the request journal.
func (d Decision) Summary() string {
	verdict := "allowed"
	if !d.Allowed {
		verdict = "denied"
		if d.Error != "" {
			verdict += " (" + d.Error + ")"
		}
	}
	s := d.Cloud + " " + d.Action + " " + d.Principal + ": " + verdict
	if len(d.Reasons) > 0 {
		s += ": " + strings.Join(d.Reasons, "; ")
	}
	return s
}

// DefaultDecisionLogSize bounds a DecisionLog made with size 0.
const DefaultDecisionLogSize = 200

// DecisionLog is a bounded, concurrency-safe list of the newest decisions.
type DecisionLog struct {
	mu      sync.Mutex
	size    int
	entries []Decision
}

// NewDecisionLog returns a log that keeps the newest size decisions
// (DefaultDecisionLogSize when size <= 0).
func NewDecisionLog(size int) *DecisionLog {
	if size <= 0 {
		size = DefaultDecisionLogSize
	}
	return &DecisionLog{size: size}
}

// Add appends d, dropping the oldest decision when the log is full.
func (l *DecisionLog) Add(d Decision) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) == l.size {
		copy(l.entries, l.entries[1:])
		l.entries = l.entries[:l.size-1]
	}
	l.entries = append(l.entries, d)
}

// List returns the decisions, oldest first (never nil).
func (l *DecisionLog) List() []Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Decision{}, l.entries...)
}

// Clear empties the log.
func (l *DecisionLog) Clear() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}

// Record adds d to the log and notes its summary on the request, so the
// emulator's request journal shows it beside the request.
func (l *DecisionLog) Record(r *http.Request, d Decision) {
	if d.Reasons == nil {
		d.Reasons = []string{}
	}
	l.Add(d)
	if r != nil {
		reqinfo.Note(r, d.Summary())
	}
}
