package tfc_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/tfcemu/tfcemu/emulator/internal/entrylog"
	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// changesCheck is the state file's log by entry, checked after every
// write of a test's API: each write's changes (Service.Changes), replayed
// on the snapshot the log held before (Service.ApplyChanges), must make
// the live snapshot. A write path that changes an entry it does not
// declare fails the test that takes it.
type changesCheck struct {
	t    *testing.T
	svc  *tfc.Service
	mu   sync.Mutex
	prev json.RawMessage
}

// checkChanges wraps h so that every request but a read checks the
// changes it made.
func checkChanges(t *testing.T, svc *tfc.Service, h http.Handler) http.Handler {
	c := &changesCheck{t: t, svc: svc}
	c.take()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			c.take()
		}
	})
}

// take takes the changes since the last call and checks them.
func (c *changesCheck) take() {
	c.mu.Lock()
	defer c.mu.Unlock()
	got, err := c.svc.Changes(false, true)
	if err != nil {
		c.t.Errorf("changes: %v", err)
		return
	}
	if !got.Delta {
		c.prev = got.Raw
		return
	}
	want := c.prev
	if got.Raw != nil {
		if want, err = c.svc.ApplyChanges(c.prev, []json.RawMessage{got.Raw}); err != nil {
			c.t.Errorf("replaying the changes: %v", err)
		}
	}
	if err := entrylog.Diff(want, got.Snapshot); err != nil {
		c.t.Errorf("a write changed entries it did not declare (the state file's log by entry would lose them): %v", err)
	}
	c.prev = got.Snapshot
}
