package emulator_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/internal/entrylog"
)

// persisted is an emulator with a state file, driven through its
// handlers, and the ids its setup made.
type persisted struct {
	t    *testing.T
	e    *emulator.Emulator
	path string
	ids  map[string]string
}

func newPersisted(t *testing.T, dir string, cfg emulator.Config) *persisted {
	t.Helper()
	path := filepath.Join(dir, "state.json")
	cfg.RateLimit, cfg.StateFile = -1, path
	e, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return &persisted{t: t, e: e, path: path, ids: map[string]string{}}
}

// tfc sends a TFC request as the owner and fails unless it answers
// status; it returns the first id in the answer.
func (p *persisted) tfc(status int, method, path, body string) string {
	p.t.Helper()
	rec := serve(p.e.Handler(), p.e.Info().OwnerToken, method, path, body)
	if rec.Code != status {
		p.t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return between(rec.Body.String(), `"id":"`, `"`)
}

// vault sends a Vault request as root and fails unless it answers
// status; it returns the decoded answer.
func (p *persisted) vault(status int, method, path, body string) map[string]any {
	p.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host = "127.0.0.1:8200"
	req.Header.Set("X-Vault-Token", p.e.Info().VaultToken)
	rec := httptest.NewRecorder()
	p.e.VaultHandler().ServeHTTP(rec, req)
	if rec.Code != status {
		p.t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	out := map[string]any{}
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// members is the emulator's snapshot by service.
func members(t *testing.T, e *emulator.Emulator) map[string]json.RawMessage {
	t.Helper()
	raw, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]json.RawMessage `json:"services"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Services
}

func walSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + ".wal")
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// stateOf is a tiny Terraform state with serial n.
func stateOf(n int) (b64, sum string) {
	raw := fmt.Sprintf(`{"version":4,"terraform_version":"1.14.0","serial":%d,"lineage":"l-1","outputs":{"x":{"value":"v%d","type":"string"}},"resources":[]}`, n, n)
	return base64.StdEncoding.EncodeToString([]byte(raw)), fmt.Sprintf("%x", md5.Sum([]byte(raw)))
}

// TestStateFileRoundTripsByEntry: for each kind of write that is logged
// by entry, the write's log record holds its changes alone (neither TFC's
// nor Vault's whole snapshot), and the files as a kill -9 leaves them (the
// process never closed: no compaction) load into the same state.
func TestStateFileRoundTripsByEntry(t *testing.T) {
	ws := "/api/v2/workspaces/"
	wsBody := func(name string) string {
		return `{"data":{"type":"workspaces","attributes":{"name":"` + name + `"}}}`
	}
	lockedWorkspace := func(p *persisted) {
		p.ids["ws"] = p.tfc(201, "POST", "/api/v2/organizations/my-org/workspaces", wsBody("rt"))
		p.tfc(200, "POST", ws+p.ids["ws"]+"/actions/lock", "")
	}
	workspace := func(p *persisted) {
		p.ids["ws"] = p.tfc(201, "POST", "/api/v2/organizations/my-org/workspaces", wsBody("rt"))
	}
	run := func(p *persisted) {
		workspace(p)
		p.ids["run"] = p.tfc(201, "POST", "/api/v2/runs", `{"data":{"type":"runs","relationships":{"workspace":{"data":{"type":"workspaces","id":"`+p.ids["ws"]+`"}}}}}`)
	}
	team := func(p *persisted) {
		p.ids["team"] = p.tfc(201, "POST", "/api/v2/organizations/my-org/teams", `{"data":{"type":"teams","attributes":{"name":"rt-team","organization-access":{}}}}`)
	}
	cases := []struct {
		name  string
		setup func(p *persisted)
		write func(p *persisted)
	}{
		{"workspace create", nil, workspace},
		{"workspace update", workspace, func(p *persisted) {
			p.tfc(200, "PATCH", ws+p.ids["ws"], `{"data":{"type":"workspaces","attributes":{"description":"d"}}}`)
		}},
		{"workspace delete", workspace, func(p *persisted) { p.tfc(204, "DELETE", ws+p.ids["ws"], "") }},
		{"workspace lock", workspace, func(p *persisted) { p.tfc(200, "POST", ws+p.ids["ws"]+"/actions/lock", "") }},
		{"workspace unlock", lockedWorkspace, func(p *persisted) { p.tfc(200, "POST", ws+p.ids["ws"]+"/actions/unlock", "") }},
		{"variable create", workspace, func(p *persisted) {
			p.tfc(201, "POST", ws+p.ids["ws"]+"/vars", `{"data":{"type":"vars","attributes":{"key":"k","value":"v","category":"env"}}}`)
		}},
		{"variable update", func(p *persisted) {
			workspace(p)
			p.ids["var"] = p.tfc(201, "POST", ws+p.ids["ws"]+"/vars", `{"data":{"type":"vars","attributes":{"key":"k","value":"v","category":"env"}}}`)
		}, func(p *persisted) {
			p.tfc(200, "PATCH", ws+p.ids["ws"]+"/vars/"+p.ids["var"], `{"data":{"type":"vars","attributes":{"value":"w"}}}`)
		}},
		{"variable delete", func(p *persisted) {
			workspace(p)
			p.ids["var"] = p.tfc(201, "POST", ws+p.ids["ws"]+"/vars", `{"data":{"type":"vars","attributes":{"key":"k","value":"v","category":"env"}}}`)
		}, func(p *persisted) { p.tfc(204, "DELETE", ws+p.ids["ws"]+"/vars/"+p.ids["var"], "") }},
		{"variable set create", nil, func(p *persisted) {
			p.tfc(201, "POST", "/api/v2/organizations/my-org/varsets", `{"data":{"type":"varsets","attributes":{"name":"rt-set","global":false}}}`)
		}},
		{"variable set variable and workspace", func(p *persisted) {
			workspace(p)
			p.ids["set"] = p.tfc(201, "POST", "/api/v2/organizations/my-org/varsets", `{"data":{"type":"varsets","attributes":{"name":"rt-set","global":false}}}`)
		}, func(p *persisted) {
			p.tfc(201, "POST", "/api/v2/varsets/"+p.ids["set"]+"/relationships/vars", `{"data":{"type":"vars","attributes":{"key":"k","value":"v","category":"terraform"}}}`)
			p.tfc(204, "POST", "/api/v2/varsets/"+p.ids["set"]+"/relationships/workspaces", `{"data":[{"type":"workspaces","id":"`+p.ids["ws"]+`"}]}`)
		}},
		{"organization token create", nil, func(p *persisted) {
			p.tfc(201, "POST", "/api/v2/organizations/my-org/authentication-token", "")
		}},
		{"team token create and delete", team, func(p *persisted) {
			p.tfc(201, "POST", "/api/v2/teams/"+p.ids["team"]+"/authentication-token", "")
			p.tfc(201, "POST", "/api/v2/teams/"+p.ids["team"]+"/authentication-token", "")
			p.tfc(204, "DELETE", "/api/v2/teams/"+p.ids["team"]+"/authentication-token", "")
		}},
		{"user token create and delete", nil, func(p *persisted) {
			id := p.tfc(201, "POST", "/api/v2/users/user-12345abcde/authentication-tokens", `{"data":{"type":"authentication-tokens","attributes":{"description":"rt"}}}`)
			p.tfc(204, "DELETE", "/api/v2/authentication-tokens/"+id, "")
		}},
		{"run create", workspace, func(p *persisted) {
			p.tfc(201, "POST", "/api/v2/runs", `{"data":{"type":"runs","relationships":{"workspace":{"data":{"type":"workspaces","id":"`+p.ids["ws"]+`"}}}}}`)
		}},
		{"run cancel", run, func(p *persisted) { p.tfc(202, "POST", "/api/v2/runs/"+p.ids["run"]+"/actions/cancel", "") }},
		{"state version create", lockedWorkspace, func(p *persisted) {
			for n := 1; n <= 2; n++ {
				b64, sum := stateOf(n)
				p.tfc(201, "POST", ws+p.ids["ws"]+"/state-versions",
					fmt.Sprintf(`{"data":{"type":"state-versions","attributes":{"serial":%d,"md5":"%s","lineage":"l-1","state":"%s"}}}`, n, sum, b64))
			}
		}},
		{"configuration version create", workspace, func(p *persisted) {
			p.tfc(201, "POST", ws+p.ids["ws"]+"/configuration-versions", `{"data":{"type":"configuration-versions","attributes":{"auto-queue-runs":false}}}`)
		}},
		{"workspace tags", workspace, func(p *persisted) {
			p.tfc(204, "POST", ws+p.ids["ws"]+"/relationships/tags", `{"data":[{"type":"tags","attributes":{"name":"rt-tag"}}]}`)
		}},
		{"tag bindings", workspace, func(p *persisted) {
			p.tfc(200, "PATCH", ws+p.ids["ws"]+"/tag-bindings", `{"data":[{"type":"tag-bindings","attributes":{"key":"env","value":"prod"}}]}`)
		}},
		{"team create and update", nil, func(p *persisted) {
			team(p)
			p.tfc(200, "PATCH", "/api/v2/teams/"+p.ids["team"], `{"data":{"type":"teams","attributes":{"visibility":"organization"}}}`)
		}},
		{"team access", func(p *persisted) { workspace(p); team(p) }, func(p *persisted) {
			id := p.tfc(201, "POST", "/api/v2/team-workspaces", `{"data":{"type":"team-workspaces","attributes":{"access":"read"},"relationships":{"workspace":{"data":{"type":"workspaces","id":"`+p.ids["ws"]+`"}},"team":{"data":{"type":"teams","id":"`+p.ids["team"]+`"}}}}}`)
			p.tfc(200, "PATCH", "/api/v2/team-workspaces/"+id, `{"data":{"type":"team-workspaces","attributes":{"access":"write"}}}`)
		}},
		{"project create and update", nil, func(p *persisted) {
			id := p.tfc(201, "POST", "/api/v2/organizations/my-org/projects", `{"data":{"type":"projects","attributes":{"name":"rt-project"}}}`)
			p.tfc(200, "PATCH", "/api/v2/projects/"+id, `{"data":{"type":"projects","attributes":{"description":"d"}}}`)
		}},
		{"membership create", nil, func(p *persisted) {
			p.tfc(201, "POST", "/api/v2/organizations/my-org/organization-memberships", `{"data":{"type":"organization-memberships","attributes":{"email":"rt@example.com"}}}`)
		}},
		{"vault token create, renew and revoke", nil, func(p *persisted) {
			a := p.vault(200, "POST", "/v1/auth/token/create", `{"ttl":"1h","policies":["default"]}`)
			tok := a["auth"].(map[string]any)["client_token"].(string)
			p.vault(200, "POST", "/v1/auth/token/renew", `{"token":"`+tok+`","increment":"2h"}`)
			p.vault(200, "POST", "/v1/auth/token/create", `{"ttl":"1h"}`)
			p.vault(204, "POST", "/v1/auth/token/revoke", `{"token":"`+tok+`"}`)
		}},
		{"vault mount, engine config and role", nil, func(p *persisted) {
			p.vault(204, "POST", "/v1/sys/mounts/terraform", `{"type":"terraform"}`)
			p.vault(204, "POST", "/v1/terraform/config", `{"token":"Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}`)
			p.vault(204, "POST", "/v1/terraform/role/user", `{"user_id":"user-12345abcde","ttl":"1h"}`)
		}},
		{"vault lease create and revoke", func(p *persisted) {
			p.vault(204, "POST", "/v1/sys/mounts/terraform", `{"type":"terraform"}`)
			p.vault(204, "POST", "/v1/terraform/config", `{"token":"Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}`)
			p.vault(204, "POST", "/v1/terraform/role/user", `{"user_id":"user-12345abcde","ttl":"1h"}`)
		}, func(p *persisted) {
			first := p.vault(200, "GET", "/v1/terraform/creds/user", "")["lease_id"].(string)
			p.vault(200, "GET", "/v1/terraform/creds/user", "")
			p.vault(200, "PUT", "/v1/sys/leases/renew", `{"lease_id":"`+first+`","increment":"30m"}`)
			p.vault(204, "PUT", "/v1/sys/leases/revoke", `{"lease_id":"`+first+`"}`)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPersisted(t, t.TempDir(), emulator.Config{})
			if tc.setup != nil {
				tc.setup(p)
			}
			before := walSize(t, p.path)
			tc.write(p)
			wal, err := os.ReadFile(p.path + ".wal")
			if err != nil {
				t.Fatal(err)
			}
			written := wal[before:]
			if len(written) == 0 {
				t.Fatal("the write added nothing to the log")
			}
			for _, whole := range []string{`"tfc":`, `"vault":`} {
				if bytes.Contains(written, []byte(whole)) {
					t.Fatalf("the write logged a whole snapshot (%s): %.300s", whole, written)
				}
			}
			want := members(t, p.e)
			crash := emulator.CrashCopy(t, p.path)
			again, err := emulator.New(emulator.Config{RateLimit: -1, StateFile: crash})
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			got := members(t, again)
			for _, name := range []string{"tfc", "vault"} {
				if err := entrylog.Diff(got[name], want[name]); err != nil {
					t.Errorf("%s after the restart: %v", name, err)
				}
			}
		})
	}
}
