package steps

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/cucumber/godog"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// jwtToken is a token under test with its decoded header and claims.
type jwtToken struct {
	raw    string
	header map[string]any
	claims map[string]any
}

func parseJWT(raw string) (*jwtToken, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a compact JWS: %d parts", len(parts))
	}
	t := &jwtToken{raw: raw}
	for i, dst := range []*map[string]any{&t.header, &t.claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(dst); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *jwtToken) intClaim(name string) (int64, error) {
	n, ok := t.claims[name].(json.Number)
	if !ok {
		return 0, fmt.Errorf("claim %s = %v is not a number", name, t.claims[name])
	}
	return n.Int64()
}

func (sc *scenario) currentToken() (*jwtToken, error) {
	if sc.token == nil {
		return nil, fmt.Errorf("no token in this scenario yet")
	}
	return sc.token, nil
}

// mint asks the emulator's admin API for a token.
func (sc *scenario) mint(ctx context.Context, req map[string]string) error {
	if err := sc.needEmulator("minting a token on demand"); err != nil {
		return err
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := sc.admin(ctx, "POST", "/workload-identity-tokens", req, &out); err != nil {
		return err
	}
	t, err := parseJWT(out.Token)
	sc.token = t
	return err
}

// fetchJWKS reads the target's published key set.
func (sc *scenario) fetchJWKS(ctx context.Context) (jwk.Set, error) {
	r, err := sc.do(ctx, "GET", sc.target.TFCURL+"/.well-known/jwks", nil, nil)
	if err != nil {
		return nil, err
	}
	if r.status != 200 {
		return nil, fmt.Errorf("JWKS: status %d", r.status)
	}
	return jwk.Parse(r.body)
}

// tokenAndJWKS returns the current token and the target's published keys.
func (sc *scenario) tokenAndJWKS(ctx context.Context) (*jwtToken, jwk.Set, error) {
	t, err := sc.currentToken()
	if err != nil {
		return nil, nil, err
	}
	set, err := sc.fetchJWKS(ctx)
	return t, set, err
}

// oidcVerify verifies the current token the way a relying party does: go-oidc
// discovers the issuer, fetches the JWKS and checks signature, iss, aud and
// exp on the target's clock.
func (sc *scenario) oidcVerify(ctx context.Context, audience string) error {
	t, err := sc.currentToken()
	if err != nil {
		return err
	}
	now, err := sc.now(ctx)
	if err != nil {
		return err
	}
	// httpClient resolves an issuer that names the emulator as another
	// container sees it (vault-container) through the published port.
	pctx := oidc.ClientContext(ctx, httpClient)
	provider, err := oidc.NewProvider(pctx, sc.target.Issuer)
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	v := provider.Verifier(&oidc.Config{ClientID: audience, Now: func() time.Time { return now }})
	_, err = v.Verify(pctx, t.raw)
	return err
}

func splitOrgName(s string) (string, string, error) {
	org, name, ok := strings.Cut(s, "/")
	if !ok || org == "" || name == "" {
		return "", "", fmt.Errorf("%q: want ORG/NAME", s)
	}
	return org, name, nil
}

func registerIdentitySteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^a workload identity token for workspace "([^"]*)" phase "([^"]*)" with audience "([^"]*)"$`, func(ctx context.Context, ws, phase, aud string) error {
		org, name, err := splitOrgName(ws)
		if err != nil {
			return err
		}
		return world(ctx).mint(ctx, map[string]string{"organization": org, "workspace": name, "phase": phase, "audience": aud})
	})
	ctx.Step(`^a module test token for module "([^"]*)" with audience "([^"]*)"$`, func(ctx context.Context, mod, aud string) error {
		org, name, err := splitOrgName(mod)
		if err != nil {
			return err
		}
		return world(ctx).mint(ctx, map[string]string{"organization": org, "module": name, "audience": aud})
	})
	ctx.Step(`^the token header is RS256 with typ JWT and a kid published in the JWKS$`, func(ctx context.Context) error {
		t, set, err := world(ctx).tokenAndJWKS(ctx)
		if err != nil {
			return err
		}
		if t.header["alg"] != "RS256" || t.header["typ"] != "JWT" {
			return fmt.Errorf("header = %v", t.header)
		}
		kid, _ := t.header["kid"].(string)
		if _, ok := set.LookupKeyID(kid); !ok || kid == "" {
			return fmt.Errorf("kid %q is not in the JWKS", kid)
		}
		return nil
	})
	ctx.Step(`^the token verifies against the JWKS$`, func(ctx context.Context) error {
		t, set, err := world(ctx).tokenAndJWKS(ctx)
		if err != nil {
			return err
		}
		_, err = jws.Verify([]byte(t.raw), jws.WithKeySet(set, jws.WithRequireKid(true)))
		return err
	})
	ctx.Step(`^the token claims include:$`, func(ctx context.Context, table *godog.Table) error {
		sc := world(ctx)
		t, err := sc.currentToken()
		if err != nil {
			return err
		}
		var problems []string
		for _, row := range table.Rows[1:] {
			name, want := row.Cells[0].Value, sc.expand(row.Cells[1].Value)
			got, ok := t.claims[name]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s is missing", name))
				continue
			}
			if fmt.Sprint(got) != want {
				problems = append(problems, fmt.Sprintf("%s = %v, want %s", name, got, want))
			}
		}
		if len(problems) > 0 {
			return fmt.Errorf("claims: %s", strings.Join(problems, "; "))
		}
		return nil
	})
	ctx.Step(`^the token claim "([^"]*)" matches "([^"]*)"$`, func(ctx context.Context, name, pattern string) error {
		t, err := world(ctx).currentToken()
		if err != nil {
			return err
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return err
		}
		if s, ok := t.claims[name].(string); !ok || !re.MatchString(s) {
			return fmt.Errorf("claim %s = %v does not match %s", name, t.claims[name], pattern)
		}
		return nil
	})
	ctx.Step(`^the token has no "([^"]*)" claim$`, func(ctx context.Context, name string) error {
		t, err := world(ctx).currentToken()
		if err != nil {
			return err
		}
		if v, ok := t.claims[name]; ok {
			return fmt.Errorf("token has claim %s = %v", name, v)
		}
		return nil
	})
	ctx.Step(`^the token expires (\d+) seconds after it was issued$`, func(ctx context.Context, want int64) error {
		return claimGap(ctx, "exp", "iat", want)
	})
	ctx.Step(`^the token's nbf is (\d+) seconds before its iat$`, func(ctx context.Context, want int64) error {
		return claimGap(ctx, "iat", "nbf", want)
	})
	ctx.Step(`^the token was issued at the virtual clock's time$`, func(ctx context.Context) error {
		sc := world(ctx)
		t, err := sc.currentToken()
		if err != nil {
			return err
		}
		now, err := sc.now(ctx)
		if err != nil {
			return err
		}
		iat, err := t.intClaim("iat")
		if err != nil {
			return err
		}
		if iat != now.Unix() {
			return fmt.Errorf("iat %d, clock %d", iat, now.Unix())
		}
		return nil
	})
	ctx.Step(`^an OIDC verifier using discovery accepts the token for audience "([^"]*)"$`, func(ctx context.Context, aud string) error {
		return world(ctx).oidcVerify(ctx, aud)
	})
	ctx.Step(`^an OIDC verifier using discovery rejects the token for audience "([^"]*)" with "([^"]*)"$`, func(ctx context.Context, aud, want string) error {
		err := world(ctx).oidcVerify(ctx, aud)
		if err == nil {
			return fmt.Errorf("verifier accepted the token, want an error containing %q", want)
		}
		if !strings.Contains(err.Error(), want) {
			return fmt.Errorf("verifier error %q does not contain %q", err, want)
		}
		return nil
	})
	ctx.Step(`^the signing key is rotated$`, func(ctx context.Context) error {
		sc := world(ctx)
		if err := sc.needEmulator("rotating the signing key"); err != nil {
			return err
		}
		return sc.admin(ctx, "POST", "/keys/rotate", nil, nil)
	})
	ctx.Step(`^the JWKS has (\d+) keys?$`, func(ctx context.Context, n int) error {
		set, err := world(ctx).fetchJWKS(ctx)
		if err != nil {
			return err
		}
		if set.Len() != n {
			return fmt.Errorf("JWKS has %d keys, want %d", set.Len(), n)
		}
		return nil
	})
	ctx.Step(`^the token's kid is the (first|last) key of the JWKS$`, func(ctx context.Context, which string) error {
		t, set, err := world(ctx).tokenAndJWKS(ctx)
		if err != nil {
			return err
		}
		i := 0
		if which == "last" {
			i = set.Len() - 1
		}
		k, ok := set.Key(i)
		if !ok {
			return fmt.Errorf("JWKS has no key %d", i)
		}
		kid := k.KeyID()
		if t.header["kid"] != kid {
			return fmt.Errorf("token kid %v, %s JWKS key %s", t.header["kid"], which, kid)
		}
		return nil
	})
	ctx.Step(`^the token is forged (with alg none|by an unknown key under the published kid|by an unknown key with an unknown kid)$`, func(ctx context.Context, how string) error {
		sc := world(ctx)
		t, err := sc.currentToken()
		if err != nil {
			return err
		}
		forged, err := forge(t, how)
		if err != nil {
			return err
		}
		sc.token, err = parseJWT(forged)
		return err
	})
}

func claimGap(ctx context.Context, later, earlier string, want int64) error {
	t, err := world(ctx).currentToken()
	if err != nil {
		return err
	}
	a, err := t.intClaim(later)
	if err != nil {
		return err
	}
	b, err := t.intClaim(earlier)
	if err != nil {
		return err
	}
	if a-b != want {
		return fmt.Errorf("%s - %s = %d, want %d", later, earlier, a-b, want)
	}
	return nil
}

// forge rebuilds t's payload as an attacker would: unsigned (alg none), or
// signed by a key the issuer never published, under the real kid or another.
func forge(t *jwtToken, how string) (string, error) {
	payload := strings.Split(t.raw, ".")[1]
	if how == "with alg none" {
		hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		return hdr + "." + payload + ".", nil
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	kid, _ := t.header["kid"].(string)
	if how == "by an unknown key with an unknown kid" {
		kid = "not-a-published-kid"
	}
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "JWT")
	_ = hdr.Set(jws.KeyIDKey, kid)
	claims, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", err
	}
	b, err := jws.Sign(claims, jws.WithKey(jwa.RS256, key, jws.WithProtectedHeaders(hdr)))
	return string(b), err
}
