package tfc

import (
	"encoding/json"
	"fmt"
)

// kind is one declared resource kind, as the store and snapshot use it.
type kind struct {
	// name is the State field and the snapshot member, e.g. "Workspaces".
	name string
	// optional kinds are absent from older snapshots and left out of new
	// ones when empty.
	optional bool
	init     func(st *State)
	size     func(st *State) int
	// save is the kind's snapshot member: its entries in creation order.
	save func(st *State) any
	// load puts a snapshot member's entries in the state.
	load func(st *State, raw json.RawMessage) error
	// check refuses entries that point at what the state does not hold.
	check func(st *State) error
	// children are the keys of the entries that an entry id of kind
	// parent owns.
	children func(st *State, parent, id string) []string
	// del deletes one entry, and what points at it without owning it.
	del func(st *State, id string)
	// renameOrg follows an organization's rename, marking each entry it
	// renames.
	renameOrg func(st *State, old, name string)
	// get is an entry by key and its creation order (nil for a kind
	// whose entries are not records: it is never logged by record).
	get func(st *State, key string) (v any, order int64, ok bool)
	// keyOf is the key of a snapshot entry (a write-ahead log record's
	// replay finds it so); nil for a kind whose snapshot member is an
	// object keyed by entry.
	keyOf func(raw json.RawMessage) (string, error)
}

// entity is a resource kept in a State map, in creation order.
type entity interface {
	comparable
	order() int64
}

// spec is the typed declaration of a kind.
type spec[T entity] struct {
	name     string
	optional bool
	m        func(*State) *map[string]T
	key      func(T) string
	setSeq   func(T, int64)
	// org is the organization (by name) an entry belongs to, if any: it
	// owns the entry and is renamed in it.
	org func(T) *string
	// owners gives, per owning kind, the key of an entry's owner ("" for
	// none): deleting the owner deletes the entry.
	owners map[string]func(T) string
	// refs refuses an entry pointing at what the state does not hold.
	refs func(*State, T) error
	// check is a check over the whole kind, beside refs.
	check func(*State) error
	// add puts a restored entry in the state; nil gives it the next
	// sequence number and stores it by key.
	add func(*State, T) error
	// unlink, called before an entry is deleted, clears what points at it
	// without owning it (indexes, attachments).
	unlink func(st *State, id string)
}

// declare turns a typed declaration into a kind.
func declare[T entity](s spec[T]) kind {
	if s.org != nil {
		owners := map[string]func(T) string{"Orgs": func(v T) string { return *s.org(v) }}
		for parent, of := range s.owners {
			owners[parent] = of
		}
		s.owners = owners
	}
	return kind{
		name:     s.name,
		optional: s.optional,
		init:     func(st *State) { *s.m(st) = map[string]T{} },
		size:     func(st *State) int { return len(*s.m(st)) },
		save:     func(st *State) any { return sortedBySeq(*s.m(st), nil) },
		load: func(st *State, raw json.RawMessage) error {
			var list []T
			if err := json.Unmarshal(raw, &list); err != nil {
				return fmt.Errorf("tfc snapshot: %s: %w", s.name, err)
			}
			var zero T
			m := *s.m(st)
			for _, v := range list {
				if v == zero || s.key(v) == "" {
					return fmt.Errorf("tfc snapshot: a null entry or one without its id")
				}
				if s.add != nil {
					if err := s.add(st, v); err != nil {
						return err
					}
					continue
				}
				s.setSeq(v, st.next())
				m[s.key(v)] = v
			}
			return nil
		},
		check: func(st *State) error {
			if s.refs != nil {
				for _, v := range sortedBySeq(*s.m(st), nil) {
					if err := s.refs(st, v); err != nil {
						return err
					}
				}
			}
			if s.check != nil {
				return s.check(st)
			}
			return nil
		},
		children: func(st *State, parent, id string) []string {
			of, ok := s.owners[parent]
			if !ok || id == "" {
				return nil
			}
			var out []string
			for k, v := range *s.m(st) {
				if of(v) == id {
					out = append(out, k)
				}
			}
			return out
		},
		del: func(st *State, id string) {
			if _, ok := (*s.m(st))[id]; !ok {
				return
			}
			if s.unlink != nil {
				s.unlink(st, id)
			}
			delete(*s.m(st), id)
		},
		get: func(st *State, key string) (any, int64, bool) {
			v, ok := (*s.m(st))[key]
			if !ok {
				return nil, 0, false
			}
			return v, v.order(), true
		},
		keyOf: func(raw json.RawMessage) (string, error) {
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				return "", err
			}
			var zero T
			if v == zero {
				return "", fmt.Errorf("a null entry")
			}
			return s.key(v), nil
		},
		renameOrg: func(st *State, old, name string) {
			if s.org == nil {
				return
			}
			for _, v := range *s.m(st) {
				if f := s.org(v); *f == old {
					*f = name
					st.changes.mark(s.name, s.key(v))
				}
			}
		},
	}
}

// remove deletes an entry of a kind and, first, everything it owns, down
// the kinds table's owner links; it marks for the state file every entry
// it deletes or changes (the running Update still declares its changes).
func (st *State) remove(kindName, id string) {
	for _, k := range kinds {
		for _, child := range k.children(st, kindName, id) {
			st.remove(k.name, child)
		}
	}
	for _, k := range kinds {
		if k.name == kindName {
			k.del(st, id)
			st.changes.mark(kindName, id)
			return
		}
	}
	panic("tfc: unknown kind " + kindName)
}
