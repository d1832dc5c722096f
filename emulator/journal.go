package emulator

import (
	"sync"
	"time"
)

// journalSize bounds the request journal; the oldest entries go first.
const journalSize = 1000

// JournalEntry is one request the emulator served (admin requests are not
// journaled). Unmatched marks requests no route matched.
type JournalEntry struct {
	Time      time.Time `json:"time"`
	Service   string    `json:"service"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Query     string    `json:"query,omitempty"`
	Status    int       `json:"status"`
	Unmatched bool      `json:"unmatched"`
	// Notes are what the services said of the request: a cloud's
	// decision (see GET /_emulator/<cloud>/decisions).
	Notes []string `json:"notes,omitempty"`
	// Fault is the id of the injected fault that hit the request.
	Fault string `json:"fault,omitempty"`
}

// journal is a bounded ring of requests: adding one is O(1), the oldest
// overwritten once the ring is full.
type journal struct {
	mu      sync.Mutex
	entries []JournalEntry // the ring, up to journalSize
	start   int            // index of the oldest entry once full
}

func (j *journal) add(e JournalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.entries) < journalSize {
		j.entries = append(j.entries, e)
		return
	}
	j.entries[j.start] = e
	j.start = (j.start + 1) % journalSize
}

// Entries returns up to limit of the newest entries, oldest first.
func (j *journal) Entries(limit int, unmatchedOnly bool) []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []JournalEntry{}
	n := len(j.entries)
	for i := range n {
		e := j.entries[(j.start+i)%n]
		if !unmatchedOnly || e.Unmatched {
			out = append(out, e)
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out
}

// Clear empties the journal.
func (j *journal) Clear() {
	j.mu.Lock()
	j.entries, j.start = nil, 0
	j.mu.Unlock()
}
