package gcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// Token exchange parameters (RFC 8693) as Google's STS accepts them.
const (
	grantTokenExchange   = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeJWT         = "urn:ietf:params:oauth:token-type:jwt"
	tokenTypeIDToken     = "urn:ietf:params:oauth:token-type:id_token"
	tokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
	// FederatedTokenTTL is the lifetime of an STS federated access token.
	FederatedTokenTTL = time.Hour
	maxSubjectToken   = 16 << 10
)

var audience = lazyre.New(`^(?:https:)?//iam\.googleapis\.com/(projects/[^/]+/locations/global/workloadIdentityPools/[^/]+/providers/[^/]+)$`)

// Google's STS answers (see the package comment for which were observed).
var (
	errBadAudience = stsError{"invalid_request", `Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.`}
	errBadTarget   = stsError{"invalid_target", `The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.`}
	errCondition   = stsError{"unauthorized_client", "The given credential is rejected by the attribute condition."}
)

// exchangeResponse is STS's success body, fields in Google's order.
type exchangeResponse struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int    `json:"expires_in"`
}

// exchangeRequest is the token exchange, from a form or JSON body.
type exchangeRequest struct {
	GrantType, Audience, Scope, RequestedTokenType, SubjectToken, SubjectTokenType string
}

func parseExchange(r *http.Request) (exchangeRequest, *stsError) {
	body, err := clouds.ReadBody(r, clouds.MaxBody)
	if err != nil {
		return exchangeRequest{}, &stsError{"invalid_request", "The request body is unreadable or over 1 MiB."}
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	get := func(string, string) string { return "" }
	if ct == "application/json" {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return exchangeRequest{}, &stsError{"invalid_request", "Invalid JSON payload received: " + err.Error()}
		}
		// Google's JSON APIs accept both proto field spellings.
		get = func(snake, camel string) string {
			for _, k := range []string{snake, camel} {
				if v, ok := m[k].(string); ok {
					return v
				}
			}
			return ""
		}
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return exchangeRequest{}, &stsError{"invalid_request", "The request body is not a valid application/x-www-form-urlencoded form."}
		}
		get = func(snake, _ string) string { return form.Get(snake) }
	}
	return exchangeRequest{
		GrantType:          get("grant_type", "grantType"),
		Audience:           get("audience", "audience"),
		Scope:              get("scope", "scope"),
		RequestedTokenType: get("requested_token_type", "requestedTokenType"),
		SubjectToken:       get("subject_token", "subjectToken"),
		SubjectTokenType:   get("subject_token_type", "subjectTokenType"),
	}, nil
}

// token is STS POST /v1/token.
func (s *Service) token(r *http.Request) (int, any) {
	req, perr := parseExchange(r)
	if perr != nil {
		return http.StatusBadRequest, perr
	}
	switch {
	case req.GrantType != grantTokenExchange:
		return http.StatusBadRequest, stsError{"unsupported_grant_type", fmt.Sprintf("Unsupported grant type %q; only %s is supported.", req.GrantType, grantTokenExchange)}
	case req.RequestedTokenType != "" && req.RequestedTokenType != tokenTypeAccessToken:
		return http.StatusBadRequest, stsError{"invalid_request", fmt.Sprintf(`Invalid value for "requested_token_type": %q. The only supported value is %s.`, req.RequestedTokenType, tokenTypeAccessToken)}
	case req.SubjectTokenType != tokenTypeJWT && req.SubjectTokenType != tokenTypeIDToken:
		return http.StatusBadRequest, stsError{"invalid_request", fmt.Sprintf(`Invalid value for "subject_token_type": %q. An OIDC provider accepts %s or %s.`, req.SubjectTokenType, tokenTypeJWT, tokenTypeIDToken)}
	case req.SubjectToken == "":
		return http.StatusBadRequest, stsError{"invalid_request", `Invalid value for "subject_token": the subject token is required.`}
	case len(req.SubjectToken) > maxSubjectToken:
		return http.StatusBadRequest, stsError{"invalid_request", fmt.Sprintf(`Invalid value for "subject_token": the subject token is %d bytes, over the %d allowed.`, len(req.SubjectToken), maxSubjectToken)}
	}
	m := audience.FindStringSubmatch(req.Audience)
	if m == nil || matchProviderName(m[1]) == nil {
		s.Base.Record(r, clouds.Decision{Action: "sts.token", Error: errBadAudience.Error, Reasons: []string{fmt.Sprintf("audience %q is not the full resource name of a workload identity pool provider", req.Audience)}})
		return http.StatusBadRequest, errBadAudience
	}
	name := m[1]
	d, fed, e := s.judge(r.Context(), name, req.SubjectToken)
	if e != nil {
		s.Base.Record(r, d)
		return http.StatusBadRequest, *e
	}
	now := s.cfg.Now()
	fed.Expires = now.Add(FederatedTokenTTL)
	tok := newToken("ya29.d.")
	s.mu.Lock()
	for k, t := range s.tokens {
		if !now.Before(t.Expires) {
			delete(s.tokens, k)
		}
	}
	s.tokens[tok] = fed
	s.mu.Unlock()
	d.Allowed = true
	s.Base.Record(r, d)
	return http.StatusOK, exchangeResponse{tok, tokenTypeAccessToken, "Bearer", int(FederatedTokenTTL / time.Second)}
}

// judge runs the exchange's checks of the subject token raw against the
// provider name (its resource name), recording nothing and issuing
// nothing: the decision so far and, when refused, the STS error.
func (s *Service) judge(ctx context.Context, name, raw string) (d clouds.Decision, fed federatedToken, e *stsError) {
	ids := matchProviderName(name)
	s.mu.ReadLock()
	c := s.st.providers[name]
	s.mu.ReadUnlock()
	d = clouds.Decision{Action: "sts.token", Principal: "//iam.googleapis.com/" + name}
	refuse := func(e stsError, reasons ...string) (clouds.Decision, federatedToken, *stsError) {
		d.Reasons = append(d.Reasons, reasons...)
		d.Error = e.Error
		return d, federatedToken{}, &e
	}
	if c == nil {
		return refuse(errBadTarget, fmt.Sprintf("no provider %s", name))
	}
	if c.Disabled {
		return refuse(errBadTarget, fmt.Sprintf("provider %s is disabled", name))
	}
	if err := c.programs(); err != nil {
		return refuse(stsError{"invalid_request", fmt.Sprintf("Provider %s does not compile: %v", name, err)}, fmt.Sprintf("provider %s does not compile: %v", name, err))
	}
	issuer := s.Base.ResolveIssuer(c.OIDC.IssuerURI)
	claims, err := s.verify(ctx, raw, issuer)
	d.Claims = claims
	if err != nil {
		return refuse(stsError{"invalid_grant", s.grantError(err, claims, issuer)}, "subject token refused: "+refusal(err))
	}
	d.Reasons = append(d.Reasons, fmt.Sprintf("token signed by %s, valid on the clock", issuer))
	allowed := c.OIDC.AllowedAudiences
	if len(allowed) == 0 {
		allowed = []string{"//iam.googleapis.com/" + name, "https://iam.googleapis.com/" + name}
	}
	auds := audiences(claims["aud"])
	if !slices.ContainsFunc(auds, func(a string) bool { return slices.Contains(allowed, a) }) {
		return refuse(stsError{"invalid_grant", fmt.Sprintf("The audience in ID Token [%s] does not match the expected audience.", strings.Join(auds, ", "))},
			fmt.Sprintf("token audience %q is none of the allowed audiences %q", auds, allowed))
	}
	d.Reasons = append(d.Reasons, fmt.Sprintf("token audience %q is allowed", auds))
	mp, notes, err := c.evalMapping(claims)
	d.Reasons = append(d.Reasons, notes...)
	if err != nil {
		return refuse(stsError{"invalid_grant", "The mapped attribute 'google.subject' is missing or invalid: " + err.Error()}, err.Error())
	}
	fed = federatedToken{Project: ids[1], Pool: ids[2], Provider: ids[3], Subject: mp.Subject, Groups: mp.Groups, Attributes: mp.Attributes}
	d.Principal = fed.principal()
	ok, why := c.evalCondition(claims, mp)
	d.Reasons = append(d.Reasons, why)
	if !ok {
		return refuse(errCondition)
	}
	return d, fed, nil
}

// Explain is what STS would decide for the subject token raw at each
// enabled or disabled provider, in name order, without recording a
// decision or issuing a token (the inspector's token explainer).
func (s *Service) Explain(ctx context.Context, raw string) []clouds.Decision {
	s.mu.Lock()
	names := make([]string, 0, len(s.st.providers))
	for n := range s.st.providers {
		names = append(names, n)
	}
	s.mu.Unlock()
	sort.Strings(names)
	out := make([]clouds.Decision, 0, len(names))
	for _, n := range names {
		d, _, e := s.judge(ctx, n, raw)
		d.Cloud, d.Time, d.Allowed = Cloud, s.cfg.Now().UTC(), e == nil
		out = append(out, d)
	}
	return out
}

// errIssuerMismatch is a subject token issued by another issuer than the
// provider's.
var errIssuerMismatch = errors.New("token issuer does not match")

// verify parses the subject token and verifies it as issuer's on the
// virtual clock. The claims are returned even when the token is refused
// (once it parses), numbers integral ones as int64 so CEL compares them
// as Google does.
func (s *Service) verify(ctx context.Context, raw, issuer string) (map[string]any, error) {
	tok, err := clouds.ParseUnverified(raw)
	if err != nil {
		return nil, err
	}
	claims := normalizeNumbers(tok.Claims).(map[string]any)
	if strings.TrimRight(tok.Issuer, "/") != strings.TrimRight(issuer, "/") {
		return claims, fmt.Errorf("%w: %q is not %q", errIssuerMismatch, tok.Issuer, issuer)
	}
	return claims, s.Base.Verifier.Verify(ctx, tok, issuer)
}

// refusal is a refused token's reason: its kind and detail.
func refusal(err error) string {
	if k := clouds.Kind(err); k != 0 {
		return k.String() + ": " + err.Error()
	}
	return err.Error()
}

// normalizeNumbers turns float64 claims that are integers into int64, in
// place.
func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t)
		}
	case map[string]any:
		for k, e := range t {
			t[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = normalizeNumbers(e)
		}
	}
	return v
}

// grantError is the invalid_grant description for a refused subject token.
func (s *Service) grantError(err error, claims map[string]any, issuer string) string {
	if errors.Is(err, errIssuerMismatch) {
		return fmt.Sprintf("The issuer in ID Token %v does not match the expected ISSUER %s.", claims["iss"], issuer)
	}
	switch clouds.Kind(err) {
	case clouds.Expired:
		return fmt.Sprintf("The ID Token has expired: exp %v is before the current time %d.", claims["exp"], s.cfg.Now().Unix())
	case clouds.NotYetValid:
		return "The ID Token is not yet valid (nbf or iat is in the future)."
	case clouds.BadSignature:
		return "Invalid JWT signature: the ID Token's signature does not verify against the keys published at " + issuer + "."
	case clouds.KeyUnavailable:
		return "Unable to retrieve the OIDC discovery document or JWKS of " + issuer + "."
	}
	return "Unable to parse the ID Token: it must be a signed JWT (header.payload.signature)."
}

// audiences reads the aud claim, a string or a list of strings.
func audiences(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
