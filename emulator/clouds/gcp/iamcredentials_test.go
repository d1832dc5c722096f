package gcp

import (
	"encoding/json"
	"strings"
	"testing"
)

const denied = `{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","domain":"iam.googleapis.com","metadata":{"permission":"iam.serviceAccounts.getAccessToken"},"reason":"IAM_PERMISSION_DENIED"}]}}`

func TestImpersonationBindings(t *testing.T) {
	pool := "iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests"
	for _, tc := range []struct {
		name   string
		member string
		phase  string
		allow  bool
	}{
		{"attribute principalSet matches", "principalSet://" + pool + "/attribute.terraform_run_phase/apply", "apply", true},
		{"attribute principalSet refuses the plan phase", "principalSet://" + pool + "/attribute.terraform_run_phase/apply", "plan", false},
		{"subject principal matches", "principal://" + pool + "/subject/organization:my-org:project:Default Project:workspace:my-workspace:run_phase:plan", "plan", true},
		{"subject principal is exact", "principal://" + pool + "/subject/organization:my-org:project:Default Project:workspace:my-workspace:run_phase:*", "plan", false},
		{"another pool", "principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/other-pool/*", "plan", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			members, _ := json.Marshal(map[string][]string{"members": {tc.member}})
			if status, body := e.do("PUT", "/_emulator/gcp/service-accounts/"+saEmail, "application/json", string(members)); status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			_, err := e.credentials(e.mint("my-org", tc.phase, providerAud), true).TokenSource.Token()
			if tc.allow != (err == nil) {
				t.Fatalf("allow %v, err %v", tc.allow, err)
			}
			if !tc.allow && !strings.Contains(err.Error(), "status code 403: "+denied) {
				t.Fatalf("err %v\nwant the 403 %s", err, denied)
			}
			if d := e.svc.Decisions()[1]; d.Allowed != tc.allow || !strings.Contains(strings.Join(d.Reasons, " "), tc.member) {
				t.Fatalf("decision %+v", d)
			}
		})
	}
}

func TestGenerateAccessTokenRawAnswers(t *testing.T) {
	e := newEnv(t)
	status, body := e.do("POST", "/v1/token", form, exchangeForm(providerAud, e.mint("my-org", "plan", providerAud)))
	var sts struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &sts); status != 200 || err != nil {
		t.Fatalf("%d %s", status, body)
	}
	path := "/v1/projects/-/serviceAccounts/" + saEmail + ":generateAccessToken"
	for _, tc := range []struct {
		name, path, bearer, body string
		status                   int
		want                     string
	}{
		{"ok", path, sts.AccessToken, `{"scope":["https://www.googleapis.com/auth/cloud-platform"],"lifetime":"600s"}`, 200, `"expireTime":"2026-04-20T20:32:02Z"`},
		{"no bearer", path, "", `{"scope":["x"]}`, 401, `{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED"}}`},
		{"unknown service account", "/v1/projects/-/serviceAccounts/nobody-here@my-project.iam.gserviceaccount.com:generateAccessToken", sts.AccessToken, `{"scope":["x"]}`, 403, denied},
		{"malformed JSON", path, sts.AccessToken, `{"scope":`, 400, `"status":"INVALID_ARGUMENT"`},
		{"lifetime over an hour", path, sts.AccessToken, `{"scope":["x"],"lifetime":"7200s"}`, 400, `"status":"INVALID_ARGUMENT"`},
		{"no scope", path, sts.AccessToken, `{}`, 400, `{"error":{"code":400,"message":"Scope required.","status":"INVALID_ARGUMENT"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.bearer != "" {
				hdr = []string{"Authorization", "Bearer " + tc.bearer}
			}
			status, body := e.do("POST", tc.path, "application/json", tc.body, hdr...)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s\nwant %d containing %s", status, body, tc.status, tc.want)
			}
		})
	}
}
