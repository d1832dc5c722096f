package features

import (
	"strings"
	"testing"
)

// TestRegistryIsComplete keeps every entry of the registry readable and
// complete: a choice without its reason or source is no use to a reviewer.
func TestRegistryIsComplete(t *testing.T) {
	r, err := LoadRegistry()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Choices) == 0 {
		t.Fatal("no choices recorded")
	}
}

func TestParseRegistryRefusesIncompleteEntries(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"no reason":    {"deviations: [{scenario: a, target: container, expect: fail, link: x}]", "lacks"},
		"bad glob":     {"deviations: [{scenario: '[', target: container, expect: fail, reason: r, link: x}]", "bad glob"},
		"expect pass":  {"deviations: [{scenario: a, target: container, expect: pass, reason: r, link: x}]", `only "fail"`},
		"unknown key":  {"deviation: []", "field deviation not found"},
		"choice lacks": {"choices: [{topic: t}]", "lacks topic, behaviour"},
		"file link":    {"choices: [{topic: t, behaviour: b, reason: r, link: 'notes/vault.md §1'}]", `link "notes/vault.md §1" is not one http(s) URL`},
		"two links":    {"deviations: [{scenario: a, target: container, expect: fail, reason: r, link: 'https://a.example/x; https://b.example/y'}]", "is not one http(s) URL"},
		"no host":      {"deviations: [{scenario: a, target: container, expect: fail, reason: r, link: 'https:///x'}]", "is not one http(s) URL"},
		"other scheme": {"choices: [{topic: t, behaviour: b, reason: r, link: 'ftp://example.com/x'}]", "is not one http(s) URL"},
	} {
		if _, err := ParseRegistry([]byte(tc.yaml)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestLookupMatchesGlobAndTarget(t *testing.T) {
	r, err := ParseRegistry([]byte("deviations: [{scenario: 'A token * clock', target: vault-container, expect: fail, reason: r, link: 'https://example.test/1'}, {scenario: 'Any*', target: '*', expect: fail, reason: r, link: 'https://example.test/2'}]"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Lookup("A token expires on the virtual clock", "vault-container"); !ok {
		t.Error("glob did not match")
	}
	if _, ok := r.Lookup("A token expires on the virtual clock", "container"); ok {
		t.Error("matched another target")
	}
	if _, ok := r.Lookup("Anything", "inprocess"); !ok {
		t.Error("target * did not match")
	}
}
