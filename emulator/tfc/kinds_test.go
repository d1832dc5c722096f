package tfc

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"
	"unicode"
)

// TestEveryStateMapIsAKind fails when a map is added to State without its
// entry in kinds (so it would be neither persisted nor cascaded), or a
// kind names no State map.
func TestEveryStateMapIsAKind(t *testing.T) {
	declared := map[string]bool{}
	for _, k := range kinds {
		if declared[k.name] {
			t.Errorf("kind %s declared twice", k.name)
		}
		declared[k.name] = true
	}
	typ := reflect.TypeOf(State{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Type.Kind() != reflect.Map {
			continue
		}
		exported := unicode.IsUpper(rune(f.Name[0]))
		switch {
		case exported && !declared[f.Name]:
			t.Errorf("State.%s has no entry in kinds (kinds.go)", f.Name)
		case !exported && !slices.Contains(derivedIndexes, f.Name):
			t.Errorf("State.%s is neither a kind nor listed in derivedIndexes", f.Name)
		}
		delete(declared, f.Name)
	}
	for name := range declared {
		t.Errorf("kind %s is no State map", name)
	}
	st := newState()
	v := reflect.ValueOf(st).Elem()
	for i := range v.NumField() {
		if v.Field(i).Kind() == reflect.Map && v.Field(i).IsNil() {
			t.Errorf("newState leaves State.%s nil", typ.Field(i).Name)
		}
	}
}

// restoreOld restores the snapshot an emulator wrote before kinds were
// declared in one table (a workspace with a variable, a team access, an
// agent pool with a token, a configuration version).
func restoreOld(t *testing.T) (*Service, []byte) {
	t.Helper()
	old, err := os.ReadFile("testdata/snapshot-before-kinds.json")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newTestService(t)
	if err := s.Restore(old); err != nil {
		t.Fatalf("old snapshot refused: %v", err)
	}
	return s, old
}

// TestOldSnapshotRestores: a snapshot in the format written before the
// kinds table restores, and snapshots back to the same document.
func TestOldSnapshotRestores(t *testing.T) {
	s, old := restoreOld(t)
	again, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var want, got map[string]any
	if err := json.Unmarshal(old, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &got); err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{"Workspaces", "Vars", "TeamWorkspaces", "AgentPools", "Tokens", "ConfigVersions", "Objects"} {
		if list, _ := want[member].([]any); len(list) == 0 {
			t.Errorf("the old snapshot has no %s to prove anything with", member)
		}
	}
	// Snapshots of that time listed a seeded team twice (under the seed's
	// id and a generated one); a restore keeps one, at its last position.
	for member, v := range want {
		if list, ok := v.([]any); ok {
			want[member] = lastOfEachID(list)
		}
	}
	for member := range want {
		if _, ok := got[member]; !ok {
			t.Errorf("member %s lost", member)
		}
	}
	for member, v := range got {
		if !reflect.DeepEqual(want[member], v) {
			a, _ := json.Marshal(want[member])
			b, _ := json.Marshal(v)
			t.Errorf("member %s snapshots differently:\nold %s\nnew %s", member, a, b)
		}
	}
}

// TestRemoveLeavesNoDanglingReference deletes, one at a time, every entry
// of the kinds that can go with what they own, and checks the state still
// passes every kind's reference check.
func TestRemoveLeavesNoDanglingReference(t *testing.T) {
	s, _ := restoreOld(t)
	var st *State
	_ = s.store.View(func(cur *State) error { st = cur; return nil })
	for _, name := range []string{"Orgs", "Workspaces", "Teams", "AgentPools", "Modules", "Tokens", "ConfigVersions"} {
		var keys []string
		for _, k := range kinds {
			if k.name == name {
				m := reflect.ValueOf(st).Elem().FieldByName(name)
				for _, key := range m.MapKeys() {
					keys = append(keys, key.String())
				}
			}
		}
		if len(keys) == 0 {
			t.Errorf("no %s to delete", name)
		}
		for _, key := range keys {
			s2, _ := restoreOld(t)
			err := s2.store.Update(func(cur *State) error {
				cur.touch(name, key)
				if name == "Teams" && cur.Teams[key].Name == OwnersTeamName {
					return nil // an organization's owners team goes only with it
				}
				cur.remove(name, key)
				return cur.checkReferences()
			})
			if err != nil {
				t.Errorf("after removing %s %s: %v", name, key, err)
			}
		}
	}
}

// lastOfEachID keeps, of entries with the same id (ID, Key or Name), the
// last one, where it stands.
func lastOfEachID(list []any) []any {
	id := func(v any) any {
		m, _ := v.(map[string]any)
		for _, f := range []string{"ID", "Key", "Name"} {
			if x, ok := m[f]; ok {
				return x
			}
		}
		return v
	}
	last := map[any]int{}
	for i, v := range list {
		last[id(v)] = i
	}
	out := []any{}
	for i, v := range list {
		if last[id(v)] == i {
			out = append(out, v)
		}
	}
	return out
}
