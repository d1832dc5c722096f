package identity

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tfcemu/tfcemu/emulator/clock"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

// sharedKey keeps the tests from generating an RSA key per case.
func sharedKey(t testing.TB) *rsa.PrivateKey {
	testKeyOnce.Do(func() {
		var err error
		if testKey, err = GenerateKey(); err != nil {
			t.Fatal(err)
		}
	})
	return testKey
}

var t0 = time.Date(2026, 4, 20, 20, 22, 2, 0, time.UTC)

func newTestIssuer(t testing.TB) (*Issuer, *clock.Clock) {
	c := clock.NewAt(t0)
	i, err := New(Config{URL: "https://app.terraform.io/", Clock: c, Key: sharedKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	return i, c
}

var exampleRun = WorkspaceRun{
	Organization: Named{"org-GRNbCjYNpBB6NEH9", "my-org"},
	Project:      Named{"prj-vegSA59s1XPwMr2t", "Default Project"},
	Workspace:    Named{"ws-mbsd5E3Ktt5Rg2Xm", "my-workspace"},
	RunID:        "run-X3n1AUXNGWbfECsJ",
	Audience:     "my-example-audience",
}

// verify checks tok against the issuer's published JWKS and returns the
// header and payload as generic maps.
func verify(t *testing.T, i *Issuer, tok string) (map[string]any, map[string]any) {
	t.Helper()
	raw, err := i.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwk.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := jws.Verify([]byte(tok), jws.WithKeySet(set, jws.WithRequireKid(true)))
	if err != nil {
		t.Fatalf("token does not verify against the JWKS: %v", err)
	}
	var hdr, claims map[string]any
	h, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err := json.Unmarshal(h, &hdr); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return hdr, claims
}

func TestMintWorkspaceRunClaims(t *testing.T) {
	for _, tt := range []struct {
		phase string
		ttl   time.Duration
	}{{PhasePlan, DefaultPlanTTL}, {PhaseApply, DefaultApplyTTL}} {
		t.Run(tt.phase, func(t *testing.T) {
			i, _ := newTestIssuer(t)
			r := exampleRun
			r.Phase = tt.phase
			tok, err := i.MintWorkspaceRun(r)
			if err != nil {
				t.Fatal(err)
			}
			hdr, c := verify(t, i, tok.JWT)
			if hdr["typ"] != "JWT" || hdr["alg"] != "RS256" || hdr["kid"] != i.KeyIDs()[0] {
				t.Fatalf("header = %v", hdr)
			}
			want := map[string]any{
				"iss":                         "https://app.terraform.io",
				"aud":                         "my-example-audience",
				"iat":                         float64(t0.Unix()),
				"nbf":                         float64(t0.Unix()),
				"exp":                         float64(t0.Add(tt.ttl).Unix()),
				"sub":                         "organization:my-org:project:Default Project:workspace:my-workspace:run_phase:" + tt.phase,
				"terraform_organization_id":   "org-GRNbCjYNpBB6NEH9",
				"terraform_organization_name": "my-org",
				"terraform_project_id":        "prj-vegSA59s1XPwMr2t",
				"terraform_project_name":      "Default Project",
				"terraform_workspace_id":      "ws-mbsd5E3Ktt5Rg2Xm",
				"terraform_workspace_name":    "my-workspace",
				"terraform_full_workspace":    "organization:my-org:project:Default Project:workspace:my-workspace",
				"terraform_run_id":            "run-X3n1AUXNGWbfECsJ",
				"terraform_run_phase":         tt.phase,
			}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("claim %s = %v, want %v", k, c[k], v)
				}
			}
			if len(c) != len(want)+1 { // + jti
				t.Errorf("got %d claims, want %d: %v", len(c), len(want)+1, c)
			}
			if jti, _ := c["jti"].(string); len(jti) != 36 {
				t.Errorf("jti = %q, want a UUID", jti)
			}
		})
	}
}

func TestMintModuleTestClaims(t *testing.T) {
	i, _ := newTestIssuer(t)
	tok, err := i.MintModuleTest(ModuleTestRun{
		Organization: Named{"org-abc123xyz", "my-org"},
		Module:       "terraform-aws-vpc",
		RunID:        "trun-KFg8DSiRz4E37mdJ",
		Audience:     "aws.workload.identity",
		TTL:          DefaultModuleTestTTL,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, c := verify(t, i, tok.JWT)
	if c["sub"] != "organization:my-org:module:terraform-aws-vpc:operation:test_run" ||
		c["terraform_run_phase"] != "plan" ||
		c["exp"].(float64)-c["iat"].(float64) != 600 ||
		c["iat"].(float64)-c["nbf"].(float64) != 30 {
		t.Fatalf("claims = %v", c)
	}
	for _, absent := range []string{"terraform_workspace_id", "terraform_project_id", "terraform_full_workspace"} {
		if _, ok := c[absent]; ok {
			t.Errorf("module test token carries %s", absent)
		}
	}
}

func TestMintRejectsBadInput(t *testing.T) {
	i, _ := newTestIssuer(t)
	cases := []struct {
		name string
		mint func() error
		want error
	}{
		{"unknown phase", func() error { r := exampleRun; r.Phase = "destroy"; _, err := i.MintWorkspaceRun(r); return err }, ErrInvalidPhase},
		{"empty audience", func() error {
			r := exampleRun
			r.Phase = "plan"
			r.Audience = ""
			_, err := i.MintWorkspaceRun(r)
			return err
		}, ErrEmptyAudience},
		{"module empty audience", func() error { _, err := i.MintModuleTest(ModuleTestRun{TTL: time.Minute}); return err }, ErrEmptyAudience},
		{"module zero ttl", func() error { _, err := i.MintModuleTest(ModuleTestRun{Audience: "a"}); return err }, ErrInvalidTTL},
	}
	for _, tt := range cases {
		if err := tt.mint(); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestRotationKeepsOldKeysPublished(t *testing.T) {
	i, _ := newTestIssuer(t)
	r := exampleRun
	r.Phase = PhasePlan
	before, err := i.MintWorkspaceRun(r)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := i.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	after, err := i.MintWorkspaceRun(r)
	if err != nil {
		t.Fatal(err)
	}
	if after.KeyID != kid || before.KeyID == kid {
		t.Fatalf("kids: before %s after %s rotated %s", before.KeyID, after.KeyID, kid)
	}
	verify(t, i, before.JWT)
	verify(t, i, after.JWT)
	i.ResetKeys()
	if got := i.KeyIDs(); len(got) != 1 || got[0] != before.KeyID {
		t.Fatalf("after reset kids = %v", got)
	}
}

func TestDiscoveryDocument(t *testing.T) {
	i, _ := newTestIssuer(t)
	b, err := json.Marshal(i.Discovery())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"claims_supported":["sub","aud","exp","iat","iss","jti","nbf","ref","terraform_run_phase","terraform_workspace_id","terraform_workspace_name","terraform_organization_id","terraform_organization_name","terraform_project_id","terraform_project_name","terraform_run_id","terraform_full_workspace"],"id_token_signing_alg_values_supported":["RS256"],"issuer":"https://app.terraform.io","jwks_uri":"https://app.terraform.io/.well-known/jwks","response_types_supported":["id_token"],"scopes_supported":["openid"],"subject_types_supported":["public"]}`
	if string(b) != want {
		t.Fatalf("discovery =\n%s\nwant\n%s", b, want)
	}
}

func TestPrivateKeyPEMRoundTrip(t *testing.T) {
	pemBytes, err := EncodePrivateKeyPEM(sharedKey(t))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParsePrivateKeyPEM(pemBytes)
	if err != nil || !k.Equal(sharedKey(t)) {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if _, err := ParsePrivateKeyPEM([]byte(bad)); err == nil {
			t.Errorf("ParsePrivateKeyPEM(%q) accepted garbage", bad)
		}
	}
}

// TestPayloadKeyOrderFollowsTheDocs pins the claim order of the documented
// workspace-run and module-test examples
// (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens).
func TestPayloadKeyOrderFollowsTheDocs(t *testing.T) {
	i, _ := newTestIssuer(t)
	r := exampleRun
	r.Phase = PhaseApply
	ws, err := i.MintWorkspaceRun(r)
	if err != nil {
		t.Fatal(err)
	}
	mt, err := i.MintModuleTest(ModuleTestRun{Organization: Named{"org-1", "my-org"}, Module: "m", RunID: "trun-1", Audience: "a", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		jwt  string
		want []string
	}{
		{ws.JWT, []string{"jti", "iss", "aud", "iat", "nbf", "exp", "sub", "terraform_organization_id", "terraform_organization_name", "terraform_project_id", "terraform_project_name", "terraform_workspace_id", "terraform_workspace_name", "terraform_full_workspace", "terraform_run_id", "terraform_run_phase"}},
		{mt.JWT, []string{"jti", "iss", "aud", "iat", "nbf", "exp", "sub", "terraform_run_phase", "terraform_organization_id", "terraform_organization_name", "terraform_run_id"}},
	} {
		raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(tc.jwt, ".")[1])
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		var keys []string
		_, _ = dec.Token() // {
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var v any
			_ = dec.Decode(&v)
		}
		if strings.Join(keys, ",") != strings.Join(tc.want, ",") {
			t.Errorf("claim order\n got %v\nwant %v", keys, tc.want)
		}
	}
}
