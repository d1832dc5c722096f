package emulator_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
	vault "github.com/hashicorp/vault/api"

	"github.com/tfcemu/tfcemu/emulator/admin"
)

const wsID = "ws-mbsd5E3Ktt5Rg2Xm"

func (ve *vaultEnv) envVar(t *testing.T, key, value string) {
	t.Helper()
	_, err := ve.tfe.Variables.Create(context.Background(), wsID, tfe.VariableCreateOptions{Key: tfe.String(key), Value: tfe.String(value), Category: tfe.Category(tfe.CategoryEnv)})
	if err != nil {
		t.Fatalf("variable %s: %v", key, err)
	}
}

func (ve *vaultEnv) startRun(t *testing.T) *tfe.Run {
	t.Helper()
	r, err := ve.tfe.Runs.Create(context.Background(), tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: wsID}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// adminJSON calls the admin API and decodes the answer.
func (ve *vaultEnv) adminJSON(t *testing.T, method, path string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, ve.e.Info().TFCURL+"/_emulator"+path, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func (ve *vaultEnv) environment(t *testing.T, runID, phase string) admin.PhaseEnvironment {
	t.Helper()
	var env admin.PhaseEnvironment
	if code := ve.adminJSON(t, "GET", "/runs/"+runID+"/environment?phase="+phase+"&dir=/work/run", nil, &env); code != 200 {
		t.Fatalf("environment: %d", code)
	}
	return env
}

func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRunTokensPerPhaseAndTag(t *testing.T) {
	ve := newVaultEnv(t)
	ve.envVar(t, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "my-audience")
	ve.envVar(t, "TFC_WORKLOAD_IDENTITY_AUDIENCE_AWS", "aws-audience")
	ve.envVar(t, "TFC_WORKLOAD_IDENTITY_AUDIENCE_bad-tag", "x")
	ve.envVar(t, "TFC_WORKLOAD_IDENTITY_AUDIENCE_TYPE", "x")
	run := ve.startRun(t)
	if run.Status != tfe.RunPlanning {
		t.Fatalf("status = %s", run.Status)
	}
	plan := ve.environment(t, run.ID, "plan")
	c := claimsOf(t, plan.Env["TFC_WORKLOAD_IDENTITY_TOKEN"])
	if c["aud"] != "my-audience" || c["terraform_run_phase"] != "plan" || c["terraform_run_id"] != run.ID {
		t.Fatalf("plan token claims = %v", c)
	}
	if aud := claimsOf(t, plan.Env["TFC_WORKLOAD_IDENTITY_TOKEN_AWS"])["aud"]; aud != "aws-audience" {
		t.Fatalf("tagged token aud = %v", aud)
	}
	if _, ok := plan.Env["TFC_WORKLOAD_IDENTITY_TOKEN_bad-tag"]; ok {
		t.Fatal("an invalid tag got a token")
	}
	if _, ok := plan.Env["TFC_WORKLOAD_IDENTITY_TOKEN_TYPE"]; ok {
		t.Fatal("the reserved tag TYPE got a token")
	}
	log := strings.Join(plan.Log, "\n")
	if !strings.Contains(log, "ignoring TFC_WORKLOAD_IDENTITY_AUDIENCE_bad-tag") || !strings.Contains(log, "TYPE is a reserved keyword") {
		t.Fatalf("log = %s", log)
	}
	if plan.Env["TFC_WORKSPACE_SLUG"] != "my-org/my-workspace" || plan.Env["TFC_RUN_ID"] != run.ID {
		t.Fatalf("standard variables = %v", plan.Env)
	}
	// The plan finishes and waits; confirming applies with apply tokens.
	var adv map[string]string
	if code := ve.adminJSON(t, "POST", "/runs/"+run.ID+"/advance", map[string]any{}, &adv); code != 200 || adv["status"] != "planned" {
		t.Fatalf("advance: %d %v", code, adv)
	}
	if err := ve.tfe.Runs.Apply(context.Background(), run.ID, tfe.RunApplyOptions{Comment: tfe.String("ship it")}); err != nil {
		t.Fatal(err)
	}
	apply := ve.environment(t, run.ID, "apply")
	if ph := claimsOf(t, apply.Env["TFC_WORKLOAD_IDENTITY_TOKEN"])["terraform_run_phase"]; ph != "apply" {
		t.Fatalf("apply token phase = %v", ph)
	}
	if code := ve.adminJSON(t, "POST", "/runs/"+run.ID+"/advance", map[string]any{}, &adv); code != 200 || adv["status"] != "applied" {
		t.Fatalf("advance: %d %v", code, adv)
	}
	read, err := ve.tfe.Runs.Read(context.Background(), run.ID)
	if err != nil || read.Status != tfe.RunApplied || read.Workspace.ID != wsID {
		t.Fatalf("run = %+v %v", read, err)
	}
	if err := ve.tfe.Runs.Apply(context.Background(), run.ID, tfe.RunApplyOptions{}); err == nil || !strings.Contains(err.Error(), "transition not allowed") {
		t.Fatalf("applying an applied run: %v", err)
	}
}

func TestRunAgentVersionGates(t *testing.T) {
	ve := newVaultEnv(t)
	ctx := context.Background()
	ve.envVar(t, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "my-audience")
	ve.envVar(t, "TFC_WORKLOAD_IDENTITY_AUDIENCE_EXTRA", "extra")
	pool, err := ve.tfe.AgentPools.Create(ctx, "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("gated")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ve.tfe.Workspaces.UpdateByID(ctx, wsID, tfe.WorkspaceUpdateOptions{ExecutionMode: tfe.String("agent"), AgentPoolID: tfe.String(pool.ID)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version       string
		token, tagged bool
	}{{"1.6.9", false, false}, {"1.11.0", true, false}, {"1.12.0", true, true}} {
		// A pool runs on its oldest agent: use a fresh pool per version.
		p, err := ve.tfe.AgentPools.Create(ctx, "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("pool-" + tc.version)})
		if err != nil {
			t.Fatal(err)
		}
		if code := ve.adminJSON(t, "POST", "/agent-pools/"+p.ID+"/agents", admin.AgentRequest{Version: tc.version}, nil); code != 201 {
			t.Fatalf("register agent: %d", code)
		}
		if _, err := ve.tfe.Workspaces.UpdateByID(ctx, wsID, tfe.WorkspaceUpdateOptions{ExecutionMode: tfe.String("agent"), AgentPoolID: tfe.String(p.ID)}); err != nil {
			t.Fatal(err)
		}
		run := ve.startRun(t)
		env := ve.environment(t, run.ID, "plan")
		_, token := env.Env["TFC_WORKLOAD_IDENTITY_TOKEN"]
		_, tagged := env.Env["TFC_WORKLOAD_IDENTITY_TOKEN_EXTRA"]
		if token != tc.token || tagged != tc.tagged || env.Run.AgentVersion != tc.version {
			t.Errorf("agent %s: token %v tagged %v (want %v %v); log %v", tc.version, token, tagged, tc.token, tc.tagged, env.Log)
		}
	}
	// A pool with no agent cannot take runs.
	if _, err := ve.tfe.Workspaces.UpdateByID(ctx, wsID, tfe.WorkspaceUpdateOptions{ExecutionMode: tfe.String("agent"), AgentPoolID: tfe.String(pool.ID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ve.tfe.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: wsID}}); err == nil || !strings.Contains(err.Error(), "has no agents") {
		t.Fatalf("run on an empty pool: %v", err)
	}
}

// setUpVaultJWT configures the emulated Vault's jwt auth to trust the
// emulator's issuer, with a role for my-org/my-workspace.
func (ve *vaultEnv) setUpVaultJWT(t *testing.T, boundWorkspace string) {
	t.Helper()
	if err := ve.v.Sys().EnableAuthWithOptions("jwt", &vault.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatal(err)
	}
	issuer := ve.e.Info().Issuer
	ve.write(t, "auth/jwt/config", map[string]any{"oidc_discovery_url": issuer, "bound_issuer": issuer})
	ve.write(t, "auth/jwt/role/tfc", map[string]any{
		"role_type": "jwt", "bound_audiences": "vault.workload.identity", "user_claim": "terraform_full_workspace",
		"bound_claims_type": "glob", "bound_claims": map[string]any{"sub": "organization:my-org:project:*:workspace:" + boundWorkspace + ":run_phase:*"},
		"token_policies": "tfc-policy", "token_ttl": "20m",
	})
}

func TestRunVaultDynamicCredentials(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpVaultJWT(t, "my-workspace")
	ve.envVar(t, "TFC_VAULT_PROVIDER_AUTH", "true")
	ve.envVar(t, "TFC_VAULT_ADDR", ve.e.Info().VaultURL)
	ve.envVar(t, "TFC_VAULT_RUN_ROLE", "tfc")
	run := ve.startRun(t)
	env := ve.environment(t, run.ID, "plan")
	if env.Status != "running" || env.Env["VAULT_ADDR"] != ve.e.Info().VaultURL || !strings.HasPrefix(env.Env["VAULT_TOKEN"], "hvs.") {
		t.Fatalf("environment = %+v", env)
	}
	vc, _ := vault.NewClient(&vault.Config{Address: env.Env["VAULT_ADDR"]})
	vc.SetToken(env.Env["VAULT_TOKEN"])
	self, err := vc.Auth().Token().LookupSelf()
	if err != nil {
		t.Fatal(err)
	}
	if pols, _ := self.TokenPolicies(); strings.Join(pols, ",") != "default,tfc-policy" {
		t.Fatalf("vault token policies = %v", pols)
	}
}

func TestRunVaultLoginRefusedFailsThePlan(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpVaultJWT(t, "some-other-workspace")
	ve.envVar(t, "TFC_VAULT_PROVIDER_AUTH", "true")
	ve.envVar(t, "TFC_VAULT_ADDR", ve.e.Info().VaultURL)
	ve.envVar(t, "TFC_VAULT_RUN_ROLE", "tfc")
	run := ve.startRun(t)
	if run.Status != tfe.RunErrored {
		t.Fatalf("status = %s, want errored", run.Status)
	}
	env := ve.environment(t, run.ID, "plan")
	last := env.Log[len(env.Log)-1]
	if !strings.Contains(last, `failed to authenticate to Vault`) || !strings.Contains(last, `claim "sub" does not match any associated bound claim values`) {
		t.Fatalf("log = %v", env.Log)
	}
}

func TestRunCloudDynamicCredentials(t *testing.T) {
	ve := newVaultEnv(t)
	for k, v := range map[string]string{
		"TFC_AWS_PROVIDER_AUTH": "true", "TFC_AWS_RUN_ROLE_ARN": "arn:aws:iam::123456789012:role/run", "TFC_AWS_PLAN_ROLE_ARN": "arn:aws:iam::123456789012:role/plan",
		"TFC_AWS_PROVIDER_AUTH_PROD": "true", "TFC_AWS_RUN_ROLE_ARN_PROD": "arn:aws:iam::999999999999:role/prod",
		"TFC_GCP_PROVIDER_AUTH": "true", "TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL": "sa@p.iam.gserviceaccount.com",
		"TFC_GCP_WORKLOAD_PROVIDER_NAME": "projects/1/locations/global/workloadIdentityPools/pool/providers/tfc",
		"TFC_AZURE_PROVIDER_AUTH":        "true", "TFC_AZURE_RUN_CLIENT_ID": "11111111-1111-1111-1111-111111111111",
	} {
		ve.envVar(t, k, v)
	}
	run := ve.startRun(t)
	env := ve.environment(t, run.ID, "plan")
	if env.Env["AWS_ROLE_ARN"] != "arn:aws:iam::123456789012:role/plan" || env.Env["AWS_WEB_IDENTITY_TOKEN_FILE"] != "/work/run/aws/default/token" {
		t.Fatalf("aws env = %v", env.Env)
	}
	if aud := claimsOf(t, env.Files["/work/run/aws/default/token"])["aud"]; aud != "aws.workload.identity" {
		t.Fatalf("aws token aud = %v", aud)
	}
	if !strings.Contains(env.Files["/work/run/aws/PROD/config"], "role_arn = arn:aws:iam::999999999999:role/prod") {
		t.Fatalf("aws PROD config = %q", env.Files["/work/run/aws/PROD/config"])
	}
	creds := env.TerraformVariables["tfc_aws_dynamic_credentials"].(map[string]any)
	if creds["default"].(map[string]any)["shared_config_file"] != "/work/run/aws/default/config" || creds["aliases"].(map[string]any)["PROD"] == nil {
		t.Fatalf("tfc_aws_dynamic_credentials = %v", creds)
	}
	if env.Env["GOOGLE_APPLICATION_CREDENTIALS"] != "/work/run/gcp/default/credentials.json" ||
		!strings.Contains(env.Files["/work/run/gcp/default/credentials.json"], `"audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/pool/providers/tfc"`) {
		t.Fatalf("gcp = %v %q", env.Env, env.Files["/work/run/gcp/default/credentials.json"])
	}
	if aud := claimsOf(t, env.Env["ARM_OIDC_TOKEN"])["aud"]; aud != "api://AzureADTokenExchange" || env.Env["ARM_USE_OIDC"] != "true" {
		t.Fatalf("azure = %v", env.Env)
	}
}
