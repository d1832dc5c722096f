package clouds_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/emulator/clouds/internal/cloudtest"
	"github.com/tfcemu/tfcemu/emulator/identity"
)

func mint(t *testing.T, iss *identity.Issuer) *clouds.Token {
	t.Helper()
	tok, err := iss.MintModuleTest(identity.ModuleTestRun{Organization: identity.Named{ID: "org-1", Name: "my-org"}, Module: "m", RunID: "r", Audience: "a", TTL: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := clouds.ParseUnverified(tok.JWT)
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

// TestVerifier: a valid token verifies; after a key rotation the new kid
// is fetched at once despite the cache; a token from another key is a bad
// signature; expiry is read on the virtual clock; an unreachable issuer is
// KeyUnavailable.
func TestVerifier(t *testing.T) {
	c := clock.NewAt(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	c.Freeze()
	iss, srv := cloudtest.Issuer(t, c)
	v := clouds.NewVerifier(clouds.VerifierConfig{HTTPClient: srv.Client(), Now: c.Now})
	ctx := context.Background()
	tok := mint(t, iss)
	if tok.Subject != "organization:my-org:module:m:operation:test_run" || tok.Claims["aud"] != "a" {
		t.Fatalf("token = %+v", tok)
	}
	if err := v.Verify(ctx, tok, srv.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := iss.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(ctx, mint(t, iss), srv.URL); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	other, otherSrv := cloudtest.Issuer(t, c)
	forged := mint(t, other)
	forged.Issuer = srv.URL
	if err := v.Verify(ctx, forged, srv.URL); clouds.Kind(err) != clouds.BadSignature {
		t.Fatalf("forged: %v", err)
	}
	if err := c.Advance(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	err := v.Verify(ctx, tok, srv.URL)
	if clouds.Kind(err) != clouds.Expired || !strings.Contains(err.Error(), "2030-01-01T00:10:00Z") {
		t.Fatalf("expired: %v", err)
	}
	otherSrv.Close()
	if err := v.Verify(ctx, mint(t, other), otherSrv.URL); clouds.Kind(err) != clouds.KeyUnavailable {
		t.Fatalf("unreachable issuer: %v", err)
	}
	for _, raw := range []string{"", "a.b.c", strings.Repeat("a", clouds.MaxTokenBytes+1)} {
		if _, err := clouds.ParseUnverified(raw); clouds.Kind(err) != clouds.Malformed {
			t.Errorf("ParseUnverified(%.20q) = %v", raw, err)
		}
	}
}

// TestDecisionLog: the log keeps the newest entries.
func TestDecisionLog(t *testing.T) {
	l := clouds.NewDecisionLog(2)
	for _, a := range []string{"1", "2", "3"} {
		l.Record(nil, clouds.Decision{Action: a})
	}
	got := l.List()
	if len(got) != 2 || got[0].Action != "2" || got[1].Action != "3" || got[1].Reasons == nil {
		t.Fatalf("log = %+v", got)
	}
	if s := (clouds.Decision{Cloud: "aws", Action: "x", Principal: "p", Error: "E", Reasons: []string{"r"}}).Summary(); s != "aws x p: denied (E): r" {
		t.Fatalf("summary = %q", s)
	}
}
