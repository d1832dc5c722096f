package vault

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// TestEnvelopeJSONIsEncodingJSON checks that the hand-written envelope
// encoder writes the bytes json.Encoder writes, on envelopes with every
// kind of member and strings that need each escape.
func TestEnvelopeJSONIsEncodingJSON(t *testing.T) {
	auth := authBlockOf(&logical.Auth{ClientToken: "hvs.x", Accessor: "acc", Policies: []string{"default", "<p>"},
		Metadata: map[string]string{"role": "r&d"}, TTL: time.Hour, Renewable: true, EntityID: "e"})
	strs := []string{"", "plain", `q"uote`, `back\slash`, "<script>&amp;</script>", "tab\tnew\nline\r", "\b\f\x00\x1f\x7f",
		"é ü 日本", "\u2028\u2029", "bad \xff utf-8", "emoji 🎉"}
	envs := []envelope{
		{RequestID: "2b5c6f1e-1d2a-4f7e-9a3b-0c1d2e3f4a5b", MountType: "terraform"},
		{Data: map[string]any{}, Warnings: []string{}},
		{Data: map[string]any{"organization": "my-org", "role": "testing", "team_id": "", "token": "tok", "token_id": "at-1"}, MountType: "terraform"},
		{LeaseID: "terraform/creds/user/abc", Renewable: true, LeaseDuration: 3600, Data: map[string]any{
			"token": "t", "expired_at": time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), "n": 7, "n64": int64(-8), "f": 1.5,
			"b": true, "nil": nil, "list": []string{"a", "<b>"}, "nested": map[string]any{"z": 1, "a": []any{"x", 2.5}},
			"raw": json.RawMessage(`{"a" : "<"}`), "keys": []any{},
		}, Warnings: []string{"one", "two <2>"}, MountType: "terraform"},
		{Auth: auth, Data: nil, WrapInfo: map[string]any{"token": "w"}},
	}
	for i, s := range strs {
		envs = append(envs, envelope{RequestID: s, LeaseID: s, MountType: s, Warnings: []string{s}, Data: map[string]any{s: s, "k" + s: []string{s}}})
		if i > 0 {
			envs = append(envs, envelope{Data: map[string]any{strs[i-1]: s, s: strs[i-1]}})
		}
	}
	for i, env := range envs {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(env); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		writeEnvelope(rec, 200, &env)
		if got := rec.Body.String(); got != want.String() {
			t.Errorf("envelope %d:\n got %s\nwant %s", i, got, want.String())
		}
		if ct, cc := rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"); ct != "application/json" || cc != "no-store" {
			t.Errorf("envelope %d: Content-Type %q, Cache-Control %q", i, ct, cc)
		}
	}
}

// TestEnvelopeJSONRandomStrings compares the string encoder with
// encoding/json on random bytes.
func TestEnvelopeJSONRandomStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		want, _ := json.Marshal(string(b))
		if got := appendJSONString(nil, string(b)); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", b, got, want)
		}
	}
}

// TestEnvelopeUnencodable answers 500 as writeVault does when a value does
// not encode.
func TestEnvelopeUnencodable(t *testing.T) {
	rec := httptest.NewRecorder()
	writeEnvelope(rec, 200, &envelope{Data: map[string]any{"c": make(chan int)}})
	if rec.Code != 500 || rec.Body.String() != `{"errors":["internal error"]}`+"\n" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// TestRequestIDIsUUIDv4 checks the request_id's form.
func TestRequestIDIsUUIDv4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		b := newRequestIDBytes()
		id := string(b[:])
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("request id %q: not a fresh UUIDv4", id)
		}
		seen[id] = true
	}
}

// TestEnvelopeStringDataIsItsMap checks that a response's StringData is
// written as the map it makes (DataMap) is, keys sorted, the last of a
// repeated key, escapes and all, and that newEnvelope's request_id is
// written as the string it is.
func TestEnvelopeStringDataIsItsMap(t *testing.T) {
	many := make([]logical.StringField, 20)
	for i := range many {
		many[i] = logical.StringField{Key: string(rune('t' - i)), Value: "v<" + string(rune('a'+i))}
	}
	fields := func(kv ...string) []logical.StringField {
		var out []logical.StringField
		for i := 0; i < len(kv); i += 2 {
			out = append(out, logical.StringField{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	cases := [][]logical.StringField{
		fields("organization", "my-org", "role", "testing", "team_id", "", "token", "tok", "token_id", "at-1"),
		fields("description", "d&d", "organization", "o", "role", "r", "team_id", "team-1", "token", "t", "token_id", "at-2"),
		fields("z", "1", "a", "2", "m", "3", "a", "4", "b", "\\u2028 \u2028 \\xff \xff"),
		fields("", ""),
		many,
	}
	for i, c := range cases {
		env := newEnvelope()
		env.MountType, env.stringData = "terraform", c
		want := env.withRequestID()
		want.Data = (&logical.Response{StringData: c}).DataMap()
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(want); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		writeEnvelope(rec, 200, &env)
		if got := rec.Body.String(); got != buf.String() || want.RequestID == "" {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, buf.String())
		}
	}
}

// TestInjectRoutesUnderSys keeps injectsTopLevel's shortcut true: every
// route it lists is under sys/.
func TestInjectRoutesUnderSys(t *testing.T) {
	for _, p := range injectDataIntoTopRoutes {
		if !strings.HasPrefix(p, "sys/") || !injectsTopLevel(p) {
			t.Errorf("%q: not under sys/ or not injected", p)
		}
	}
	if injectsTopLevel("terraform/creds/x") || !injectsTopLevel("sys/mounts/x") {
		t.Fatal("injectsTopLevel answers wrong")
	}
}
