package azure

// This file is the package's own OIDC token validator, kept behind one
// function (validate) with typed errors so the coordinator can swap it for
// the shared one in emulator/clouds without touching the handlers.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// Validation failures, told apart so each cloud can answer with its own text.
var (
	errMalformed         = errors.New("token is not a signed JWT")
	errIssuerMismatch    = errors.New("token issuer does not match")
	errIssuerUnreachable = errors.New("issuer discovery or JWKS unreachable")
	errNoKey             = errors.New("no key in the issuer's JWKS matches the token's kid")
	errBadSignature      = errors.New("token signature does not verify")
	errExpired           = errors.New("token is expired")
	errNotYetValid       = errors.New("token is not valid yet")
)

// maxDocument bounds the discovery and JWKS documents read from an issuer.
const maxDocument = 1 << 20

// validator checks tokens against an issuer's discovery document and JWKS,
// fetched through client, on the clock now.
type validator struct {
	client *http.Client
	now    func() time.Time
}

// unverifiedClaims decodes a compact JWS payload without checking anything,
// to route a token (find the registration for its issuer) before validating it.
func unverifiedClaims(token string) (map[string]any, error) {
	msg, err := jws.Parse([]byte(token))
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, errMalformed
	}
	return decodeClaims(msg.Payload())
}

func decodeClaims(payload []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var claims map[string]any
	if err := d.Decode(&claims); err != nil || claims == nil {
		return nil, errMalformed
	}
	return normalizeNumbers(claims).(map[string]any), nil
}

// normalizeNumbers turns JSON numbers into int64 when integral, float64
// otherwise, so claims compare naturally in CEL and in decisions.
func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, e := range t {
			t[k] = normalizeNumbers(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = normalizeNumbers(e)
		}
		return t
	}
	return v
}

// validate verifies token as issued by issuer: the iss claim, the signature
// with the key its kid names in the issuer's JWKS, and exp/nbf/iat on the
// virtual clock. It returns the token's claims.
func (v *validator) validate(ctx context.Context, token, issuer string) (map[string]any, error) {
	msg, err := jws.Parse([]byte(token))
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, errMalformed
	}
	claims, err := decodeClaims(msg.Payload())
	if err != nil {
		return nil, err
	}
	if iss, _ := claims["iss"].(string); iss != issuer {
		return claims, fmt.Errorf("%w: %q is not %q", errIssuerMismatch, iss, issuer)
	}
	set, err := v.jwks(ctx, issuer)
	if err != nil {
		return claims, err
	}
	hdr := msg.Signatures()[0].ProtectedHeaders()
	key, ok := set.LookupKeyID(hdr.KeyID())
	if !ok {
		return claims, fmt.Errorf("%w: kid %q", errNoKey, hdr.KeyID())
	}
	alg := hdr.Algorithm()
	if alg == jwa.NoSignature || (key.Algorithm().String() != "" && key.Algorithm().String() != alg.String()) {
		return claims, fmt.Errorf("%w: algorithm %q", errBadSignature, alg)
	}
	if _, err := jws.Verify([]byte(token), jws.WithKey(alg, key)); err != nil {
		return claims, errBadSignature
	}
	tok, err := jwt.Parse([]byte(token), jwt.WithVerify(false), jwt.WithValidate(false))
	if err != nil {
		return claims, errMalformed
	}
	err = jwt.Validate(tok, jwt.WithClock(jwt.ClockFunc(v.now)), jwt.WithAcceptableSkew(0))
	switch {
	case err == nil:
		return claims, nil
	case errors.Is(err, jwt.ErrTokenExpired()):
		return claims, errExpired
	case errors.Is(err, jwt.ErrTokenNotYetValid()), errors.Is(err, jwt.ErrInvalidIssuedAt()):
		return claims, errNotYetValid
	default:
		return claims, fmt.Errorf("%w: %v", errMalformed, err)
	}
}

// jwks fetches the issuer's discovery document and the JWKS it names.
func (v *validator) jwks(ctx context.Context, issuer string) (jwk.Set, error) {
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	body, err := v.get(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &disc); err != nil || disc.JWKSURI == "" {
		return nil, fmt.Errorf("%w: discovery document without jwks_uri", errIssuerUnreachable)
	}
	body, err = v.get(ctx, disc.JWKSURI)
	if err != nil {
		return nil, err
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("%w: JWKS: %v", errIssuerUnreachable, err)
	}
	return set, nil
}

func (v *validator) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errIssuerUnreachable, err)
	}
	client := v.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errIssuerUnreachable, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: GET %s: %s", errIssuerUnreachable, url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil || len(body) > maxDocument {
		return nil, fmt.Errorf("%w: GET %s: unreadable or oversized body", errIssuerUnreachable, url)
	}
	return body, nil
}
