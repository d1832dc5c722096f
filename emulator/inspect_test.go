package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
)

func explain(t *testing.T, base, token, body string) (int, admin.Explanation, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/_emulator/tokens/explain", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	var x admin.Explanation
	_ = json.Unmarshal(raw, &x)
	return resp.StatusCode, x, string(raw)
}

func TestTokensExplainRefusesBadInput(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	base := e.Info().TFCURL
	for _, tc := range []struct{ name, body, want string }{
		{"not a JWT", `{"token":"hello"}`, "not a JWT"},
		{"two parts", `{"token":"eyJhbGciOiJub25lIn0.e30"}`, "not a JWT"},
		{"payload not JSON", `{"token":"eyJhbGciOiJub25lIn0.bm9wZQ.c2ln"}`, "not a JWT"},
		{"empty token", `{"token":"  "}`, `token\" is required`},
		{"unknown field", `{"token":"a.b.c","x":1}`, "unknown field"},
		{"no body", ``, "JSON object body is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, raw := explain(t, base, "", tc.body)
			if code != http.StatusBadRequest || !strings.Contains(raw, tc.want) {
				t.Fatalf("%d %s, want 400 with %q", code, raw, tc.want)
			}
		})
	}
}

func TestTokensExplainJudgesEveryCloudWithoutRecording(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	base := e.Info().TFCURL
	ok := mint(t, http.DefaultClient, base, admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "aws.workload.identity"})
	code, x, raw := explain(t, base, "", `{"token":"`+ok.Token+`"}`)
	if code != http.StatusOK || !x.Signature.OK || x.Expiry.Expired || x.Claims["sub"] == nil || x.Header["kid"] != ok.KeyID {
		t.Fatalf("%d %s", code, raw)
	}
	clouds := map[string]int{}
	for _, d := range x.Decisions {
		clouds[d.Cloud]++
		if d.Cloud == "aws" && !d.Allowed {
			t.Fatalf("the seeded role refused a my-org plan token: %v", d.Reasons)
		}
		if len(d.Reasons) == 0 {
			t.Fatalf("decision without reasons: %+v", d)
		}
	}
	if clouds["aws"] != 1 || clouds["gcp"] != 1 || clouds["azure"] != 1 {
		t.Fatalf("decisions per cloud %v: %s", clouds, raw)
	}
	for _, c := range []string{"aws", "gcp", "azure"} {
		resp, err := http.Get(base + "/_emulator/" + c + "/decisions")
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Decisions []any }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if len(body.Decisions) != 0 {
			t.Fatalf("explaining recorded %d %s decisions", len(body.Decisions), c)
		}
	}

	// Another organization's sub: the trust policy refuses it, and says why.
	other := mint(t, http.DefaultClient, base, admin.TokenRequest{Organization: "hashicorp-vault-testing", Workspace: "vault-testing", Phase: "apply", Audience: "aws.workload.identity"})
	_, x, raw = explain(t, base, "", `{"token":"`+other.Token+`"}`)
	if len(x.Decisions) == 0 || x.Decisions[0].Cloud != "aws" || x.Decisions[0].Allowed || x.Decisions[0].Error != "AccessDenied" ||
		!strings.Contains(strings.Join(x.Decisions[0].Reasons, "\n"), ":sub") {
		t.Fatalf("refused sub: %s", raw)
	}

	// Tampered payload: the signature fails.
	parts := strings.Split(ok.Token, ".")
	forged := parts[0] + "." + other.Token[strings.Index(other.Token, ".")+1:strings.LastIndex(other.Token, ".")] + "." + parts[2]
	_, x, raw = explain(t, base, "", `{"token":"`+forged+`"}`)
	if x.Signature.OK || x.Signature.Reason == "" {
		t.Fatalf("forged token: %s", raw)
	}

	// A token of another issuer: its keys are not fetched.
	foreign := "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"http://169.254.169.254/x","sub":"s","aud":"a","exp":4102444800}`)) + ".c2ln"
	_, x, raw = explain(t, base, "", `{"token":"`+foreign+`"}`)
	if x.Signature.OK || !strings.Contains(x.Signature.Reason, "not checked") || x.Expiry.Expired {
		t.Fatalf("foreign issuer: %s", raw)
	}

	// On the virtual clock, past exp.
	e.Clock().Advance(3 * time.Hour)
	_, x, raw = explain(t, base, "", `{"token":"`+ok.Token+`"}`)
	if !x.Expiry.Expired || !strings.HasPrefix(x.Expiry.Remaining, "-") || !x.Signature.OK || x.Decisions[0].Allowed {
		t.Fatalf("expired token: %s", raw)
	}
}

func TestInspectorShellIsOpenAndDataNeedsTheAdminToken(t *testing.T) {
	const tok = "inspect-token"
	e := startEmulator(t, emulator.Config{AdminToken: tok})
	base := e.Info().TFCURL
	get := func(path, token string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for path, ct := range map[string]string{"/_emulator/ui": "text/html", "/_emulator/ui/app.js": "text/javascript", "/_emulator/ui/app.css": "text/css", "/_emulator/ui/index.html": "text/html"} {
		resp := get(path, "")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ct) ||
			!strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || resp.Header.Get("Set-Cookie") != "" {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, resp.Header)
		}
	}
	if resp := get("/_emulator/ui/nope.js", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown asset: %d", resp.StatusCode)
	}
	for _, path := range []string{"/_emulator/vault/summary", "/_emulator/snapshot", "/_emulator/requests"} {
		if resp := get(path, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("GET %s without the token: %d", path, resp.StatusCode)
		}
		if resp := get(path, tok); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s with the token: %d", path, resp.StatusCode)
		}
	}
	if code, _, raw := explain(t, base, "", `{"token":"a.b.c"}`); code != http.StatusUnauthorized {
		t.Fatalf("explain without the token: %d %s", code, raw)
	}
	req, _ := http.NewRequest("POST", base+"/_emulator/ui", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POST /_emulator/ui without the token: %d, want 401 (only GET of the shell is open)", resp.StatusCode)
	}
}

func TestVaultSummaryAndFaultInJournal(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	base := e.Info().TFCURL
	resp, err := http.Get(base + "/_emulator/vault/summary")
	if err != nil {
		t.Fatal(err)
	}
	var s emulator.VaultSummary
	_ = json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || s.Mounts["secret/"] == nil || s.Auth["token/"] == nil || len(s.Policies) == 0 {
		t.Fatalf("summary %d %+v", resp.StatusCode, s)
	}
	b, _ := json.Marshal(admin.Fault{PathPrefix: "/api/v2/ping", Status: 503})
	resp, err = http.Post(base+"/_emulator/faults", "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	var f admin.Fault
	_ = json.NewDecoder(resp.Body).Decode(&f)
	resp.Body.Close()
	if resp, err = http.Get(base + "/api/v2/ping"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(base + "/_emulator/requests")
	if err != nil {
		t.Fatal(err)
	}
	var j struct{ Requests []emulator.JournalEntry }
	_ = json.NewDecoder(resp.Body).Decode(&j)
	resp.Body.Close()
	if len(j.Requests) == 0 || j.Requests[len(j.Requests)-1].Fault != f.ID || f.ID == "" {
		t.Fatalf("journal %+v, want the last entry hit by fault %q", j.Requests, f.ID)
	}
}

// TestTokensExplainJudgesVaultJWTRoles configures the jwt auth method with
// a role the token satisfies and one whose bound subject it does not, and
// checks the explainer judges both as a login would, minting no token.
func TestTokensExplainJudgesVaultJWTRoles(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	info := e.Info()
	v, err := vault.NewClient(&vault.Config{Address: info.VaultURL})
	if err != nil {
		t.Fatal(err)
	}
	v.SetToken(info.VaultToken)
	mustVault := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustVault(nil, v.Sys().EnableAuthWithOptions("jwt", &vault.EnableAuthOptions{Type: "jwt"}))
	mustVault(v.Logical().Write("auth/jwt/config", map[string]any{"oidc_discovery_url": info.Issuer, "bound_issuer": info.Issuer}))
	mustVault(v.Logical().Write("auth/jwt/role/good", map[string]any{"role_type": "jwt", "bound_audiences": "vault.workload.identity",
		"user_claim": "sub", "bound_claims_type": "glob", "bound_claims": map[string]any{"sub": "organization:my-org:*"}, "token_policies": "reader"}))
	mustVault(v.Logical().Write("auth/jwt/role/other-org", map[string]any{"role_type": "jwt", "bound_audiences": "vault.workload.identity",
		"user_claim": "sub", "bound_claims_type": "glob", "bound_claims": map[string]any{"sub": "organization:hashicorp-vault-testing:*"}}))
	accessors := func() int {
		s, err := v.Logical().List("auth/token/accessors")
		if err != nil || s == nil {
			return 0
		}
		keys, _ := s.Data["keys"].([]any)
		return len(keys)
	}
	before := accessors()
	tok := mint(t, http.DefaultClient, info.TFCURL, admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "vault.workload.identity"})
	_, x, raw := explain(t, info.TFCURL, "", `{"token":"`+tok.Token+`"}`)
	got := map[string]bool{}
	for _, d := range x.Decisions {
		if d.Cloud != "vault" {
			continue
		}
		got[d.Principal] = d.Allowed
		if d.Principal == "role other-org" && (d.Allowed || !strings.Contains(strings.Join(d.Reasons, " "), `claim "sub" does not match`)) {
			t.Fatalf("other-org: %+v", d)
		}
	}
	if !got["role good"] || got["role other-org"] || len(got) != 2 {
		t.Fatalf("vault verdicts %v: %s", got, raw)
	}
	if slices.Contains(x.Unexplained, "vault jwt roles") {
		t.Fatalf("still unexplained: %v", x.Unexplained)
	}
	if after := accessors(); after != before {
		t.Fatalf("explaining minted tokens: %d accessors, was %d", after, before)
	}
}
