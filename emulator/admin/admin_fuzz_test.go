package admin_test

import (
	"strings"
	"testing"
)

// FuzzAdminRequests feeds arbitrary bodies to the admin routes that parse
// one (the token explainer's included): never a 5xx, never a panic, errors in the admin error shape, and a
// refused clock request leaves the clock where it was.
func FuzzAdminRequests(f *testing.F) {
	paths := []string{"/clock", "/workload-identity-tokens", "/faults", "/runs", "/keys/rotate", "/tokens/explain"}
	for i, s := range []string{
		`{"advance":"10m"}`, `{"set":"2026-01-02T15:04:05Z","freeze":true}`, `{"advance":"2562047h"}`, `{"set":"9999-12-31T23:59:59Z"}`,
		`{"organization":"my-org","workspace":"my-workspace","phase":"plan","audience":"a"}`, `{"organization":"my-org","module":"vpc","audience":"a"}`,
		`{"service":"tfc","status":503}`, `{"organization":"my-org","workspace":"my-workspace"}`, ``, `{}`, `[]`, `{"advance":1}`,
		`{"token":"eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4IiwiZXhwIjoxfQ.c2ln"}`, `{"token":"a.b.c"}`,
	} {
		f.Add(uint8(i%len(paths)), s)
		f.Add(uint8(0), s)
	}
	a := newAdminEnv(f)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		a.t = t
		path := paths[int(which)%len(paths)]
		before := a.getClock()
		code, got := a.call("POST", "/_emulator"+path, body, nil)
		if code >= 500 {
			t.Fatalf("POST %s %q: %d %s", path, body, code, got)
		}
		if code >= 400 && !strings.HasPrefix(got, `{"error":`) {
			t.Fatalf("POST %s %q: %d %s is not an admin error", path, body, code, got)
		}
		if path == "/clock" && code >= 400 {
			if after := a.getClock(); after != before {
				t.Fatalf("a refused clock request %q moved the clock: %+v, was %+v", body, after, before)
			}
		}
		a.e.Reset()
		a.clock.Freeze()
		_ = a.clock.Set(start)
	})
}
