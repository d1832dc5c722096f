package admin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/clouds"
)

// ExplainRequest is the body of POST /_emulator/tokens/explain.
type ExplainRequest struct {
	Token string `json:"token"`
}

// Explanation is what the emulator makes of a token: its header and
// claims, whether its signature verifies against the issuer's JWKS, its
// expiry on the virtual clock, and what each configured trust (the
// clouds' roles, providers and credentials) would decide, with reasons.
type Explanation struct {
	Header    map[string]any `json:"header"`
	Claims    map[string]any `json:"claims"`
	Signature Check          `json:"signature"`
	Expiry    Expiry         `json:"expiry"`
	// Decisions are what each configured trust would decide, recorded
	// nowhere: the clouds' decision logs are not touched.
	Decisions []clouds.Decision `json:"decisions"`
	// Unexplained names the trusts the emulator cannot evaluate here yet.
	Unexplained []string `json:"unexplained,omitempty"`
}

// Check is the outcome of one check with its reason.
type Check struct {
	OK     bool   `json:"ok"`
	Reason string `json:"reason"`
}

// Expiry is a token's exp against the virtual clock.
type Expiry struct {
	ExpiresAt string `json:"expires_at"`
	Now       string `json:"now"`
	Expired   bool   `json:"expired"`
	// Remaining is exp - now, negative once expired (a Go duration).
	Remaining string `json:"remaining"`
}

// Explainer evaluates a parsed token against the configured trusts without
// recording anything.
type Explainer func(ctx context.Context, raw string) (decisions []clouds.Decision, unexplained []string)

// errNotJWT refuses what is no compact JWT.
var errNotJWT = errors.New("not a JWT: a token is three base64url parts separated by dots (header.payload.signature), its header and payload JSON objects")

// splitJWT decodes a compact JWT's header and payload.
func splitJWT(raw string) (header, claims map[string]any, err error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[2] == "" {
		return nil, nil, errNotJWT
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil {
			return nil, nil, errNotJWT
		}
		if err := json.Unmarshal(b, dst); err != nil || *dst == nil {
			return nil, nil, errNotJWT
		}
	}
	return header, claims, nil
}

func (a *API) explainToken(r *http.Request) (int, any) {
	var req ExplainRequest
	if err := decode(r, &req, false); err != nil {
		return decodeFailed(err)
	}
	raw := strings.TrimSpace(req.Token)
	if raw == "" {
		return badRequest(`"token" is required`)
	}
	header, claims, err := splitJWT(raw)
	if err != nil {
		return badRequest("%v", err)
	}
	now := a.cfg.Clock.Now()
	out := Explanation{Header: header, Claims: claims, Decisions: []clouds.Decision{}}
	out.Expiry.Now = now.Format(timeFormat)
	tok, perr := clouds.ParseUnverified(raw)
	switch {
	case perr != nil:
		out.Signature = Check{Reason: perr.Error()}
	case strings.TrimRight(tok.Issuer, "/") != strings.TrimRight(a.cfg.Issuer.URL(), "/"):
		a.setExpiry(&out, tok.Expiry, now)
		// Only the emulator's own JWKS is fetched here: a pasted token
		// must not make the emulator reach an arbitrary URL.
		out.Signature = Check{Reason: fmt.Sprintf("not checked: the token's issuer %s is not this emulator's issuer %s", tok.Issuer, a.cfg.Issuer.URL())}
	default:
		a.setExpiry(&out, tok.Expiry, now)
		// Times are judged above; the verifier is asked only about the
		// signature, so it runs at the token's issue time.
		at := tok.Expiry.Add(-time.Second)
		if !tok.IssuedAt.IsZero() {
			at = tok.IssuedAt
		}
		v := clouds.NewVerifier(clouds.VerifierConfig{HTTPClient: a.cfg.HTTPClient, Now: func() time.Time { return at }})
		if err := v.Verify(r.Context(), tok, tok.Issuer); err != nil {
			out.Signature = Check{Reason: err.Error()}
		} else {
			out.Signature = Check{OK: true, Reason: "verified with a key of " + tok.Issuer + "'s JWKS (kid " + tok.KeyID + ")"}
		}
	}
	if a.cfg.Explain != nil {
		ds, un := a.cfg.Explain(r.Context(), raw)
		if ds != nil {
			out.Decisions = ds
		}
		out.Unexplained = un
	}
	return http.StatusOK, out
}

func (a *API) setExpiry(out *Explanation, exp, now time.Time) {
	out.Expiry.ExpiresAt = exp.UTC().Format(timeFormat)
	out.Expiry.Expired = !exp.After(now)
	out.Expiry.Remaining = exp.Sub(now).String()
}
