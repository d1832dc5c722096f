package tfc

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecodeResource feeds arbitrary bodies to the request decoder: it must
// never panic, and whatever it refuses it refuses with a 4xx JSON:API
// error, never a 500.
func FuzzDecodeResource(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"type":"workspaces","attributes":{"name":"ws","auto-apply":true}}}`,
		`{"data":{"type":"","attributes":{"expired-at":"2026-08-06T10:00:00Z"}}}`,
		`{"data":{"type":"workspaces","relationships":{"project":{"data":{"type":"projects","id":"prj-1"}}}}}`,
		`{"data":null}`, `{"data":[]}`, `{"data":{"attributes":"x"}}`, `[]`, `{`, ``, `null`,
		`{"data":{"type":"workspaces","attributes":{"name":7,"description":["a"]}}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var attrs workspaceInput
		r := httptest.NewRequest("POST", "/api/v2/organizations/o/workspaces", strings.NewReader(body))
		res, err := decodeResource(r, "workspaces", &attrs)
		if err != nil {
			var one *Error
			if !errors.As(err, &one) || one.code < 400 || one.code >= 500 {
				t.Fatalf("body %q: error %v is not a 4xx JSON:API error", body, err)
			}
			return
		}
		if res.Type != "workspaces" {
			t.Fatalf("body %q accepted with type %q", body, res.Type)
		}
		if _, _, err := res.relationshipID("project"); err != nil {
			var one *Error
			if !errors.As(err, &one) || one.code != 422 {
				t.Fatalf("relationship error %v", err)
			}
		}
	})
}
