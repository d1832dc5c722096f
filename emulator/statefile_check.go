package emulator

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	"github.com/tfcemu/tfcemu/emulator/internal/entrylog"
)

// deltaCheckReport, when set (by tests, before any emulator starts),
// turns on the state file's delta checks: every save by entry is
// replayed on the service's previous snapshot and must make its live
// snapshot; a difference (a write path that changed an entry it did not
// declare) is reported here with the service's name.
var deltaCheckReport func(service string, err error)

// testStateFile, when set (by tests, before any emulator starts), names a
// fresh state file for every emulator built without one, so that a whole
// test set runs its writes through the state file and its checks.
var testStateFile func() string

// deltaCheck is the state file's check of its saves by entry: per
// service, the snapshot the log holds so far.
type deltaCheck struct{ prev map[string]json.RawMessage }

// newDeltaCheck is a check when tests turned it on, else nil.
func newDeltaCheck() *deltaCheck {
	if deltaCheckReport == nil {
		return nil
	}
	return &deltaCheck{prev: map[string]json.RawMessage{}}
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
			deltaCheckReport(name, err)
			c.prev[name] = t.Snapshot
			return
		}
		want = got
	}
	if err := sameJSON(want, t.Snapshot); err != nil {
		deltaCheckReport(name, fmt.Errorf("the log by entry differs from the live state: %w", err))
	}
	c.prev[name] = t.Snapshot
}

// sameJSON reports where two snapshots differ: the first member, and in
// a list the first entry, that is not the same.
func sameJSON(logged, live json.RawMessage) error {
	var a, b map[string]any
	if err := json.Unmarshal(logged, &a); err != nil {
		return err
	}
	if err := json.Unmarshal(live, &b); err != nil {
		return err
	}
	names := map[string]bool{}
	for k := range a {
		names[k] = true
	}
	for k := range b {
		names[k] = true
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if reflect.DeepEqual(a[k], b[k]) {
			continue
		}
		la, oka := a[k].([]any)
		lb, okb := b[k].([]any)
		if oka && okb {
			for i := range max(len(la), len(lb)) {
				var x, y any
				if i < len(la) {
					x = la[i]
				}
				if i < len(lb) {
					y = lb[i]
				}
				if !reflect.DeepEqual(x, y) {
					return fmt.Errorf("member %s entry %d: logged %s, live %s", k, i, short(x), short(y))
				}
			}
		}
		return fmt.Errorf("member %s: logged %s, live %s", k, short(a[k]), short(b[k]))
	}
	return nil
}

// short is v as JSON, cut to a readable length.
func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
