package vault

import (
	"strings"
	"testing"
)

// TestACLPathMatching checks the rule Vault picks for a path, with the
// examples of Vault's policy documentation and acl.go's priority comments.
func TestACLPathMatching(t *testing.T) {
	p, _, err := parsePolicy("t", `
path "secret/*"            { capabilities = ["read"] }
path "secret/super-secret" { capabilities = ["deny"] }
path "secret/foo"          { capabilities = ["create"] }
path "secret/+/teamb"      { capabilities = ["update"] }
path "secret/+/+/teamb"    { capabilities = ["delete"] }
path "secret/a*"           { capabilities = ["list"] }
path "secret/bar/+/baz"    { capabilities = ["sudo", "read"] }
path "secret/+/x/baz"      { capabilities = ["patch"] }
path "kv/data/+/*"         { capabilities = ["read", "list"] }
path "list-only"           { capabilities = ["list"] }
`)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{policies: map[string]*policy{"t": p}}
	tok := &token{Policies: []string{"t"}}
	cases := []struct {
		path string
		want string
	}{
		{"secret/zzz", "read"},
		{"secret/super-secret", "deny"},
		{"secret/foo", "create"},
		{"secret/x/teamb", "update"},
		{"secret/x/y/teamb", "delete"},
		{"secret/abc", "list"},            // the longer glob wins over secret/*
		{"secret/abc/teamb", "list"},      // glob at 8 outranks + at 7
		{"secret/bar/q/baz", "read,sudo"}, // first wildcard later wins
		{"secret/q/x/baz", "patch"},
		{"kv/data/app/config", "list,read"},
		{"kv/data/app", "deny"}, // kv/data/+/* needs a third segment
		{"list-only/", "list"},  // a list on "x/" may use the exact rule "x"
		{"other", "deny"},
	}
	for _, tc := range cases {
		if got := strings.Join(s.capabilities(tok, tc.path), ","); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.path, got, tc.want)
		}
	}
}

func TestPolicyMergeDenyWins(t *testing.T) {
	a := mustParsePolicy("a", `path "x/*" { capabilities = ["read", "list"] }`)
	b := mustParsePolicy("b", `path "x/*" { capabilities = ["deny"] }`)
	c := mustParsePolicy("c", `path "x/*" { capabilities = ["update"] }`)
	s := &Server{policies: map[string]*policy{"a": a, "b": b, "c": c}}
	if got := s.capabilities(&token{Policies: []string{"a", "c"}}, "x/y"); strings.Join(got, ",") != "list,read,update" {
		t.Fatalf("a+c = %v", got)
	}
	if got := s.capabilities(&token{Policies: []string{"a", "b", "c"}}, "x/y"); strings.Join(got, ",") != "deny" {
		t.Fatalf("a+b+c = %v", got)
	}
}

func TestServiceTokenFormat(t *testing.T) {
	s := &Server{hmacKey: []byte("k")}
	id := s.newServiceTokenID()
	if len(id) != 95 || !strings.HasPrefix(id, "hvs.CAESI") {
		t.Fatalf("token %q (%d chars), want 95 starting hvs.CAESI as Vault's", id, len(id))
	}
	if s.newServiceTokenID() == id {
		t.Fatal("two tokens alike")
	}
}
