package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/tfcemu/tfcemu/emulator/internal/entrylog"
)

// deltaCheckReport, when set (by tests), turns on the delta checks of the
// state files opened from then on: every save by entry is replayed on the
// service's previous snapshot and must make its live snapshot; a
// difference (a write path that changed an entry it did not declare) is
// reported here with the service's name.
var deltaCheckReport atomic.Pointer[func(service string, err error)]

// testStateFile, when set (by tests, before any emulator starts), names a
// fresh state file for every emulator built without one, so that a whole
// test set runs its writes through the state file and its checks.
var testStateFile func() string

// deltaCheck is the state file's check of its saves by entry: per
// service, the snapshot the log holds so far.
type deltaCheck struct {
	report func(service string, err error)
	prev   map[string]json.RawMessage
}

// newDeltaCheck is a check when tests turned it on, else nil.
func newDeltaCheck() *deltaCheck {
	report := deltaCheckReport.Load()
	if report == nil {
		return nil
	}
	return &deltaCheck{report: *report, prev: map[string]json.RawMessage{}}
}

// verify checks one service's taken changes against its snapshot taken
// with them; the caller holds the state file's writer lock.
func (c *deltaCheck) verify(name string, inc incremental, t entrylog.Taken) {
	if c == nil {
		return
	}
	if !t.Delta {
		c.prev[name] = t.Raw
		return
	}
	want := c.prev[name]
	if t.Raw != nil {
		got, err := inc.ApplyChanges(want, []json.RawMessage{t.Raw})
		if err != nil {
			c.report(name, err)
			c.prev[name] = t.Snapshot
			return
		}
		want = got
	}
	if err := entrylog.Diff(want, t.Snapshot); err != nil {
		c.report(name, fmt.Errorf("the log by entry differs from the live state: %w", err))
	}
	c.prev[name] = t.Snapshot
}

// unchanged checks that a service the save skipped, its generation still
// gen, has the snapshot last saved (raw; nil when changes by entry
// followed it, which verify checks). A change that counted while the
// snapshot was taken is no failure: the next save takes it.
func (c *deltaCheck) unchanged(name string, s snapshotter, raw json.RawMessage, gen uint64) {
	if c == nil || raw == nil {
		return
	}
	now, err := s.Snapshot()
	if err != nil {
		c.report(name, err)
		return
	}
	if g, ok := s.(generationer); ok && g.Generation() != gen {
		return
	}
	if !bytes.Equal(now, raw) {
		c.report(name, fmt.Errorf("changed while its generation stayed the same: a change path does not count"))
	}
}
