package reqinfo

import (
	"context"
	"net/http"
	"sync"
)

type notesKey struct{}

// Notes collects what handlers tell the request journal about a request
// (a cloud's decision, for one).
type Notes struct {
	mu   sync.Mutex
	list []string
}

// List returns the notes in the order they were added.
func (n *Notes) List() []string {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.list...)
}

// TrackNotes returns r carrying a Notes that Note appends to.
func TrackNotes(r *http.Request) (*http.Request, *Notes) {
	n := &Notes{}
	return r.WithContext(context.WithValue(r.Context(), notesKey{}, n)), n
}

// Note adds a note to r's journal entry; without TrackNotes it does nothing.
func Note(r *http.Request, note string) {
	if n, ok := r.Context().Value(notesKey{}).(*Notes); ok {
		n.mu.Lock()
		n.list = append(n.list, note)
		n.mu.Unlock()
	}
}
