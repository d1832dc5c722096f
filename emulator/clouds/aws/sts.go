package aws

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
)

// stsNamespace is the XML namespace of STS's Query protocol answers.
const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// stsVersion is the one API version STS has.
const stsVersion = "2011-06-15"

// maxFormBytes bounds a Query request body.
const maxFormBytes = 1 << 20

// maxTokenLength is STS's bound on WebIdentityToken.
const maxTokenLength = 20000

// actionAssume is the IAM action a trust policy allows.
const actionAssume = "sts:AssumeRoleWithWebIdentity"

// Routes is STS's Query protocol: POST / with Action=… in the form.
func (s *Service) Routes() []routing.Route {
	return []routing.Route{{Method: http.MethodPost, Path: "/", Handler: http.HandlerFunc(s.serveSTS)}}
}

// stsError is an STS error answer: a status and AWS's Error element.
type stsError struct {
	Status  int
	Code    string
	Message string
}

func (e *stsError) Error() string { return e.Code + ": " + e.Message }

func newSTSError(status int, code, format string, a ...any) *stsError {
	return &stsError{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

// The STS error texts the emulator answers, as AWS words them.
const (
	msgNotAuthorized  = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
	msgNoProvider     = "No OpenIDConnect provider found in your account for %s"
	msgAudience       = "Incorrect token audience"
	msgNoKey          = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
	msgInvalidToken   = "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."
	msgExpired        = "Token expired: current date/time %d must be before the expiration date/time %d"
	msgMaxDuration    = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	msgSignature      = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidKey     = "The security token included in the request is invalid."
	msgExpiredSession = "The security token included in the request is expired"
)

type xmlErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// writeXML writes an STS answer with its request id.
func writeXML(w http.ResponseWriter, status int, requestID string, body any) {
	b, err := xml.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte("<ErrorResponse><Error><Code>InternalFailure</Code></Error></ErrorResponse>")
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

func writeSTSError(w http.ResponseWriter, requestID string, e *stsError) {
	var doc xmlErrorResponse
	doc.Xmlns = stsNamespace
	doc.Error.Type = "Sender"
	if e.Status >= 500 {
		doc.Error.Type = "Receiver"
	}
	doc.Error.Code, doc.Error.Message = e.Code, e.Message
	doc.RequestID = requestID
	writeXML(w, e.Status, requestID, doc)
}

// serveSTS reads the Query form and dispatches on Action.
func (s *Service) serveSTS(w http.ResponseWriter, r *http.Request) {
	reqID := uuid.NewString()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	if err != nil {
		writeSTSError(w, reqID, newSTSError(http.StatusBadRequest, "MalformedInput", "The request body could not be read."))
		return
	}
	if len(body) > maxFormBytes {
		writeSTSError(w, reqID, newSTSError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body must be at most %d bytes.", maxFormBytes))
		return
	}
	form, err := url.ParseQuery(string(body))
	if err == nil && r.URL.RawQuery != "" {
		var q url.Values
		if q, err = url.ParseQuery(r.URL.RawQuery); err == nil {
			for k, v := range q {
				form[k] = append(form[k], v...)
			}
		}
	}
	if err != nil {
		writeSTSError(w, reqID, newSTSError(http.StatusBadRequest, "MalformedQueryString", "The request's form or query string is malformed: %v", err))
		return
	}
	action := form.Get("Action")
	var (
		out  any
		fail *stsError
	)
	version := form.Get("Version")
	switch action {
	case "":
		fail = newSTSError(http.StatusBadRequest, "MissingAction", "Missing Action")
	case "AssumeRoleWithWebIdentity", "GetCallerIdentity":
		if version != "" && version != stsVersion {
			fail = newSTSError(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version)
		} else if action == "AssumeRoleWithWebIdentity" {
			out, fail = s.assumeRoleWithWebIdentity(r, form, reqID)
		} else {
			out, fail = s.getCallerIdentity(r, body, reqID)
		}
	default:
		fail = newSTSError(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, firstNonEmpty(version, stsVersion))
	}
	if fail != nil {
		writeSTSError(w, reqID, fail)
		return
	}
	writeXML(w, http.StatusOK, reqID, out)
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		SubjectFromWebIdentityToken string `xml:"SubjectFromWebIdentityToken"`
		Audience                    string `xml:"Audience"`
		AssumedRoleUser             struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
		Credentials struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
			SessionToken    string `xml:"SessionToken"`
			Expiration      string `xml:"Expiration"`
		} `xml:"Credentials"`
		Provider string `xml:"Provider"`
	} `xml:"AssumeRoleWithWebIdentityResult"`
	ResponseMetadata responseMetadata `xml:"ResponseMetadata"`
}

// parseRoleARN splits arn:aws:iam::ACCOUNT:role[/path]/NAME.
func parseRoleARN(arn string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	res := strings.TrimPrefix(parts[5], "role/")
	return parts[4], res[strings.LastIndex(res, "/")+1:], true
}

// assumeRoleWithWebIdentity validates the token, then the role's trust
// policy, and issues session credentials; each step's outcome is a reason
// in the recorded decision.
func (s *Service) assumeRoleWithWebIdentity(r *http.Request, form url.Values, reqID string) (any, *stsError) {
	duration, verr := validateAssume(form)
	if verr != nil {
		return nil, verr
	}
	roleARN, sessionName, raw := form.Get("RoleArn"), form.Get("RoleSessionName"), form.Get("WebIdentityToken")
	d, j, e := s.judge(r.Context(), roleARN, raw)
	deny := func(e *stsError, reason string) (any, *stsError) {
		d.Error = e.Code
		d.Reasons = append(d.Reasons, reason)
		s.Base.Record(r, d)
		return nil, e
	}
	if e != nil {
		s.Base.Record(r, d)
		return nil, e
	}
	tok, role, key, audience := j.tok, j.role, j.key, j.audience
	if duration > role.MaxSessionDuration {
		return deny(newSTSError(http.StatusBadRequest, "ValidationError", msgMaxDuration),
			fmt.Sprintf("DurationSeconds %d exceeds the role's max_session_duration %d", duration, role.MaxSessionDuration))
	}
	ses, err := s.issue(role, sessionName, duration)
	if err != nil {
		return deny(newSTSError(http.StatusInternalServerError, "InternalFailure", "could not issue credentials"), err.Error())
	}
	d.Allowed = true
	d.Reasons = append(d.Reasons, fmt.Sprintf("issued %s until %s", ses.AccessKeyID, ses.Expiration.Format(time.RFC3339)))
	s.Base.Record(r, d)

	out := assumeRoleResponse{Xmlns: stsNamespace}
	res := &out.Result
	res.SubjectFromWebIdentityToken, res.Audience, res.Provider = tok.Subject, audience, ProviderARN(role.AccountID, key)
	res.AssumedRoleUser.Arn = assumedRoleARN(role.AccountID, role.Name, sessionName)
	res.AssumedRoleUser.AssumedRoleID = RoleID(RoleARN(role.AccountID, role.Name)) + ":" + sessionName
	res.Credentials.AccessKeyID, res.Credentials.SecretAccessKey, res.Credentials.SessionToken = ses.AccessKeyID, ses.SecretAccessKey, ses.SessionToken
	res.Credentials.Expiration = ses.Expiration.UTC().Format("2006-01-02T15:04:05Z")
	out.ResponseMetadata.RequestID = reqID
	return out, nil
}

// judged is what judge found for an allowed exchange.
type judged struct {
	tok      *clouds.Token
	role     storedRole
	key      string
	audience string
}

// judge runs AssumeRoleWithWebIdentity's checks of the token and of
// roleARN's trust policy, recording nothing and issuing nothing: the
// decision so far, and an STS error when refused.
func (s *Service) judge(ctx context.Context, roleARN, raw string) (d clouds.Decision, j judged, e *stsError) {
	d = clouds.Decision{Time: s.cfg.Now(), Cloud: Cloud, Action: actionAssume, Principal: roleARN}
	deny := func(e *stsError, reason string) (clouds.Decision, judged, *stsError) {
		d.Error = e.Code
		d.Reasons = append(d.Reasons, reason)
		return d, judged{}, e
	}
	tok, err := clouds.ParseUnverified(raw)
	if err != nil {
		return deny(newSTSError(http.StatusBadRequest, "InvalidIdentityToken", msgInvalidToken), "token: "+err.Error())
	}
	d.Claims = tok.Claims
	prov, key, found := s.findProvider(tok.Issuer)
	if !found {
		return deny(newSTSError(http.StatusBadRequest, "InvalidIdentityToken", msgNoProvider, tok.Issuer),
			fmt.Sprintf("no OIDC provider is registered for %s (key %s); registered: %s", tok.Issuer, providerKey(tok.Issuer), s.providerKeys()))
	}
	d.Reasons = append(d.Reasons, fmt.Sprintf("OIDC provider %s matches the token's iss %s (thumbprints are not checked)", key, tok.Issuer))
	if err := s.Base.Verifier.Verify(ctx, tok, tok.Issuer); err != nil {
		switch clouds.Kind(err) {
		case clouds.KeyUnavailable:
			return deny(newSTSError(http.StatusBadRequest, "InvalidIdentityToken", msgNoKey), "keys: "+err.Error())
		case clouds.Expired:
			var te *clouds.TokenError
			errors.As(err, &te)
			return deny(newSTSError(http.StatusBadRequest, "ExpiredTokenException", msgExpired, te.Now.Unix(), te.Expiry.Unix()), "token: "+err.Error()+" on the virtual clock")
		}
		return deny(newSTSError(http.StatusBadRequest, "InvalidIdentityToken", msgInvalidToken), "token: "+err.Error())
	}
	d.Reasons = append(d.Reasons, "signature verified with the issuer's JWKS; exp/nbf/iat valid on the virtual clock")
	// The aud context key is azp when the token has one, else aud.
	auds := tok.Audience
	if azp, ok := tok.Claims["azp"].(string); ok && azp != "" {
		auds = []string{azp}
	}
	audience := ""
	for _, a := range auds {
		for _, c := range prov.ClientIDList {
			if a == c {
				audience = a
			}
		}
	}
	if audience == "" {
		return deny(newSTSError(http.StatusBadRequest, "InvalidIdentityToken", msgAudience),
			fmt.Sprintf("token aud %s is not in the provider's client_id_list %s", listText(auds), listText(prov.ClientIDList)))
	}
	d.Reasons = append(d.Reasons, fmt.Sprintf("aud %q is in the provider's client_id_list", audience))
	account, name, _ := parseRoleARN(roleARN)
	s.mu.Lock()
	role, ok := s.st.Roles[name]
	s.mu.Unlock()
	if !ok || role.AccountID != account {
		return deny(newSTSError(http.StatusForbidden, "AccessDenied", msgNotAuthorized), fmt.Sprintf("no role %s exists", roleARN))
	}
	policy, err := ParsePolicy(s.expand(role.AssumeRolePolicy))
	if err != nil {
		return deny(newSTSError(http.StatusForbidden, "AccessDenied", msgNotAuthorized), "the trust policy does not parse once the issuer is filled in: "+err.Error())
	}
	cond := map[string][]string{strings.ToLower(key + ":aud"): auds, strings.ToLower(key + ":sub"): {tok.Subject}}
	if len(tok.Audience) > 0 && auds[0] != tok.Audience[0] {
		cond[strings.ToLower(key+":oaud")] = tok.Audience
	}
	if tok.Subject == "" {
		delete(cond, strings.ToLower(key+":sub"))
	}
	allowed, reasons := policy.evaluate(request{principal: ProviderARN(role.AccountID, key), action: actionAssume, context: cond})
	d.Reasons = append(d.Reasons, reasons...)
	if !allowed {
		d.Error = "AccessDenied"
		return d, judged{}, newSTSError(http.StatusForbidden, "AccessDenied", msgNotAuthorized)
	}
	return d, judged{tok: tok, role: role, key: key, audience: audience}, nil
}

// Explain is what AssumeRoleWithWebIdentity would decide for the token raw
// and each configured role, in role name order, without recording a
// decision or issuing credentials (the inspector's token explainer).
func (s *Service) Explain(ctx context.Context, raw string) []clouds.Decision {
	s.mu.Lock()
	arns := make([]string, 0, len(s.st.Roles))
	for _, r := range s.st.Roles {
		arns = append(arns, RoleARN(r.AccountID, r.Name))
	}
	s.mu.Unlock()
	sort.Strings(arns)
	out := make([]clouds.Decision, 0, len(arns))
	for _, arn := range arns {
		d, _, e := s.judge(ctx, arn, raw)
		if e == nil {
			d.Allowed = true
			d.Reasons = append(d.Reasons, "the trust policy allows sts:AssumeRoleWithWebIdentity")
		}
		out = append(out, d)
	}
	return out
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func assumedRoleARN(account, role, session string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
}

func (s *Service) providerKeys() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for _, p := range s.st.Providers {
		keys = append(keys, providerKey(s.expand(p.URL)))
	}
	if len(keys) == 0 {
		return "none"
	}
	return listText(keys)
}

// issue creates session credentials, dropping expired sessions (and the
// oldest, beyond maxSessions).
func (s *Service) issue(role storedRole, name string, duration int) (session, error) {
	id := make([]byte, 10)
	secret := make([]byte, 30)
	token := make([]byte, 96)
	for _, b := range [][]byte{id, secret, token} {
		if _, err := rand.Read(b); err != nil {
			return session{}, err
		}
	}
	now := s.cfg.Now()
	ses := session{
		AccessKeyID:     "ASIA" + base32.StdEncoding.EncodeToString(id)[:16],
		SecretAccessKey: base64.StdEncoding.EncodeToString(secret),
		SessionToken:    "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(token),
		Expiration:      now.Add(time.Duration(duration) * time.Second).UTC().Truncate(time.Second),
		Account:         role.AccountID, Role: role.Name, SessionName: name,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest string
	for k, v := range s.st.Sessions {
		if !now.Before(v.Expiration) {
			delete(s.st.Sessions, k)
		} else if oldest == "" || v.Expiration.Before(s.st.Sessions[oldest].Expiration) {
			oldest = k
		}
	}
	if len(s.st.Sessions) >= maxSessions {
		delete(s.st.Sessions, oldest)
	}
	s.st.Sessions[ses.AccessKeyID] = ses
	return ses, nil
}

type callerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	ResponseMetadata responseMetadata `xml:"ResponseMetadata"`
}

// getCallerIdentity answers who signed the request: the assumed role of
// the session whose credentials produced a valid SigV4 signature.
func (s *Service) getCallerIdentity(r *http.Request, body []byte, reqID string) (any, *stsError) {
	ses, err := s.authenticate(r, body)
	if err != nil {
		return nil, err
	}
	out := callerIdentityResponse{Xmlns: stsNamespace}
	out.Result.Arn = assumedRoleARN(ses.Account, ses.Role, ses.SessionName)
	out.Result.UserID = RoleID(RoleARN(ses.Account, ses.Role)) + ":" + ses.SessionName
	out.Result.Account = ses.Account
	out.ResponseMetadata.RequestID = reqID
	return out, nil
}
