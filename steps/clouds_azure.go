package steps

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cucumber/godog"
)

// entraAssertionType is the client_assertion_type of a federated
// credential, as azidentity's ClientAssertionCredential sends it.
const entraAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// entraPostForm posts form to tenant's v2.0 token endpoint. The steps send
// the form azidentity sends rather than use azidentity itself, which
// refuses an http authority; the package tests (emulator/clouds/azure) and
// the emulator's TLS test drive azidentity.
func (sc *scenario) entraPostForm(ctx context.Context, tenant, form string) error {
	if err := sc.needClouds("Microsoft Entra ID"); err != nil {
		return err
	}
	_, err := sc.do(ctx, http.MethodPost, sc.target.CloudsURL+"/"+url.PathEscape(tenant)+"/oauth2/v2.0/token", []byte(form),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	return err
}

func registerAzureSteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^I GET the Azure metadata endpoints with api-version "([^"]*)"$`, func(ctx context.Context, version string) error {
		sc := world(ctx)
		if err := sc.needClouds("the Azure metadata document"); err != nil {
			return err
		}
		_, err := sc.do(ctx, http.MethodGet, sc.target.CloudsURL+"/metadata/endpoints?api-version="+url.QueryEscape(version), nil, nil)
		return err
	})
	ctx.Step(`^the token is presented to Entra for tenant "([^"]*)" client "([^"]*)" with scope "([^"]*)"$`, func(ctx context.Context, tenant, client, scope string) error {
		sc := world(ctx)
		tok, err := sc.currentToken()
		if err != nil {
			return err
		}
		form := url.Values{"client_id": {client}, "scope": {scope}, "grant_type": {"client_credentials"},
			"client_assertion_type": {entraAssertionType}, "client_assertion": {tok.raw}}
		return sc.entraPostForm(ctx, tenant, form.Encode())
	})
	ctx.Step(`^I POST the form "([^"]*)" to Entra for tenant "([^"]*)"$`, func(ctx context.Context, form, tenant string) error {
		sc := world(ctx)
		return sc.entraPostForm(ctx, tenant, sc.expand(form))
	})
	ctx.Step(`^Entra issues a Bearer access token expiring in (\d+) seconds for "([^"]*)"$`, func(ctx context.Context, secs int, resource string) error {
		sc := world(ctx)
		var a struct {
			TokenType   string `json:"token_type"`
			ExpiresIn   int    `json:"expires_in"`
			AccessToken string `json:"access_token"`
		}
		if err := sc.jsonAnswer("Entra", &a); err != nil {
			return err
		}
		if sc.resp.status != http.StatusOK || a.TokenType != "Bearer" || a.ExpiresIn != secs {
			return fmt.Errorf("Entra answered %d: %s; want a Bearer token expiring in %d seconds", sc.resp.status, sc.resp.body, secs)
		}
		parts := strings.Split(a.AccessToken, ".")
		if len(parts) != 3 {
			return fmt.Errorf("access token %q is not JWT-shaped", a.AccessToken)
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return err
		}
		var claims struct {
			Aud string `json:"aud"`
		}
		if err := json.Unmarshal(payload, &claims); err != nil || claims.Aud != resource {
			return fmt.Errorf("access token aud %q (%v), want %q", claims.Aud, err, resource)
		}
		return nil
	})
	ctx.Step(`^Entra answers (\d+) (\S+) AADSTS(\d+): "(.*)"$`, func(ctx context.Context, status int, code string, number int, desc string) error {
		sc := world(ctx)
		var a struct {
			Error         string `json:"error"`
			Description   string `json:"error_description"`
			ErrorCodes    []int  `json:"error_codes"`
			CorrelationID string `json:"correlation_id"`
			TraceID       string `json:"trace_id"`
		}
		if err := sc.jsonAnswer("Entra", &a); err != nil {
			return err
		}
		prefix := fmt.Sprintf("AADSTS%d: %s", number, sc.expand(desc))
		if sc.resp.status != status || a.Error != code || len(a.ErrorCodes) != 1 || a.ErrorCodes[0] != number ||
			!strings.HasPrefix(a.Description, prefix) || !strings.Contains(a.Description, " Trace ID: "+a.TraceID+" Correlation ID: "+a.CorrelationID+" Timestamp: ") {
			return fmt.Errorf("Entra answered %d %s %v %q, want %d %s starting %q", sc.resp.status, a.Error, a.ErrorCodes, a.Description, status, code, prefix)
		}
		return nil
	})
}
