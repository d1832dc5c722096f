package tfc

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/tfcemu/tfcemu/emulator/internal/entrylog"
)

// changeSet is what changed in the TFC state since the state file last
// took it: the keys of changed entries per kind, or everything. An Update
// declares its changes with State.touch (the helpers that add or delete
// entries, State.remove among them, mark what they change); an Update
// that changes the state without declaring anything, a Reset and a
// Restore mark everything, so the next save takes the whole snapshot.
type changeSet struct {
	*entrylog.Marks
	mu       sync.Mutex
	declared bool // the running Update declared its changes
}

func newChangeSet() *changeSet { return &changeSet{Marks: entrylog.NewMarks()} }

// mark records a change of entry key of kind without declaring the
// running Update's changes: the helpers that add, delete or unlink
// entries (and the token uses any Update folds in) mark what they
// change, and the Update declares its changes with State.touch.
func (c *changeSet) mark(kind, key string) { c.Mark(kind, key) }

// only declares that the running Update changes the entries keys of kind
// (it may be called for several kinds); the Update must declare every
// entry it adds, changes or deletes.
func (c *changeSet) only(kind string, keys ...string) {
	for _, k := range keys {
		c.Mark(kind, k)
	}
	c.mu.Lock()
	c.declared = true
	c.mu.Unlock()
}

// markAll makes the next save take the whole state.
func (c *changeSet) markAll() { c.MarkAll() }

// wholeMember is the mark of a kind logged whole: its snapshot member
// replaces the logged one (an organization's rename changes a key, which
// an entry's replay would move to the end of its list).
const wholeMember = "\x00whole"

// onUndeclared, when set (tfc's tests), is called by an Update that
// succeeded without declaring its changes: every write path declares
// them, so the state file logs it by entry.
var onUndeclared func()

// begin starts an Update.
func (c *changeSet) begin() {
	c.mu.Lock()
	c.declared = false
	c.mu.Unlock()
}

// end closes an Update that returned err: one that succeeded without
// declaring its changes may have changed anything. (A refused Update
// changed nothing.)
func (c *changeSet) end(err error) {
	c.mu.Lock()
	undeclared := err == nil && !c.declared
	c.declared = false
	c.mu.Unlock()
	if undeclared {
		if onUndeclared != nil {
			onUndeclared()
		}
		c.MarkAll()
	}
}

// touch declares that the running Update adds, changes or deletes the
// entries keys of kind.
func (st *State) touch(kind string, keys ...string) { st.changes.only(kind, keys...) }

// touchKind declares that the running Update changes kind in a way its
// entries' replay would not make (a key renamed): the save logs the
// kind's whole snapshot member.
func (st *State) touchKind(kind string) { st.changes.only(kind, wholeMember) }

// touchAll declares that the running Update may change anything (a
// Restore): the next save takes the whole state.
func (st *State) touchAll() {
	st.changes.markAll()
	st.changes.only("")
}

// Changes returns what changed since its last call, for the state file's
// log: the whole snapshot when whole is asked for or the changes are not
// known by entry, else an entrylog.Record of the changed entries per kind
// (nil when none); with snapshot, the whole snapshot as well. It all
// happens under the store's lock, so no change falls between two calls.
func (s *Service) Changes(whole, snapshot bool) (out entrylog.Taken, err error) {
	err = s.store.View(func(st *State) error {
		all, keys := st.changes.Take()
		if snapshot || whole || all {
			raw, err := snapshotOf(st)
			if err != nil {
				return err
			}
			out.Snapshot = raw
			if whole || all {
				out.Raw = raw
				return nil
			}
		}
		out.Delta = true
		if len(keys) == 0 {
			return nil
		}
		rec := entrylog.Record{}
		for _, k := range kinds {
			changed := keys[k.name]
			if len(changed) == 0 {
				continue
			}
			if _, whole := changed[wholeMember]; whole {
				b, err := json.Marshal(k.save(st))
				if err != nil {
					return err
				}
				rec[k.name] = entrylog.Member{Set: b}
				continue
			}
			if k.get == nil {
				return fmt.Errorf("tfc: kind %s is not logged by entry", k.name)
			}
			m, err := k.changes(st, changed)
			if err != nil {
				return err
			}
			rec[k.name] = m
		}
		out.Raw, err = json.Marshal(rec)
		return err
	})
	if m, ok := s.store.(interface{ markAll() }); ok && err != nil {
		m.markAll() // unsaved: the next call takes the whole state
	}
	return out, err
}

// changes is the record member of a kind's changed entries: those still
// there (in creation order; by key for an object member), and the keys
// of those deleted.
func (k kind) changes(st *State, changed map[string]struct{}) (entrylog.Member, error) {
	type entry struct {
		key   string
		order int64
		v     any
	}
	var m entrylog.Member
	var up []entry
	for key := range changed {
		if v, order, ok := k.get(st, key); ok {
			up = append(up, entry{key, order, v})
		} else {
			m.Delete = append(m.Delete, key)
		}
	}
	sort.Slice(up, func(i, j int) bool { return up[i].order < up[j].order })
	sort.Strings(m.Delete)
	for _, e := range up {
		b, err := json.Marshal(e.v)
		if err != nil {
			return m, err
		}
		if k.keyOf == nil {
			if m.Put == nil {
				m.Put = map[string]json.RawMessage{}
			}
			m.Put[e.key] = b
			continue
		}
		m.Upsert = append(m.Upsert, b)
	}
	return m, nil
}

// markAll makes the state file's next save take the whole state.
func (s *memoryStore) markAll() { s.changes.markAll() }

// ApplyChanges applies records (from Changes, in order) to a snapshot
// and returns the snapshot they make: changed entries replace theirs in
// place, new ones follow in order, deleted ones go.
func (s *Service) ApplyChanges(base json.RawMessage, records []json.RawMessage) (json.RawMessage, error) {
	raw, err := entrylog.Apply(base, records, func(name string) (entrylog.Layout, bool) {
		for _, k := range kinds {
			if k.name == name && k.get != nil {
				return entrylog.Layout{Key: k.keyOf, OmitEmpty: k.optional}, true
			}
		}
		return entrylog.Layout{}, false
	})
	if err != nil {
		return nil, fmt.Errorf("tfc %w", err)
	}
	return raw, nil
}
