package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cucumber/godog"
)

// GCP's token exchange parameters, as golang.org/x/oauth2/google's
// external_account credentials send them.
const (
	gcpGrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	gcpTokenTypeJWT       = "urn:ietf:params:oauth:token-type:jwt"
	gcpTokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
	gcpCloudPlatform      = "https://www.googleapis.com/auth/cloud-platform"
)

// gcpExchange posts the scenario's token to GCP STS (POST /v1/token) for
// audience, as an external_account credential does.
func (sc *scenario) gcpExchange(ctx context.Context, audience string) error {
	if err := sc.needClouds("GCP STS"); err != nil {
		return err
	}
	tok, err := sc.currentToken()
	if err != nil {
		return err
	}
	form := url.Values{"grant_type": {gcpGrantTokenExchange}, "audience": {sc.expand(audience)}, "scope": {gcpCloudPlatform},
		"requested_token_type": {gcpTokenTypeAccess}, "subject_token_type": {gcpTokenTypeJWT}, "subject_token": {tok.raw}}
	if err := sc.gcpPostForm(ctx, form.Encode()); err != nil {
		return err
	}
	// The federated token, for the impersonation steps that follow.
	var a struct {
		AccessToken string `json:"access_token"`
	}
	delete(sc.remembered, "gcp_federated_token")
	if sc.resp.status == http.StatusOK && json.Unmarshal(sc.resp.body, &a) == nil && a.AccessToken != "" {
		sc.remembered["gcp_federated_token"] = a.AccessToken
	}
	return nil
}

func (sc *scenario) gcpPostForm(ctx context.Context, form string) error {
	_, err := sc.do(ctx, http.MethodPost, sc.target.CloudsURL+"/v1/token", []byte(form),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	return err
}

// jsonAnswer decodes the last response as JSON into v.
func (sc *scenario) jsonAnswer(what string, v any) error {
	if sc.resp == nil {
		return fmt.Errorf("no %s answer yet", what)
	}
	if err := json.Unmarshal(sc.resp.body, v); err != nil {
		return fmt.Errorf("%s answered %d with no JSON: %v: %s", what, sc.resp.status, err, sc.resp.body)
	}
	return nil
}

// expiresFromNow checks that an RFC 3339 expiry is secs after the target's
// virtual now (to the second), keeping the last response.
func (sc *scenario) expiresFromNow(ctx context.Context, expiry string, secs int) error {
	resp := sc.resp
	now, err := sc.now(ctx)
	sc.resp = resp // the clock read is not the answer later steps read
	if err != nil {
		return err
	}
	exp, err := time.Parse(time.RFC3339, expiry)
	if err != nil {
		return err
	}
	if want := now.Add(time.Duration(secs) * time.Second).Truncate(time.Second); !exp.Truncate(time.Second).Equal(want) {
		return fmt.Errorf("expiry %s, want %s", exp.Format(time.RFC3339), want.Format(time.RFC3339))
	}
	return nil
}

func registerGCPSteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^the token is exchanged at GCP STS for the provider "([^"]*)"$`, func(ctx context.Context, provider string) error {
		return world(ctx).gcpExchange(ctx, "//iam.googleapis.com/"+provider)
	})
	ctx.Step(`^the token is exchanged at GCP STS with the audience "([^"]*)"$`, func(ctx context.Context, audience string) error {
		return world(ctx).gcpExchange(ctx, audience)
	})
	ctx.Step(`^I POST the form "([^"]*)" to GCP STS$`, func(ctx context.Context, form string) error {
		sc := world(ctx)
		if err := sc.needClouds("GCP STS"); err != nil {
			return err
		}
		return sc.gcpPostForm(ctx, sc.expand(form))
	})
	ctx.Step(`^GCP STS issues a Bearer access token expiring in (\d+) seconds$`, func(ctx context.Context, secs int) error {
		sc := world(ctx)
		var a struct {
			AccessToken     string `json:"access_token"`
			IssuedTokenType string `json:"issued_token_type"`
			TokenType       string `json:"token_type"`
			ExpiresIn       int    `json:"expires_in"`
		}
		if err := sc.jsonAnswer("GCP STS", &a); err != nil {
			return err
		}
		if sc.resp.status != http.StatusOK || a.AccessToken == "" || a.TokenType != "Bearer" || a.IssuedTokenType != gcpTokenTypeAccess || a.ExpiresIn != secs {
			return fmt.Errorf("GCP STS answered %d: %s; want a Bearer access token expiring in %d seconds", sc.resp.status, sc.resp.body, secs)
		}
		return nil
	})
	ctx.Step(`^GCP STS answers (\d+) (\S+): "(.*)"$`, func(ctx context.Context, status int, code, desc string) error {
		sc := world(ctx)
		var a struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if err := sc.jsonAnswer("GCP STS", &a); err != nil {
			return err
		}
		if desc = sc.expand(desc); sc.resp.status != status || a.Error != code || !strings.HasPrefix(a.Description, desc) {
			return fmt.Errorf("GCP STS answered %d %s %q, want %d %s starting %q", sc.resp.status, a.Error, a.Description, status, code, desc)
		}
		return nil
	})
	ctx.Step(`^the federated token impersonates "([^"]*)"$`, func(ctx context.Context, email string) error {
		sc := world(ctx)
		if err := sc.needClouds("IAM Credentials"); err != nil {
			return err
		}
		tok := sc.remembered["gcp_federated_token"]
		if tok == "" {
			// A refused exchange leaves no token; impersonating with none
			// is what a client would do next only by mistake.
			return fmt.Errorf("no federated token: GCP STS answered %d: %s", sc.resp.status, sc.resp.body)
		}
		body, _ := json.Marshal(map[string]any{"scope": []string{gcpCloudPlatform}, "lifetime": "3600s"})
		_, err := sc.do(ctx, http.MethodPost, sc.target.CloudsURL+"/v1/projects/-/serviceAccounts/"+url.PathEscape(sc.expand(email))+":generateAccessToken", body,
			http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + tok}})
		return err
	})
	ctx.Step(`^IAM Credentials issues an access token expiring (\d+) seconds from the virtual clock's now$`, func(ctx context.Context, secs int) error {
		sc := world(ctx)
		var a struct {
			AccessToken string `json:"accessToken"`
			ExpireTime  string `json:"expireTime"`
		}
		if err := sc.jsonAnswer("IAM Credentials", &a); err != nil {
			return err
		}
		if sc.resp.status != http.StatusOK || a.AccessToken == "" {
			return fmt.Errorf("IAM Credentials answered %d: %s", sc.resp.status, sc.resp.body)
		}
		return sc.expiresFromNow(ctx, a.ExpireTime, secs)
	})
	ctx.Step(`^IAM Credentials answers (\d+) (\S+): "(.*)"$`, func(ctx context.Context, status int, code, msg string) error {
		sc := world(ctx)
		var a struct {
			Error struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
				Status  string `json:"status"`
			} `json:"error"`
		}
		if err := sc.jsonAnswer("IAM Credentials", &a); err != nil {
			return err
		}
		if msg = sc.expand(msg); sc.resp.status != status || a.Error.Code != status || a.Error.Status != code || a.Error.Message != msg {
			return fmt.Errorf("IAM Credentials answered %d %+v, want %d %s %q", sc.resp.status, a.Error, status, code, msg)
		}
		return nil
	})
}
