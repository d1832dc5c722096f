package entrylog

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestApply replays records on a snapshot for each member layout: a list
// in creation order (changed entries in place, new ones last), a list by
// key, an object, a member set whole, and a list left out when empty.
func TestApply(t *testing.T) {
	id := func(raw json.RawMessage) (string, error) {
		var e struct{ ID string }
		err := json.Unmarshal(raw, &e)
		return e.ID, err
	}
	layouts := map[string]Layout{
		"list":   {Key: id},
		"sorted": {Key: id, Sorted: true},
		"object": {},
		"opt":    {Key: id, OmitEmpty: true},
	}
	layout := func(name string) (Layout, bool) { l, ok := layouts[name]; return l, ok }
	for _, tc := range []struct {
		name, base string
		records    []string
		want       string
		err        string
	}{
		{"list keeps creation order", `{"list":[{"ID":"b"},{"ID":"a"}]}`,
			[]string{`{"list":{"upsert":[{"ID":"c"},{"ID":"a","v":1}],"delete":["b"]}}`},
			`{"list":[{"ID":"a","v":1},{"ID":"c"}]}`, ""},
		{"a deleted entry made again comes last", `{"list":[{"ID":"a"},{"ID":"b"}]}`,
			[]string{`{"list":{"delete":["a"]}}`, `{"list":{"upsert":[{"ID":"a","v":2}]}}`},
			`{"list":[{"ID":"b"},{"ID":"a","v":2}]}`, ""},
		{"sorted list by key", `{"sorted":[{"ID":"b"},{"ID":"d"}]}`,
			[]string{`{"sorted":{"upsert":[{"ID":"c"},{"ID":"a"}],"delete":["d"]}}`},
			`{"sorted":[{"ID":"a"},{"ID":"b"},{"ID":"c"}]}`, ""},
		{"object put and delete", `{"object":{"x":"1","y":"2"}}`,
			[]string{`{"object":{"put":{"z":"3","x":"0"},"delete":["y"]}}`},
			`{"object":{"x":"0","z":"3"}}`, ""},
		{"a member set whole", `{"key":"old","list":[]}`,
			[]string{`{"key":{"set":"new"}}`},
			`{"key":"new","list":[]}`, ""},
		{"an emptied optional member goes", `{"opt":[{"ID":"a"}]}`,
			[]string{`{"opt":{"delete":["a"]}}`},
			`{}`, ""},
		{"a new member", `{}`,
			[]string{`{"list":{"upsert":[{"ID":"a"}]}}`},
			`{"list":[{"ID":"a"}]}`, ""},
		{"an unknown member", `{}`, []string{`{"nope":{"upsert":[{"ID":"a"}]}}`}, "", "unknown member"},
		{"a snapshot that is not an object", `[1]`, nil, "", "snapshot"},
		{"a torn record", `{}`, []string{`{"list":`}, "", "log record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var records []json.RawMessage
			for _, r := range tc.records {
				records = append(records, json.RawMessage(r))
			}
			got, err := Apply(json.RawMessage(tc.base), records, layout)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := Diff(got, json.RawMessage(tc.want)); err != nil {
				t.Fatalf("%s: got %s, want %s", err, got, tc.want)
			}
			if string(got) != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestMarks: marks are kept once everything has been taken, and a
// MarkAll makes the next take everything.
func TestMarks(t *testing.T) {
	m := NewMarks()
	m.Mark("list", "ignored")
	if all, keys := m.Take(); !all || len(keys) != 0 {
		t.Fatalf("first take: all %v keys %v, want everything", all, keys)
	}
	m.Mark("list", "a")
	m.Mark("list", "a")
	m.Mark("other", "b")
	if all, keys := m.Take(); all || len(keys["list"]) != 1 || len(keys["other"]) != 1 {
		t.Fatalf("take: all %v keys %v", all, keys)
	}
	if all, keys := m.Take(); all || len(keys) != 0 {
		t.Fatalf("an empty take: all %v keys %v", all, keys)
	}
	m.Mark("list", "c")
	m.MarkAll()
	if all, keys := m.Take(); !all || len(keys) != 0 {
		t.Fatalf("after MarkAll: all %v keys %v", all, keys)
	}
}

// TestDiff names the member, entry and fields that differ.
func TestDiff(t *testing.T) {
	if err := Diff(json.RawMessage(`{"a":[{"ID":"x","v":1}],"b":2}`), json.RawMessage(`{"b":2,"a":[{"ID":"x","v":1}]}`)); err != nil {
		t.Fatalf("same snapshots: %v", err)
	}
	err := Diff(json.RawMessage(`{"a":[{"ID":"x","v":1}]}`), json.RawMessage(`{"a":[{"ID":"x","v":2}]}`))
	if err == nil || !strings.Contains(err.Error(), "member a entry 0") || !strings.Contains(err.Error(), "v: logged 1, live 2") {
		t.Fatalf("differing snapshots: %v", err)
	}
}
