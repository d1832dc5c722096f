// Package entrylog is what the state file's write-ahead log needs from a
// service that logs its changes by entry (TFC, Vault) rather than as
// whole snapshots: the set of entries changed since the last save
// (Marks), the record of those changes (Record), and its replay on a
// snapshot (Apply).
//
// A service's snapshot is a JSON object whose members are either lists
// of entries, each with a key (TFC's kinds, Vault's tokens and leases),
// objects keyed by entry, or values the record replaces whole.
package entrylog

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// Marks is what changed in a service since the state file last took it:
// the keys of changed entries per member, or everything (all).
type Marks struct {
	mu   sync.Mutex
	all  bool
	keys map[string]map[string]struct{} // member -> keys
}

// NewMarks returns marks of everything: the first save takes the whole
// snapshot.
func NewMarks() *Marks { return &Marks{all: true, keys: map[string]map[string]struct{}{}} }

// Mark records a change of entry key of member. While everything is
// marked (always, when no state file takes the changes) keys are not
// kept.
func (m *Marks) Mark(member, key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.all {
		return
	}
	if m.keys[member] == nil {
		m.keys[member] = map[string]struct{}{}
	}
	m.keys[member][key] = struct{}{}
}

// MarkAll makes the next save take the whole snapshot.
func (m *Marks) MarkAll() {
	m.mu.Lock()
	m.all = true
	clear(m.keys)
	m.mu.Unlock()
}

// Take returns the marks and forgets them.
func (m *Marks) Take() (all bool, keys map[string]map[string]struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	all, keys = m.all, m.keys
	m.all, m.keys = false, map[string]map[string]struct{}{}
	return all, keys
}

// Member is a record's part for one snapshot member: for a list, the
// entries added or changed (in the order new ones are appended) and the
// keys deleted; for an object, the entries put and the keys deleted;
// for any other member, its new value (Set).
type Member struct {
	Upsert []json.RawMessage          `json:"upsert,omitempty"`
	Put    map[string]json.RawMessage `json:"put,omitempty"`
	Delete []string                   `json:"delete,omitempty"`
	Set    json.RawMessage            `json:"set,omitempty"`
}

// Record is one save's changes: member name -> its changes.
type Record map[string]Member

// Layout tells Apply how a snapshot member holds its entries.
type Layout struct {
	// Key is the key of a list entry; nil for an object member.
	Key func(json.RawMessage) (string, error)
	// Sorted lists keep their entries ordered by key (else new entries
	// follow the old ones).
	Sorted bool
	// OmitEmpty members are left out of the snapshot when they hold no
	// entry.
	OmitEmpty bool
}

// Apply replays records (in order) on a snapshot and returns the snapshot
// they make: a changed entry replaces its own, new ones are added, deleted
// ones go, and a Set member takes its new value. layout gives the layout
// of each member a record changes by entry.
func Apply(base json.RawMessage, records []json.RawMessage, layout func(member string) (Layout, bool)) (json.RawMessage, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(base, &members); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if members == nil {
		return nil, fmt.Errorf("snapshot: not an object")
	}
	type list struct {
		layout  Layout
		entries []json.RawMessage
		at      map[string]int // key -> index in entries; -1 deleted
		object  map[string]json.RawMessage
	}
	lists := map[string]*list{}
	open := func(name string) (*list, error) {
		if l, ok := lists[name]; ok {
			return l, nil
		}
		lay, ok := layout(name)
		if !ok {
			return nil, fmt.Errorf("log record: unknown member %q", name)
		}
		l := &list{layout: lay, at: map[string]int{}}
		raw, have := members[name]
		if lay.Key == nil {
			l.object = map[string]json.RawMessage{}
			if have {
				if err := json.Unmarshal(raw, &l.object); err != nil {
					return nil, fmt.Errorf("snapshot: %s: %w", name, err)
				}
			}
			lists[name] = l
			return l, nil
		}
		if have {
			if err := json.Unmarshal(raw, &l.entries); err != nil {
				return nil, fmt.Errorf("snapshot: %s: %w", name, err)
			}
		}
		for i, e := range l.entries {
			key, err := lay.Key(e)
			if err != nil {
				return nil, fmt.Errorf("snapshot: %s: %w", name, err)
			}
			l.at[key] = i
		}
		lists[name] = l
		return l, nil
	}
	for _, raw := range records {
		var rec Record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("log record: %w", err)
		}
		for name, m := range rec {
			if m.Set != nil {
				members[name] = m.Set
				delete(lists, name)
				continue
			}
			l, err := open(name)
			if err != nil {
				return nil, err
			}
			if l.object != nil {
				for k, v := range m.Put {
					l.object[k] = v
				}
				for _, k := range m.Delete {
					delete(l.object, k)
				}
				continue
			}
			for _, e := range m.Upsert {
				key, err := l.layout.Key(e)
				if err != nil {
					return nil, fmt.Errorf("log record: %s: %w", name, err)
				}
				if i, ok := l.at[key]; ok && i >= 0 {
					l.entries[i] = e
					continue
				}
				l.at[key] = len(l.entries)
				l.entries = append(l.entries, e)
			}
			for _, key := range m.Delete {
				if i, ok := l.at[key]; ok && i >= 0 {
					l.entries[i] = nil
					l.at[key] = -1
				}
			}
		}
	}
	for name, l := range lists {
		var v any = l.object
		size := len(l.object)
		if l.object == nil {
			kept := make([]json.RawMessage, 0, len(l.entries))
			keys := make([]string, 0, len(l.entries))
			for key, i := range l.at {
				if i >= 0 {
					keys = append(keys, key)
				}
			}
			if l.layout.Sorted {
				sort.Strings(keys)
			} else {
				sort.Slice(keys, func(i, j int) bool { return l.at[keys[i]] < l.at[keys[j]] })
			}
			for _, key := range keys {
				kept = append(kept, l.entries[l.at[key]])
			}
			v, size = kept, len(kept)
		}
		if size == 0 && l.layout.OmitEmpty {
			delete(members, name)
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		members[name] = b
	}
	return json.Marshal(members)
}

// Taken is what a service's Changes returns: its whole snapshot (Delta
// false) or a Record of its changes by entry (Delta true; nil Raw for
// none), and, when asked for (the state file's checks in tests), the
// whole snapshot taken at the same moment.
type Taken struct {
	Raw      json.RawMessage
	Delta    bool
	Snapshot json.RawMessage
}
