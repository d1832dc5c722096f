package gcp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/clouds"
)

// Impersonation token lifetimes: default and maximum of generateAccessToken.
const (
	defaultLifetime = time.Hour
	maxLifetime     = time.Hour
)

var (
	errUnauthenticated = googleError{googleStatus{Code: 401, Status: "UNAUTHENTICATED",
		Message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."}}
	errDenied = googleError{googleStatus{Code: 403, Status: "PERMISSION_DENIED",
		Message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
		Details: []any{map[string]any{
			"@type":    "type.googleapis.com/google.rpc.ErrorInfo",
			"reason":   "IAM_PERMISSION_DENIED",
			"domain":   "iam.googleapis.com",
			"metadata": map[string]string{"permission": "iam.serviceAccounts.getAccessToken"},
		}}}}
)

func invalidArgument(msg string) (int, any) {
	return http.StatusBadRequest, googleError{googleStatus{Code: 400, Status: "INVALID_ARGUMENT", Message: msg}}
}

// generateAccessToken is IAM Credentials
// projects/-/serviceAccounts/{email}:generateAccessToken, authorized by the
// bearer STS token's principal being a member of the service account's
// workloadIdentityUser binding.
func (s *Service) generateAccessToken(r *http.Request) (int, any) {
	email := r.PathValue("email")
	d := clouds.Decision{Action: "iam.serviceAccounts.getAccessToken"}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	now := s.cfg.Now()
	s.mu.Lock()
	fed, known := s.tokens[strings.TrimSpace(bearer)]
	s.mu.Unlock()
	if !ok || !known || !now.Before(fed.Expires) {
		d.Reasons = []string{"no valid STS access token in the Authorization header"}
		d.Error = errUnauthenticated.Error.Status
		s.Base.Record(r, d)
		return http.StatusUnauthorized, errUnauthenticated
	}
	d.Principal = fed.principal()
	d.Claims = map[string]any{"subject": fed.Subject, "attributes": fed.Attributes, "groups": fed.Groups}
	var body struct {
		Lifetime  string   `json:"lifetime"`
		Scope     []string `json:"scope"`
		Delegates []string `json:"delegates"`
	}
	raw, err := clouds.ReadBody(r, clouds.MaxBody)
	if err != nil {
		return invalidArgument("The request body is unreadable or over 1 MiB.")
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return invalidArgument("Invalid JSON payload received. " + err.Error())
	}
	lifetime := defaultLifetime
	if body.Lifetime != "" {
		secs, err := strconv.ParseFloat(strings.TrimSuffix(body.Lifetime, "s"), 64)
		if err != nil || !strings.HasSuffix(body.Lifetime, "s") || secs <= 0 || secs > maxLifetime.Seconds() {
			return invalidArgument(fmt.Sprintf("Invalid value at 'lifetime' (%q): a duration in seconds (e.g. \"3600s\") up to %ds.", body.Lifetime, int(maxLifetime.Seconds())))
		}
		lifetime = time.Duration(secs * float64(time.Second))
	}
	if len(body.Scope) == 0 {
		return invalidArgument("Scope required.")
	}
	s.mu.Lock()
	sa, exists := s.st.accounts[email]
	s.mu.Unlock()
	switch {
	case !exists:
		d.Reasons = append(d.Reasons, fmt.Sprintf("no service account %s", email))
	case len(body.Delegates) > 0:
		d.Reasons = append(d.Reasons, "delegation chains are not emulated")
	default:
		i := slices.IndexFunc(sa.Members, func(m string) bool { return memberMatch(m, fed) })
		if i >= 0 {
			d.Allowed = true
			d.Reasons = append(d.Reasons, fmt.Sprintf("%s is admitted by roles/iam.workloadIdentityUser member %s of %s", d.Principal, sa.Members[i], email))
		} else {
			d.Reasons = append(d.Reasons, fmt.Sprintf("%s (attributes %v) matches no roles/iam.workloadIdentityUser member of %s: %q", d.Principal, fed.Attributes, email, sa.Members))
		}
	}
	if !d.Allowed {
		d.Error = errDenied.Error.Status
	}
	s.Base.Record(r, d)
	if !d.Allowed {
		return http.StatusForbidden, errDenied
	}
	return http.StatusOK, struct {
		AccessToken string `json:"accessToken"`
		ExpireTime  string `json:"expireTime"`
	}{newToken("ya29.c."), now.Add(lifetime).UTC().Format(time.RFC3339)}
}
