package jwtauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Leeway defaults: 0 means these, negative means none.
const (
	defaultExpirationLeeway = 150 * time.Second
	defaultNotBeforeLeeway  = 150 * time.Second
	defaultClockSkewLeeway  = 60 * time.Second
)

// login is path_login.go's pathLogin: the checks run in the real method's
// order and fail with its messages (400 unless noted).
func (b *backend) login(ctx context.Context, req *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	return b.loginAs(ctx, d.String("role"), d.String("jwt"), req.RemoteAddr)
}

// RoleVerdict is what a login with a token at one role would answer: the
// role's name, whether Vault would log in, and its error or policies.
type RoleVerdict struct {
	Role     string
	Allowed  bool
	Reason   string
	Policies []string
}

// ExplainLogin judges token against every role of the method as a login
// would, in role name order, without minting a token or recording
// anything; token_bound_cidrs are judged for a loopback client.
func (b *backend) ExplainLogin(ctx context.Context, token string) []RoleVerdict {
	b.mu.RLock()
	names := make([]string, 0, len(b.roles))
	for name := range b.roles {
		names = append(names, name)
	}
	b.mu.RUnlock()
	slices.Sort(names)
	out := make([]RoleVerdict, 0, len(names))
	for _, name := range names {
		v := RoleVerdict{Role: name}
		resp, err := b.loginAs(ctx, name, token, "127.0.0.1")
		switch {
		case err != nil:
			v.Reason = err.Error()
		case resp.IsError():
			v.Reason = resp.Error()
		default:
			v.Allowed, v.Policies = true, resp.Auth.Policies
		}
		out = append(out, v)
	}
	return out
}

// loginAs is a login at role name (the default role when empty) with
// token from remote: the auth a login would mint, or its refusal.
func (b *backend) loginAs(ctx context.Context, name, token, remote string) (*logical.Response, error) {
	b.mu.RLock()
	c := b.config
	b.mu.RUnlock()
	if c == nil {
		return logical.ErrorResponse("could not load configuration"), nil
	}
	if name == "" {
		name = c.DefaultRole
	}
	if name == "" {
		return logical.ErrorResponse("missing role"), nil
	}
	b.mu.RLock()
	r, ok := b.roles[name]
	b.mu.RUnlock()
	if !ok {
		return logical.ErrorResponse("role %q could not be found", name), nil
	}
	if r.RoleType == "oidc" {
		return logical.ErrorResponse("role with oidc role_type is not allowed"), nil
	}
	if token == "" {
		return logical.ErrorResponse("missing token"), nil
	}
	if len(r.TokenBoundCIDRs) > 0 && !remoteIn(remote, r.TokenBoundCIDRs) {
		return nil, logical.ErrPermissionDenied
	}
	if c.OIDCClientID != "" {
		return logical.ErrorResponse("error configuring token validator: unsupported config type"), nil
	}
	claims, err := b.validate(ctx, c, r, token)
	if err != nil {
		var cfgErr configError
		if errors.As(err, &cfgErr) {
			return logical.ErrorResponse("error configuring token validator: %s", cfgErr.err), nil
		}
		return logical.ErrorResponse("error validating token: %s", err), nil
	}
	if len(r.BoundAudiences) == 0 {
		if aud, ok := claims["aud"]; ok && aud != nil && aud != "" {
			if list, isList := aud.([]any); !isList || len(list) > 0 {
				return logical.ErrorResponse("audience claim found in JWT but no audiences bound to the role"), nil
			}
		}
	}
	userVal, ok := claimValue(claims, r.UserClaim, r.UserClaimJSONPointer)
	if !ok {
		return logical.ErrorResponse("claim %q not found in token", r.UserClaim), nil
	}
	user, ok := claimString(userVal)
	if !ok {
		return logical.ErrorResponse("claim %q could not be converted to string", r.UserClaim), nil
	}
	metadata := map[string]string{}
	for src, dst := range r.ClaimMappings {
		v, ok := claimValue(claims, src, strings.HasPrefix(src, "/"))
		if !ok {
			continue
		}
		s, ok := claimString(v)
		if !ok {
			return logical.ErrorResponse("error converting claim '%s' to string", src), nil
		}
		metadata[dst] = s
	}
	if err := validateBoundClaims(r, claims); err != nil {
		return logical.ErrorResponse("error validating claims: %s", err), nil
	}
	metadata["role"] = name
	return &logical.Response{Auth: &logical.Auth{
		DisplayName: user, Policies: r.TokenPolicies, Metadata: metadata, TTL: r.TokenTTL, MaxTTL: r.TokenMaxTTL,
		Renewable: true, NoDefault: r.TokenNoDefaultPolicy, NumUses: r.TokenNumUses, BoundCIDRs: r.TokenBoundCIDRs,
		Period: r.TokenPeriod, ExplicitMaxTTL: r.TokenExplicitMaxTTL,
		InternalData: map[string]any{"role": name},
	}}, nil
}

func remoteIn(remote string, cidrs []string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	for _, c := range cidrs {
		if _, n, err := net.ParseCIDR(c); err == nil && ip != nil && n.Contains(ip) {
			return true
		}
		if c == host {
			return true
		}
	}
	return false
}

// configError marks a failure to build the validator (discovery, JWKS).
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }

// validate is cap's jwt.Validate: signature, algorithm, issuer, subject,
// audience, then times with the leeways, on the virtual clock.
func (b *backend) validate(ctx context.Context, c *config, r *role, token string) (map[string]any, error) {
	// Keys from discovery or a JWKS URL go through go-oidc's RemoteKeySet
	// (go-jose v4, the algorithm checked as it parses); static keys through
	// cap's StaticKeySet (go-jose v3: no algorithm check, bare errors).
	static := len(c.pubKeys) > 0
	hdr, claims, err := parseCompact(token, !static)
	switch {
	case errors.Is(err, errStaticClaims):
		return nil, errors.New("error verifying token signature: no known key successfully validated the token signature")
	case err != nil && static:
		return nil, fmt.Errorf("error verifying token signature: %w", err)
	case err != nil:
		return nil, fmt.Errorf("error verifying token signature: oidc: malformed jwt: %w", err)
	}
	alg, _ := hdr["alg"].(string)
	if err := b.verifySignature(ctx, c, token, hdr); err != nil {
		return nil, err
	}
	supported := c.JWTSupportedAlgs
	if len(supported) == 0 {
		supported = allAlgs
	}
	if !slices.Contains(supported, alg) {
		return nil, errors.New("invalid algorithm (alg) header parameter: token signed with unexpected algorithm")
	}
	// cap reads the registered claims into go-jose's jwt.Claims: a time
	// claim must be a JSON number (null is absent).
	for _, name := range []string{"exp", "iat", "nbf"} {
		if v, ok := claims[name]; ok && v != nil {
			if _, isNum := v.(json.Number); !isNum {
				return nil, errors.New("go-jose/go-jose/jwt: expected number value to unmarshal NumericDate")
			}
		}
	}
	if c.BoundIssuer != "" && claims["iss"] != c.BoundIssuer {
		return nil, errors.New("invalid issuer (iss) claim")
	}
	if r.BoundSubject != "" && claims["sub"] != r.BoundSubject {
		return nil, errors.New("invalid subject (sub) claim")
	}
	if len(r.BoundAudiences) > 0 && !audienceMatches(claims["aud"], r.BoundAudiences) {
		return nil, errors.New("invalid audience (aud) claim: audience claim does not match any expected audience")
	}
	iat, hasIat := numericClaim(claims, "iat")
	nbf, hasNbf := numericClaim(claims, "nbf")
	exp, hasExp := numericClaim(claims, "exp")
	if !hasIat && !hasNbf && !hasExp {
		return nil, errors.New("no issued at (iat), not before (nbf), or expiration time (exp) claims in token")
	}
	expLeeway := leeway(r.ExpirationLeeway, defaultExpirationLeeway)
	nbfLeeway := leeway(r.NotBeforeLeeway, defaultNotBeforeLeeway)
	if !hasExp {
		exp = later(iat, nbf).Add(expLeeway)
	}
	if !hasNbf {
		if hasIat {
			nbf = iat
		} else {
			nbf = exp.Add(-nbfLeeway)
		}
	}
	skew := leeway(r.ClockSkewLeeway, defaultClockSkewLeeway)
	now := b.cfg.Now()
	switch {
	case now.Add(skew).Before(nbf):
		return nil, errors.New("invalid not before (nbf) claim: token not yet valid")
	case now.Add(-skew).After(exp):
		return nil, errors.New("invalid expiration time (exp) claim: token is expired")
	case hasIat && now.Add(skew).Before(iat):
		return nil, errors.New("invalid issued at (iat) claim: token issued in the future")
	}
	return claims, nil
}

// leeway: 0 means the default, negative means none.
func leeway(v, def time.Duration) time.Duration {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// errStaticClaims marks claims that do not parse on the static-key path,
// where go-jose v3 fails them as it verifies.
var errStaticClaims = errors.New("claims do not parse")

// parseCompact splits and decodes a compact JWS as go-jose's ParseSigned
// does, with its errors: all three parts are base64-decoded first, then
// the header is parsed. v4 (remote keys) also checks the alg against every
// algorithm the method knows; v3 (static keys) tolerates '=' padding. The
// claims are parsed after, as cap does once the signature is verified.
func parseCompact(token string, v4 bool) (map[string]any, map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, errors.New("go-jose/go-jose: compact JWS format must have three parts")
	}
	raw := make([][]byte, 3)
	for i, p := range parts {
		if !v4 {
			p = strings.TrimRight(p, "=")
		}
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil {
			return nil, nil, err
		}
		raw[i] = b
	}
	var hdr map[string]any
	if err := json.Unmarshal(raw[0], &hdr); err != nil {
		return nil, nil, err
	}
	if alg, _ := hdr["alg"].(string); v4 && !slices.Contains(allAlgs, alg) {
		return nil, nil, fmt.Errorf("unexpected signature algorithm %q; expected %q", alg, allAlgs)
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw[1]))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		if !v4 {
			return nil, nil, errStaticClaims
		}
		return nil, nil, fmt.Errorf("oidc: failed to unmarshal claims: %w", err)
	}
	return hdr, claims, nil
}

func numericClaim(claims map[string]any, name string) (time.Time, bool) {
	n, ok := claims[name].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func audienceMatches(aud any, bound []string) bool {
	switch t := aud.(type) {
	case string:
		return slices.Contains(bound, t)
	case []any:
		for _, a := range t {
			if s, ok := a.(string); ok && slices.Contains(bound, s) {
				return true
			}
		}
	}
	return false
}

// claimValue reads a claim by name, or by JSON pointer ("/a/b").
func claimValue(claims map[string]any, name string, pointer bool) (any, bool) {
	if !pointer {
		v, ok := claims[name]
		return v, ok
	}
	var cur any = claims
	for _, part := range strings.Split(strings.TrimPrefix(name, "/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func claimString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}
