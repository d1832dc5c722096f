package azure

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tfcemu/tfcemu/emulator/clouds"
)

// Client-credentials grant parameters with a federated assertion.
const (
	grantClientCredentials = "client_credentials"
	assertionTypeJWTBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// AccessTokenTTL is the lifetime Entra gives app-only tokens (expires_in 3599).
	AccessTokenTTL = 3599 * time.Second
	maxAssertion   = 16 << 10
)

// entraError is one of Entra's OAuth errors.
type entraError struct {
	status int
	err    string
	code   int
	msg    string
}

// entraBody is Entra's error body, fields in Entra's order.
type entraBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	ErrorCodes    []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

// fail writes e in Entra's shape and records d (when not nil) as refused.
func (s *Service) fail(r *http.Request, e entraError, d *clouds.Decision) (int, any) {
	now := s.cfg.Now().UTC()
	ts := now.Format("2006-01-02 15:04:05Z")
	corr := r.Header.Get("client-request-id")
	if _, err := uuid.Parse(corr); err != nil {
		corr = uuid.NewString()
	}
	trace := uuid.NewString()
	if d != nil {
		d.Reasons = append(d.Reasons, fmt.Sprintf("AADSTS%d: %s", e.code, e.msg))
		d.Error = fmt.Sprintf("AADSTS%d", e.code)
		s.Base.Record(r, *d)
	}
	return e.status, entraBody{
		Error:         e.err,
		Description:   fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", e.code, e.msg, trace, corr, ts),
		ErrorCodes:    []int{e.code},
		Timestamp:     ts,
		TraceID:       trace,
		CorrelationID: corr,
		ErrorURI:      fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", e.code),
	}
}

func missing(param string) entraError {
	return entraError{http.StatusBadRequest, "invalid_request", 900144, fmt.Sprintf("The request body must contain the following parameter: '%s'.", param)}
}

const ficDoc = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation"

// token is POST /{tenant}/oauth2/v2.0/token, the client-credentials grant
// with a federated client assertion.
func (s *Service) token(r *http.Request) (int, any) {
	tenant := r.PathValue("tenant")
	raw, err := clouds.ReadBody(r, clouds.MaxBody)
	if err != nil {
		return s.fail(r, entraError{http.StatusBadRequest, "invalid_request", 900144, "The request body is unreadable or over 1 MiB."}, nil)
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return s.fail(r, entraError{http.StatusBadRequest, "invalid_request", 900144, "The request body must be an application/x-www-form-urlencoded form."}, nil)
	}
	for _, p := range []string{"grant_type", "client_id", "scope", "client_assertion_type", "client_assertion"} {
		if form.Get(p) == "" {
			return s.fail(r, missing(p), nil)
		}
	}
	client, scope, assertion := form.Get("client_id"), form.Get("scope"), form.Get("client_assertion")
	switch {
	case form.Get("grant_type") != grantClientCredentials:
		return s.fail(r, entraError{http.StatusBadRequest, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", form.Get("grant_type"))}, nil)
	case form.Get("client_assertion_type") != assertionTypeJWTBearer:
		return s.fail(r, entraError{http.StatusBadRequest, "invalid_request", 700025, fmt.Sprintf("The client_assertion_type '%s' is not supported; use %s.", form.Get("client_assertion_type"), assertionTypeJWTBearer)}, nil)
	case !strings.HasSuffix(resourceScope(scope), "/.default"):
		return s.fail(r, entraError{http.StatusBadRequest, "invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)}, nil)
	}
	d, e := s.judge(r.Context(), tenant, client, assertion)
	if e != nil {
		return s.fail(r, *e, &d)
	}
	s.Base.Record(r, d)
	now := s.cfg.Now()
	return http.StatusOK, struct {
		TokenType    string `json:"token_type"`
		ExpiresIn    int    `json:"expires_in"`
		ExtExpiresIn int    `json:"ext_expires_in"`
		AccessToken  string `json:"access_token"`
	}{"Bearer", int(AccessTokenTTL / time.Second), int(AccessTokenTTL / time.Second), accessToken(tenant, client, strings.TrimSuffix(resourceScope(scope), "/.default"), now)}
}

// judge checks the client assertion raw for the application client of
// tenant as the token endpoint does, recording nothing and issuing
// nothing: the decision so far and, when refused, Entra's error (whose
// AADSTS reason fail adds).
func (s *Service) judge(ctx context.Context, tenant, client, assertion string) (d clouds.Decision, e *entraError) {
	refuse := func(x entraError) *entraError { return &x }
	d = clouds.Decision{Action: "oauth2.token", Principal: "tenant " + tenant + " application " + client}
	s.mu.Lock()
	apps, tenantOK := s.st[tenant]
	fics, appOK := apps[client]
	fics = maps.Clone(fics)
	s.mu.Unlock()
	if !tenantOK {
		return d, refuse(entraError{http.StatusBadRequest, "invalid_tenant", 90002, "Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."})
	}
	if !appOK {
		return d, refuse(entraError{http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", client, tenant)})
	}
	if len(assertion) > maxAssertion {
		return d, refuse(entraError{http.StatusBadRequest, "invalid_request", 50027, fmt.Sprintf("JWT token is invalid or malformed: the client assertion is %d bytes, over the %d allowed.", len(assertion), maxAssertion)})
	}
	tok, err := clouds.ParseUnverified(assertion)
	if err != nil {
		d.Reasons = append(d.Reasons, "assertion refused: "+err.Error())
		return d, refuse(entraError{http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed."})
	}
	claims := tok.Claims
	d.Claims = claims
	iss, sub, auds := tok.Issuer, tok.Subject, tok.Audience
	byIssuer := map[string]FederatedIdentityCredential{}
	for name, f := range fics {
		if s.Base.ResolveIssuer(f.Issuer) == iss {
			byIssuer[name] = f
		}
	}
	if len(byIssuer) == 0 {
		d.Reasons = append(d.Reasons, fmt.Sprintf("issuer %q matches none of the application's %d federated identity credentials", iss, len(fics)))
		return d, refuse(entraError{http.StatusUnauthorized, "invalid_client", 700211, fmt.Sprintf("No matching federated identity record found for presented assertion issuer '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. %s", iss, ficDoc)})
	}
	if err := s.Base.Verifier.Verify(ctx, tok, iss); err != nil {
		return d, refuse(s.assertionError(err, tok))
	}
	d.Reasons = append(d.Reasons, fmt.Sprintf("assertion signed by %s, valid on the clock", iss))
	var bySubject []string
	for name, f := range byIssuer {
		if f.Subject == sub {
			bySubject = append(bySubject, name)
		}
	}
	if len(bySubject) == 0 {
		d.Reasons = append(d.Reasons, fmt.Sprintf("subject %q matches none of the subjects (case-sensitive) of the credentials for issuer %s: %q", sub, iss, subjects(byIssuer)))
		return d, refuse(entraError{http.StatusBadRequest, "invalid_request", 700213, fmt.Sprintf("No matching federated identity record found for presented assertion subject '%s'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. %s", sub, ficDoc)})
	}
	slices.Sort(bySubject)
	matched := ""
	for _, name := range bySubject {
		if slices.ContainsFunc(byIssuer[name].Audiences, func(a string) bool { return slices.Contains(auds, a) }) {
			matched = name
			break
		}
	}
	if matched == "" {
		d.Reasons = append(d.Reasons, fmt.Sprintf("audience %q is not the audience of credential(s) %q", auds, bySubject))
		return d, refuse(entraError{http.StatusBadRequest, "invalid_request", 700212, fmt.Sprintf("No matching federated identity record found for presented assertion audience '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. %s", strings.Join(auds, ","), ficDoc)})
	}
	d.Allowed = true
	d.Reasons = append(d.Reasons, fmt.Sprintf("federated identity credential %q matches issuer, subject and audience", matched))
	return d, nil
}

// Explain is what the token endpoint would decide for the client
// assertion raw for each application of each tenant, in order, without
// recording a decision or issuing a token (the inspector's token
// explainer).
func (s *Service) Explain(ctx context.Context, raw string) []clouds.Decision {
	type app struct{ tenant, client string }
	var apps []app
	s.mu.Lock()
	for t, as := range s.st {
		for c := range as {
			apps = append(apps, app{t, c})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(apps, func(a, b app) int { return strings.Compare(a.tenant+"/"+a.client, b.tenant+"/"+b.client) })
	out := make([]clouds.Decision, 0, len(apps))
	for _, a := range apps {
		d, e := s.judge(ctx, a.tenant, a.client, raw)
		if e != nil {
			d.Reasons = append(d.Reasons, fmt.Sprintf("AADSTS%d: %s", e.code, e.msg))
			d.Error = fmt.Sprintf("AADSTS%d", e.code)
		}
		d.Cloud, d.Time, d.Allowed = Cloud, s.cfg.Now().UTC(), e == nil
		out = append(out, d)
	}
	return out
}

// assertionError maps a validation failure to Entra's answer.
func (s *Service) assertionError(err error, tok *clouds.Token) entraError {
	switch clouds.Kind(err) {
	case clouds.Expired, clouds.NotYetValid:
		return entraError{http.StatusUnauthorized, "invalid_client", 700024, fmt.Sprintf("Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
			s.cfg.Now().UTC().Format("2006-01-02T15:04:05.0000000Z"), entraTime(validFrom(tok)), entraTime(tok.Expiry))}
	case clouds.KeyUnavailable:
		return entraError{http.StatusUnauthorized, "invalid_client", 50166, "Request to External OIDC endpoint failed: " + err.Error()}
	case clouds.BadSignature:
		return entraError{http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation."}
	}
	return entraError{http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed."}
}

// resourceScope is the one resource scope of a request, the OpenID scopes
// MSAL adds (openid, profile, offline_access, email) left out; "" unless
// exactly one remains.
func resourceScope(scope string) string {
	var rest []string
	for _, f := range strings.Fields(scope) {
		if !slices.Contains([]string{"openid", "profile", "offline_access", "email"}, f) {
			rest = append(rest, f)
		}
	}
	if len(rest) != 1 {
		return ""
	}
	return rest[0]
}

// validFrom is when the assertion becomes valid: nbf, else iat.
func validFrom(tok *clouds.Token) time.Time {
	if tok.NotBefore.IsZero() {
		return tok.IssuedAt
	}
	return tok.NotBefore
}

// entraTime formats t as Entra's error descriptions do.
func entraTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}

func subjects(fics map[string]FederatedIdentityCredential) []string {
	var out []string
	for _, f := range fics {
		out = append(out, f.Subject)
	}
	slices.Sort(out)
	return out
}

// accessToken is a JWT-shaped app-only v1 token for resource; its
// signature is random: nothing downstream verifies it offline.
func accessToken(tenant, client, resource string, now time.Time) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	sig := make([]byte, 256)
	_, _ = rand.Read(sig)
	oid := uuid.NewSHA1(uuid.NameSpaceURL, []byte(tenant+"/"+client)).String()
	return enc(map[string]string{"typ": "JWT", "alg": "RS256", "kid": "tfcemu-entra"}) + "." + enc(map[string]any{
		"aud": resource, "iss": "https://sts.windows.net/" + tenant + "/",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(AccessTokenTTL).Unix(),
		"appid": client, "appidacr": "2", "idp": "https://sts.windows.net/" + tenant + "/", "idtyp": "app",
		"oid": oid, "sub": oid, "tid": tenant, "ver": "1.0",
	}) + "." + base64.RawURLEncoding.EncodeToString(sig)
}
