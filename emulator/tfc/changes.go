package tfc

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// changeSet is what changed in the TFC state since the state file last
// took it: the keys of changed entries per kind, or "everything" (all).
// An Update that declares its changes (State.changes.only) adds them; an
// Update that changes the state without declaring them, a Reset and a
// Restore make it all, so the next save takes the whole snapshot. Only
// the write paths that declare their changes are logged by record; every
// other one is logged whole, as before.
type changeSet struct {
	mu       sync.Mutex
	all      bool
	keys     map[string]map[string]struct{} // kind -> keys
	declared bool                           // the running Update declared its changes
}

func newChangeSet() *changeSet { return &changeSet{all: true, keys: map[string]map[string]struct{}{}} }

// mark records a change of entry key of kind. While the whole state is
// marked (always, when no state file takes the changes) keys are not
// kept.
func (c *changeSet) mark(kind, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all {
		return
	}
	if c.keys[kind] == nil {
		c.keys[kind] = map[string]struct{}{}
	}
	c.keys[kind][key] = struct{}{}
}

// only declares that the running Update changes the entries keys of kind
// and nothing else (it may be called for several kinds); the caller must
// name every entry the Update adds, changes or deletes.
func (c *changeSet) only(kind string, keys ...string) {
	for _, k := range keys {
		c.mark(kind, k)
	}
	c.mu.Lock()
	c.declared = true
	c.mu.Unlock()
}

// markAll makes the next save take the whole state.
func (c *changeSet) markAll() {
	c.mu.Lock()
	c.all = true
	clear(c.keys)
	c.mu.Unlock()
}

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
	if err == nil && !c.declared {
		c.all = true
		clear(c.keys)
	}
	c.declared = false
	c.mu.Unlock()
}

// take returns the changes and forgets them.
func (c *changeSet) take() (all bool, keys map[string]map[string]struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	all, keys = c.all, c.keys
	c.all, c.keys = false, map[string]map[string]struct{}{}
	return all, keys
}

// kindDelta is a log record's part for one kind: the entries added or
// changed, in creation order, and the keys deleted.
type kindDelta struct {
	Upsert []json.RawMessage `json:"upsert,omitempty"`
	Delete []string          `json:"delete,omitempty"`
}

// Changes returns what changed since its last call, for the state file's
// log: the whole snapshot (delta false) when whole is asked for or the
// changes are not known by entry, else the changed entries per kind
// (nil when none). Taking the changes and reading the entries happen
// under the store's lock, so no change falls between two calls.
func (s *Service) Changes(whole bool) (raw json.RawMessage, delta bool, err error) {
	err = s.store.View(func(st *State) error {
		all, keys := st.changes.take()
		if whole || all {
			raw, err = snapshotOf(st)
			return err
		}
		delta = true
		if len(keys) == 0 {
			return nil
		}
		out := map[string]kindDelta{}
		for _, k := range kinds {
			changed := keys[k.name]
			if len(changed) == 0 {
				continue
			}
			if k.get == nil {
				return fmt.Errorf("tfc: kind %s is not logged by entry", k.name)
			}
			type entry struct {
				order int64
				v     any
			}
			var d kindDelta
			var up []entry
			for key := range changed {
				if v, order, ok := k.get(st, key); ok {
					up = append(up, entry{order, v})
				} else {
					d.Delete = append(d.Delete, key)
				}
			}
			sort.Slice(up, func(i, j int) bool { return up[i].order < up[j].order })
			sort.Strings(d.Delete)
			for _, e := range up {
				b, err := json.Marshal(e.v)
				if err != nil {
					return err
				}
				d.Upsert = append(d.Upsert, b)
			}
			out[k.name] = d
		}
		raw, err = json.Marshal(out)
		return err
	})
	if m, ok := s.store.(interface{ markAll() }); ok && err != nil {
		m.markAll() // unsaved: the next call takes the whole state
	}
	return raw, delta, err
}

// markAll makes the state file's next save take the whole state.
func (s *memoryStore) markAll() { s.changes.markAll() }

// ApplyChanges applies deltas (from Changes, in order) to a snapshot and
// returns the snapshot they make: changed entries replace theirs in place,
// new ones follow in order, deleted ones go.
func (s *Service) ApplyChanges(base json.RawMessage, deltas []json.RawMessage) (json.RawMessage, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(base, &members); err != nil {
		return nil, fmt.Errorf("tfc snapshot: %w", err)
	}
	byName := map[string]kind{}
	for _, k := range kinds {
		byName[k.name] = k
	}
	type list struct {
		entries []json.RawMessage
		at      map[string]int // key -> index in entries; -1 deleted
	}
	lists := map[string]*list{}
	open := func(k kind) (*list, error) {
		if l, ok := lists[k.name]; ok {
			return l, nil
		}
		l := &list{at: map[string]int{}}
		if raw, ok := members[k.name]; ok {
			if err := json.Unmarshal(raw, &l.entries); err != nil {
				return nil, fmt.Errorf("tfc snapshot: %s: %w", k.name, err)
			}
		}
		for i, e := range l.entries {
			key, err := k.keyOf(e)
			if err != nil {
				return nil, fmt.Errorf("tfc snapshot: %s: %w", k.name, err)
			}
			l.at[key] = i
		}
		lists[k.name] = l
		return l, nil
	}
	for _, raw := range deltas {
		var d map[string]kindDelta
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("tfc log record: %w", err)
		}
		for name, kd := range d {
			k, ok := byName[name]
			if !ok || k.keyOf == nil {
				return nil, fmt.Errorf("tfc log record: unknown kind %q", name)
			}
			l, err := open(k)
			if err != nil {
				return nil, err
			}
			for _, e := range kd.Upsert {
				key, err := k.keyOf(e)
				if err != nil {
					return nil, fmt.Errorf("tfc log record: %s: %w", name, err)
				}
				if i, ok := l.at[key]; ok && i >= 0 {
					l.entries[i] = e
					continue
				}
				l.at[key] = len(l.entries)
				l.entries = append(l.entries, e)
			}
			for _, key := range kd.Delete {
				if i, ok := l.at[key]; ok && i >= 0 {
					l.entries[i] = nil
					l.at[key] = -1
				}
			}
		}
	}
	for name, l := range lists {
		kept := make([]json.RawMessage, 0, len(l.entries))
		for _, e := range l.entries {
			if e != nil {
				kept = append(kept, e)
			}
		}
		b, err := json.Marshal(kept)
		if err != nil {
			return nil, err
		}
		members[name] = b
	}
	return json.Marshal(members)
}
