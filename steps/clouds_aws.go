package steps

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/cucumber/godog"
)

// needClouds skips the scenario unless the target publishes its clouds
// listener (aws_sts_url).
func (sc *scenario) needClouds(what string) error {
	if err := sc.needEmulator(what); err != nil {
		return err
	}
	if sc.target.CloudsURL == "" {
		return sc.skip("%s needs the emulator's clouds listener, which target %s does not publish", what, sc.target.Name)
	}
	return nil
}

// stsAnswer is the parts of STS's XML answers the steps read.
type stsAnswer struct {
	XMLName xml.Name
	Error   struct {
		Type, Code, Message string
	}
	Result struct {
		SubjectFromWebIdentityToken, Audience, Provider string
		AssumedRoleUser                                 struct{ Arn, AssumedRoleId string }
		Credentials                                     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
	} `xml:"AssumeRoleWithWebIdentityResult"`
}

func (sc *scenario) stsAnswer() (*stsAnswer, error) {
	if sc.resp == nil {
		return nil, fmt.Errorf("no STS answer yet")
	}
	var a stsAnswer
	if err := xml.Unmarshal(sc.resp.body, &a); err != nil {
		return nil, fmt.Errorf("STS answered %d with no XML: %v: %s", sc.resp.status, err, sc.resp.body)
	}
	return &a, nil
}

// assume posts AssumeRoleWithWebIdentity as the SDK does (a form,
// unsigned) with the scenario's token.
func (sc *scenario) assume(ctx context.Context, role, session string, duration int) error {
	if err := sc.needClouds("AWS STS"); err != nil {
		return err
	}
	tok, err := sc.currentToken()
	if err != nil {
		return err
	}
	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {sc.expand(role)},
		"RoleSessionName": {session}, "WebIdentityToken": {tok.raw}}
	if duration > 0 {
		form.Set("DurationSeconds", strconv.Itoa(duration))
	}
	_, err = sc.do(ctx, http.MethodPost, sc.target.CloudsURL+"/", []byte(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}})
	return err
}

func registerAWSSteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^the token is exchanged at AWS STS for the role "([^"]*)"(?: with session name "([^"]*)")?(?: for (\d+) seconds)?$`,
		func(ctx context.Context, role, session, duration string) error {
			if session == "" {
				session = "tfcemu-features"
			}
			d, _ := strconv.Atoi(duration)
			return world(ctx).assume(ctx, role, session, d)
		})
	ctx.Step(`^I POST the form "([^"]*)" to AWS STS$`, func(ctx context.Context, form string) error {
		sc := world(ctx)
		if err := sc.needClouds("AWS STS"); err != nil {
			return err
		}
		_, err := sc.do(ctx, http.MethodPost, sc.target.CloudsURL+"/", []byte(sc.expand(form)),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
		return err
	})
	ctx.Step(`^STS answers (\d+) (\S+): "(.*)"$`, func(ctx context.Context, status int, code, msg string) error {
		sc := world(ctx)
		a, err := sc.stsAnswer()
		if err != nil {
			return err
		}
		msg = sc.expand(msg)
		if sc.resp.status != status || a.XMLName.Local != "ErrorResponse" || a.Error.Type != "Sender" || a.Error.Code != code || a.Error.Message != msg {
			return fmt.Errorf("STS answered %d %s %s %q, want %d ErrorResponse Sender %s %q", sc.resp.status, a.XMLName.Local, a.Error.Code, a.Error.Message, status, code, msg)
		}
		return nil
	})
	ctx.Step(`^STS issues credentials for "([^"]*)" expiring (\d+) seconds from the virtual clock's now$`, func(ctx context.Context, arn string, secs int) error {
		sc := world(ctx)
		a, err := sc.stsAnswer()
		if err != nil {
			return err
		}
		if sc.resp.status != http.StatusOK || a.Result.AssumedRoleUser.Arn != sc.expand(arn) || !strings.HasPrefix(a.Result.Credentials.AccessKeyId, "ASIA") {
			return fmt.Errorf("STS answered %d: %s", sc.resp.status, sc.resp.body)
		}
		resp := sc.resp
		now, err := sc.now(ctx)
		sc.resp = resp // the admin call is not the answer later steps read
		if err != nil {
			return err
		}
		exp, err := time.Parse(time.RFC3339, a.Result.Credentials.Expiration)
		if err != nil {
			return err
		}
		if want := now.Add(time.Duration(secs) * time.Second).Truncate(time.Second); !exp.Equal(want) {
			return fmt.Errorf("Expiration %s, want %s", exp, want.Format(time.RFC3339))
		}
		sc.remembered["aws_access_key_id"] = a.Result.Credentials.AccessKeyId
		sc.remembered["aws_secret_access_key"] = a.Result.Credentials.SecretAccessKey
		sc.remembered["aws_session_token"] = a.Result.Credentials.SessionToken
		return nil
	})
	ctx.Step(`^the STS answer's (SubjectFromWebIdentityToken|Audience|Provider) is "([^"]*)"$`, func(ctx context.Context, field, want string) error {
		sc := world(ctx)
		a, err := sc.stsAnswer()
		if err != nil {
			return err
		}
		got := map[string]string{"SubjectFromWebIdentityToken": a.Result.SubjectFromWebIdentityToken, "Audience": a.Result.Audience, "Provider": a.Result.Provider}[field]
		if got != sc.expand(want) {
			return fmt.Errorf("%s = %q, want %q", field, got, sc.expand(want))
		}
		return nil
	})
	ctx.Step(`^GetCallerIdentity signed with those credentials answers "([^"]*)"$`, func(ctx context.Context, want string) error {
		sc := world(ctx)
		client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(sc.target.CloudsURL), HTTPClient: httpClient, RetryMaxAttempts: 1,
			Credentials: sdkaws.CredentialsProviderFunc(func(context.Context) (sdkaws.Credentials, error) {
				return sdkaws.Credentials{AccessKeyID: sc.remembered["aws_access_key_id"], SecretAccessKey: sc.remembered["aws_secret_access_key"],
					SessionToken: sc.remembered["aws_session_token"]}, nil
			})})
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if want = sc.expand(want); err != nil {
			if strings.Contains(err.Error(), want) {
				return nil
			}
			return fmt.Errorf("GetCallerIdentity: %v, want %q", err, want)
		}
		if sdkaws.ToString(out.Arn) != want {
			return fmt.Errorf("GetCallerIdentity Arn = %s, want %s", sdkaws.ToString(out.Arn), want)
		}
		return nil
	})
	ctx.Step(`^the latest (AWS|GCP|Azure) decision is (allowed|denied) because "(.*)"$`, func(ctx context.Context, cloud, verdict, reason string) error {
		sc := world(ctx)
		var ds []struct {
			Allowed bool     `json:"allowed"`
			Reasons []string `json:"reasons"`
		}
		resp := sc.resp
		err := sc.admin(ctx, http.MethodGet, "/"+strings.ToLower(cloud)+"/decisions", nil, &ds)
		sc.resp = resp
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return fmt.Errorf("no %s decision recorded", cloud)
		}
		last := ds[len(ds)-1]
		reason = sc.expand(reason)
		if last.Allowed != (verdict == "allowed") || !strings.Contains(strings.Join(last.Reasons, "\n"), reason) {
			b, _ := json.MarshalIndent(last, "", "  ")
			return fmt.Errorf("latest decision, want %s because %q:\n%s", verdict, reason, b)
		}
		return nil
	})
}
