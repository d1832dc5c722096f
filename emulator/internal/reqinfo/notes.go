package reqinfo

import (
	"net/http"
	"sync"
)

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

// Note adds a note to r's journal entry; unless an Info tracks r with
// Notes it does nothing.
func Note(r *http.Request, note string) {
	if i, ok := r.Context().Value(key{}).(*Info); ok && i.notes != nil {
		i.notes.mu.Lock()
		i.notes.list = append(i.notes.list, note)
		i.notes.mu.Unlock()
	}
}
