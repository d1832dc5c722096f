package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"testing"
)

// TestRoutesPrintsTheInventory: tfcemu routes lists every API's rows, and
// --api and --json select and shape them.
func TestRoutesPrintsTheInventory(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"routes"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, row := range []string{
		`(?m)^API +METHOD +PATH$`,
		`(?m)^tfc +GET +/api/v2/ping$`,
		`(?m)^tfc +DELETE +/api/v2/organizations/\{org\}/workspaces/\{name\}$`,
		`(?m)^archivist +PUT +/_archivist/v1/object/\{key\}$`,
		`(?m)^issuer +GET +/\.well-known/openid-configuration$`,
		`(?m)^admin +POST +/_emulator/runs/\{id\}/advance$`,
		`(?m)^vault +GET +/v1/sys/health$`,
		`(?m)^vault +POST +/v1/auth/jwt/login$`,
		`(?m)^vault +LIST +/v1/terraform/role/\?$`,
	} {
		if !regexp.MustCompile(row).MatchString(out.String()) {
			t.Errorf("output lacks %s:\n%s", row, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"routes", "--api", "issuer", "--json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rows []struct{ API, Method, Path string }
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 2 || rows[1].Path != "/.well-known/jwks" {
		t.Fatalf("issuer rows %s (%v)", out.String(), err)
	}
	if code := run(context.Background(), []string{"routes", "--api", "nope"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown api: exit %d", code)
	}
}
