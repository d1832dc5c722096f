package vault

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
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

// TestACLCacheFollowsPolicyChanges checks that a compiled ACL kept for a
// policy set gives way when one of its policies is written, deleted or
// created after the ACL was compiled.
func TestACLCacheFollowsPolicyChanges(t *testing.T) {
	parse := func(rules string) *policy {
		p, _, err := parsePolicy("p", rules)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	s := &Server{policies: map[string]*policy{"p": parse(`path "terraform/creds/*" { capabilities = ["read"] }`)}}
	tok := &token{Policies: []string{"p", "q"}}
	steps := []struct {
		change func()
		want   bool
	}{
		{func() {}, true},
		{func() {}, true}, // from the cache
		{func() { s.policies["p"] = parse(`path "terraform/creds/*" { capabilities = ["deny"] }`) }, false},
		{func() { s.policies["q"] = parse(`path "terraform/*" { capabilities = ["read"] }`) }, false}, // deny wins
		{func() { delete(s.policies, "p") }, true},
		{func() { delete(s.policies, "q") }, false},
	}
	for i, st := range steps {
		st.change()
		if got := s.allowed(tok, "terraform/creds/testing", logical.ReadOperation); got != st.want {
			t.Errorf("step %d: allowed %v, want %v", i, got, st.want)
		}
	}
	// Each set has its own ACL: p alone reads, p with a denying q does not.
	s.policies["p"] = parse(`path "terraform/creds/*" { capabilities = ["read"] }`)
	s.policies["q"] = parse(`path "terraform/creds/*" { capabilities = ["deny"] }`)
	alone, both := &token{Policies: []string{"p"}}, &token{Policies: []string{"p", "q"}}
	for range 2 {
		if !s.allowed(alone, "terraform/creds/testing", logical.ReadOperation) || s.allowed(both, "terraform/creds/testing", logical.ReadOperation) {
			t.Error("policy sets share an ACL")
		}
	}
}

// TestACLCacheConcurrent reads through the ACL cache while another
// goroutine rewrites the policy (a data race fails it under -race), and
// once the writes stop the policy last written is the one in force.
func TestACLCacheConcurrent(t *testing.T) {
	read, deny := mustParsePolicy("p", `path "terraform/creds/*" { capabilities = ["read"] }`), mustParsePolicy("p", `path "terraform/creds/*" { capabilities = ["deny"] }`)
	s := &Server{policies: map[string]*policy{"p": read}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			s.mu.Lock()
			s.policies["p"] = []*policy{read, deny}[i%2]
			s.mu.Unlock()
		}
	}()
	tokens := []*token{{Policies: []string{"p"}}, {Policies: []string{"p", "default"}}}
	var allowed, denied int
	for i := 0; ; i++ {
		select {
		case <-done:
			s.policies["p"] = read
			if !s.allowed(tokens[0], "terraform/creds/x", logical.ReadOperation) {
				t.Fatal("the last policy written is not the one in force")
			}
			t.Logf("%d allowed, %d denied while the policy changed", allowed, denied)
			return
		default:
		}
		if s.allowed(tokens[i%2], "terraform/creds/x", logical.ReadOperation) {
			allowed++
		} else {
			denied++
		}
	}
}

// TestSplitPath compares splitPath with strings.Split on "/".
func TestSplitPath(t *testing.T) {
	long := strings.Repeat("a/", 20)
	for _, p := range []string{"", "/", "a", "a/b", "/a/", "terraform/creds/x", "a//b", long} {
		if got, want := splitPath(make([]string, 0, 2), p), strings.Split(p, "/"); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %q, want %q", p, got, want)
		}
	}
}

// mustParsePolicy parses a policy a test writes.
func mustParsePolicy(name, rules string) *policy {
	p, _, err := parsePolicy(name, rules)
	if err != nil {
		panic(err)
	}
	return p
}

// The default policy written out is its text parsed.
func TestDefaultPolicyIsItsText(t *testing.T) {
	if got := mustParsePolicy("default", defaultPolicyText); !reflect.DeepEqual(got, defaultPolicy) {
		t.Errorf("defaultPolicy differs from defaultPolicyText parsed:\n%+v\n%+v", defaultPolicy, got)
	}
}
