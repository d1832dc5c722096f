package aws_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/clouds/aws"
	"github.com/tfcemu/tfcemu/emulator/clouds/internal/cloudtest"
	"github.com/tfcemu/tfcemu/emulator/identity"
)

const roleARN = "arn:aws:iam::123456789012:role/terraform-module-test-role"

// env is an issuer and the AWS service on one virtual clock, each on its
// own test server; the admin routes are under /_emulator/aws.
type env struct {
	t      *testing.T
	clock  *clock.Clock
	issuer *identity.Issuer
	svc    *aws.Service
	sts    *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, clock: clock.NewAt(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))}
	iss, issSrv := cloudtest.Issuer(t, e.clock)
	e.issuer = iss
	e.svc = aws.New(aws.Config{Now: e.clock.Now, HTTPClient: issSrv.Client(), Issuer: iss.URL})
	e.sts = httptest.NewServer(cloudtest.Handler("aws", e.svc.Routes(), e.svc.AdminRoutes()))
	t.Cleanup(e.sts.Close)
	if err := e.svc.ApplySeed(&aws.Seed{
		OpenIDConnectProviders: []aws.Provider{{URL: "{{issuer}}", ClientIDList: []string{"aws.workload.identity"}}},
		Roles: []aws.Role{{Name: "terraform-module-test-role", AssumeRolePolicy: `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/{{issuer_host}}"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"{{issuer_host}}:aud": "aws.workload.identity"},
      "StringLike": {"{{issuer_host}}:sub": "organization:my-org:project:*:workspace:*:run_phase:plan"}
    }
  }]
}`}},
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) token(phase, aud string) string {
	e.t.Helper()
	return cloudtest.Mint(e.t, e.issuer, "my-org", "my-workspace", phase, aud)
}

type staticToken string

func (s staticToken) GetIdentityToken() ([]byte, error) { return []byte(s), nil }

func (e *env) client() *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(e.sts.URL), HTTPClient: e.sts.Client(),
		RetryMaxAttempts: 1})
}

// TestSDKWebIdentityThenGetCallerIdentity: the SDK's web identity provider
// assumes the role with a plan token, and GetCallerIdentity signed with the
// credentials names the assumed role; the session expires on the virtual
// clock.
func TestSDKWebIdentityThenGetCallerIdentity(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	prov := stscreds.NewWebIdentityRoleProvider(e.client(), roleARN, staticToken(e.token("plan", "aws.workload.identity")),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "tfc-run" })
	creds, err := prov.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || creds.SessionToken == "" || !creds.Expires.Equal(e.clock.Now().Add(time.Hour).Truncate(time.Second)) {
		t.Fatalf("credentials = %+v", creds)
	}
	signed := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(e.sts.URL), HTTPClient: e.sts.Client(),
		Credentials: sdkaws.NewCredentialsCache(prov), RetryMaxAttempts: 1})
	id, err := signed.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sdkaws.ToString(id.Arn); got != "arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/tfc-run" {
		t.Fatalf("Arn = %s", got)
	}
	if !strings.HasPrefix(sdkaws.ToString(id.UserId), "AROA") || !strings.HasSuffix(sdkaws.ToString(id.UserId), ":tfc-run") || sdkaws.ToString(id.Account) != "123456789012" {
		t.Fatalf("identity = %s %s", sdkaws.ToString(id.UserId), sdkaws.ToString(id.Account))
	}
	// Wrong secret: the signature is refused.
	forged := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(e.sts.URL), HTTPClient: e.sts.Client(), RetryMaxAttempts: 1,
		Credentials: sdkaws.CredentialsProviderFunc(func(context.Context) (sdkaws.Credentials, error) {
			c := creds
			// Change the first character (to one it is not).
			first := "x"
			if c.SecretAccessKey[0] == 'x' {
				first = "y"
			}
			c.SecretAccessKey = first + c.SecretAccessKey[1:]
			return c, nil
		})})
	_, err = forged.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	// An hour later on the virtual clock the session is expired.
	if err := e.clock.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	fixed := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(e.sts.URL), HTTPClient: e.sts.Client(), RetryMaxAttempts: 1,
		Credentials: sdkaws.CredentialsProviderFunc(func(context.Context) (sdkaws.Credentials, error) { return creds, nil })})
	_, err = fixed.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "ExpiredToken", "The security token included in the request is expired")
}

func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("error = %s %q, want %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// TestSDKRefusals: the failure modes users hit, as the SDK reports them.
func TestSDKRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	assume := func(tok string, opts ...func(*sts.AssumeRoleWithWebIdentityInput)) error {
		in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: sdkaws.String(roleARN), RoleSessionName: sdkaws.String("s1"), WebIdentityToken: sdkaws.String(tok)}
		for _, o := range opts {
			o(in)
		}
		_, err := e.client().AssumeRoleWithWebIdentity(ctx, in)
		return err
	}
	wantAPIError(t, assume(e.token("apply", "aws.workload.identity")), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	d := e.svc.Decisions()
	last := d[len(d)-1]
	if last.Allowed || !strings.Contains(strings.Join(last.Reasons, "\n"), `StringLike on `+strings.TrimPrefix(e.issuer.URL(), "http://")+`:sub: "organization:my-org:project:Default Project:workspace:my-workspace:run_phase:apply" does not match "organization:my-org:project:*:workspace:*:run_phase:plan"`) {
		t.Fatalf("decision reasons = %q", last.Reasons)
	}
	wantAPIError(t, assume(e.token("plan", "sts.amazonaws.com")), "InvalidIdentityToken", "Incorrect token audience")
	wantAPIError(t, assume(e.token("plan", "aws.workload.identity"), func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = sdkaws.Int32(7200) }),
		"ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	wantAPIError(t, assume(e.token("plan", "aws.workload.identity"), func(in *sts.AssumeRoleWithWebIdentityInput) { in.RoleSessionName = sdkaws.String("a b") }),
		"ValidationError", `1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	tok := e.token("plan", "aws.workload.identity")
	if err := e.clock.Advance(3 * time.Hour); err != nil {
		t.Fatal(err)
	}
	var claims struct{ Exp int64 }
	parts := strings.Split(tok, ".")
	b, _ := jsonB64(parts[1])
	_ = json.Unmarshal(b, &claims)
	wantAPIError(t, assume(tok), "ExpiredTokenException", "Token expired: current date/time "+itoa(e.clock.Now().Unix())+" must be before the expiration date/time "+itoa(claims.Exp))
	// An issuer no provider registers.
	if status, body := cloudtest.Do(t, http.DefaultClient, http.MethodDelete, e.sts.URL+"/_emulator/aws/openid-connect-providers?url="+url.QueryEscape(e.issuer.URL()), "", ""); status != http.StatusNoContent {
		t.Fatalf("delete provider: %d %s", status, body)
	}
	wantAPIError(t, assume(e.token("plan", "aws.workload.identity")), "InvalidIdentityToken", "No OpenIDConnect provider found in your account for "+e.issuer.URL())
}

// TestRawErrorBodies: exact XML of STS's errors, and bad input never a 5xx.
func TestRawErrorBodies(t *testing.T) {
	e := newEnv(t)
	post := func(body string) (int, string) {
		return cloudtest.Do(t, http.DefaultClient, http.MethodPost, e.sts.URL+"/", "application/x-www-form-urlencoded", body)
	}
	status, body := post("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + url.QueryEscape(roleARN) + "&RoleSessionName=s&WebIdentityToken=" + e.token("plan", "aws.workload.identity"))
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>1 validation error detected: Value &#39;s&#39; at &#39;roleSessionName&#39; failed to satisfy constraint: Member must have length greater than or equal to 2</Message></Error><RequestId>`
	if status != 400 || !strings.HasPrefix(body, want) {
		t.Fatalf("%d %s", status, body)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"unknown action", "Action=AssumeRole&Version=2011-06-15", 400, "<Code>InvalidAction</Code><Message>Could not find operation AssumeRole for version 2011-06-15</Message>"},
		{"missing action", "Version=2011-06-15", 400, "<Code>MissingAction</Code>"},
		{"malformed form", "Action=%zz", 400, "<Code>MalformedQueryString</Code>"},
		{"oversized token", "Action=AssumeRoleWithWebIdentity&RoleArn=" + url.QueryEscape(roleARN) + "&RoleSessionName=ss&WebIdentityToken=" + strings.Repeat("a", 20001), 400,
			"Value at &#39;webIdentityToken&#39; failed to satisfy constraint: Member must have length less than or equal to 20000"},
		{"not a JWT", "Action=AssumeRoleWithWebIdentity&RoleArn=" + url.QueryEscape(roleARN) + "&RoleSessionName=ss&WebIdentityToken=abcd", 400, "<Code>InvalidIdentityToken</Code>"},
		{"unknown role", "Action=AssumeRoleWithWebIdentity&RoleArn=" + url.QueryEscape("arn:aws:iam::123456789012:role/nope") + "&RoleSessionName=ss&WebIdentityToken=" + e.token("plan", "aws.workload.identity"), 403,
			"<Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message>"},
		{"other version", "Action=AssumeRoleWithWebIdentity&Version=2010-01-01&RoleArn=" + url.QueryEscape(roleARN) + "&RoleSessionName=ss&WebIdentityToken=" + e.token("plan", "aws.workload.identity"), 400,
			"<Message>Could not find operation AssumeRoleWithWebIdentity for version 2010-01-01</Message>"},
		{"oversized body", "Action=GetCallerIdentity&x=" + strings.Repeat("a", 1<<20), 413, "<Code>RequestEntityTooLarge</Code>"},
		{"unsigned GetCallerIdentity", "Action=GetCallerIdentity&Version=2011-06-15", 403, "<Code>MissingAuthenticationToken</Code>"},
		{"missing everything", "Action=AssumeRoleWithWebIdentity", 400, "3 validation errors detected: Value null at &#39;roleArn&#39; failed to satisfy constraint: Member must not be null;"},
	} {
		status, body := post(tc.body)
		if status != tc.status || !strings.Contains(body, tc.code) || !strings.Contains(body, "<Type>Sender</Type>") {
			t.Errorf("%s: %d %.300s", tc.name, status, body)
		}
	}
	// None of the refusals issued credentials: only the allowed exchange
	// would have, and there was none.
	for _, d := range e.svc.Decisions() {
		if d.Allowed {
			t.Errorf("a refused request was allowed: %+v", d)
		}
	}
	snap, _ := e.svc.Snapshot()
	if strings.Contains(string(snap), "ASIA") {
		t.Errorf("a refused request issued a session: %s", snap)
	}
}

// TestAdminRefusesMalformedPolicies: a bad trust policy is refused with its
// position and changes nothing.
func TestAdminRefusesMalformedPolicies(t *testing.T) {
	e := newEnv(t)
	put := func(body string) (int, string) {
		return cloudtest.Do(t, http.DefaultClient, http.MethodPut, e.sts.URL+"/_emulator/aws/roles/terraform-module-test-role", "", body)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"assume_role_policy": "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",, }\n  ]\n}"}`, `assume_role_policy: line 3, column 25: not a JSON object`},
		{`{"assume_role_policy": {"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "sts:*"}]}}`, `Statement[0].Effect: Maybe is not Allow or Deny`},
		{`{"assume_role_policy": {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*", "Condition": {"StringMatches": {"a": "b"}}}}}`, `Statement[0].Condition.StringMatches: unsupported condition operator`},
		{`{"assume_role_policy": {"Statement": []}, "max_session_duration": 100}`, `max_session_duration 100 must be between 3600 and 43200 seconds`},
		{`{"assume_role_policy": "x", "bogus": 1}`, `unknown field \"bogus\"`},
	} {
		status, body := put(tc.body)
		if status != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("PUT %s: %d %s, want %q", tc.body, status, body, tc.want)
		}
	}
	resp, err := http.Get(e.sts.URL + "/_emulator/aws/roles/terraform-module-test-role")
	if err != nil {
		t.Fatal(err)
	}
	var role struct {
		AssumeRolePolicy string `json:"assume_role_policy"`
		ARN              string
	}
	_ = json.NewDecoder(resp.Body).Decode(&role)
	resp.Body.Close()
	if !strings.Contains(role.AssumeRolePolicy, "run_phase:plan") || role.ARN != roleARN {
		t.Fatalf("role changed: %+v", role)
	}
	// Snapshot and restore keep the role; a bad snapshot changes nothing.
	cloudtest.WantRoundTrip(t, e.svc, e.svc, `{"roles":{"x":{"name":"x","account_id":"1","assume_role_policy":"{}","max_session_duration":3600}}}`)
}
