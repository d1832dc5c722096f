package runs

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator/identity"
	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// fakeMinter signs nothing: the builder's job here is what it does with a
// token, not the token.
type fakeMinter struct{ audiences []string }

func (f *fakeMinter) MintWorkspaceRun(r identity.WorkspaceRun) (identity.Token, error) {
	f.audiences = append(f.audiences, r.Audience)
	return identity.Token{JWT: "jwt-for-" + r.Audience + "-" + r.Phase}, nil
}

// fakeVault answers like a real Vault with the jwt auth method and the AWS
// and Azure secrets engines mounted: what the agent calls for Vault-backed
// credentials.
func fakeVault(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/auth/jwt/login", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"auth":{"client_token":"hvs.fake"}}`))
	})
	mux.HandleFunc("GET /v1/aws/creds/deploy", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Vault-Token") != "hvs.fake" {
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"errors":["permission denied"]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"access_key":"AKIAFAKE","secret_key":"s3cr3t","security_token":null}}`))
	})
	mux.HandleFunc("POST /v1/aws/sts/deploy", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body["role_arn"] != "arn:aws:iam::1:role/x" {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"errors":["role_arn missing"]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"access_key":"ASIAFAKE","secret_key":"s","security_token":"session"}}`))
	})
	mux.HandleFunc("GET /v1/azure/creds/contrib", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":{"client_id":"cid","client_secret":"csecret"}}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func input(version string, vars map[string]string) tfc.PhaseInput {
	in := tfc.PhaseInput{RunID: "run-1", Phase: "plan", AgentVersion: version,
		Organization: identity.Named{ID: "org-1", Name: "o"}, Project: identity.Named{ID: "prj-1", Name: "p"}, Workspace: identity.Named{ID: "ws-1", Name: "w"}}
	for k, v := range vars {
		in.Variables = append(in.Variables, tfc.Variable{Key: k, Value: v, Category: tfc.CategoryEnv})
	}
	return in
}

func TestVaultBackedCredentials(t *testing.T) {
	vault := fakeVault(t)
	vars := map[string]string{
		"TFC_VAULT_PROVIDER_AUTH": "true", "TFC_VAULT_ADDR": vault.URL, "TFC_VAULT_RUN_ROLE": "tfc",
		"TFC_VAULT_BACKED_AWS_AUTH": "true", "TFC_VAULT_BACKED_AWS_AUTH_TYPE": "iam_user", "TFC_VAULT_BACKED_AWS_RUN_VAULT_ROLE": "deploy",
		"TFC_VAULT_BACKED_AWS_AUTH_STS": "true", "TFC_VAULT_BACKED_AWS_AUTH_TYPE_STS": "assumed_role",
		"TFC_VAULT_BACKED_AWS_RUN_VAULT_ROLE_STS": "deploy", "TFC_VAULT_BACKED_AWS_RUN_ROLE_ARN_STS": "arn:aws:iam::1:role/x",
		"TFC_VAULT_BACKED_AZURE_AUTH": "true", "TFC_VAULT_BACKED_AZURE_RUN_VAULT_ROLE": "contrib",
	}
	b := &PhaseEnvironmentBuilder{Minter: &fakeMinter{}}
	env, err := b.Build(context.Background(), input("1.12.0", vars))
	if err != nil {
		t.Fatalf("%v\nlog: %v", err, env.Log)
	}
	r := Render(env, "/d")
	if r.Env["AWS_ACCESS_KEY_ID"] != "AKIAFAKE" || r.Env["AWS_SECRET_ACCESS_KEY"] != "s3cr3t" || r.Env["ARM_CLIENT_SECRET"] != "csecret" {
		t.Fatalf("env = %v", r.Env)
	}
	if !strings.Contains(r.Files["/d/vault-backed-aws/STS/credentials"], "aws_session_token = session") {
		t.Fatalf("STS credentials = %q", r.Files["/d/vault-backed-aws/STS/credentials"])
	}
	tv := r.TerraformVariables["tfc_vault_backed_aws_dynamic_credentials"].(map[string]any)
	if tv["default"].(map[string]any)["shared_credentials_file"] != "/d/vault-backed-aws/default/credentials" || tv["aliases"].(map[string]any)["STS"] == nil {
		t.Fatalf("tfc_vault_backed_aws_dynamic_credentials = %v", tv)
	}
}

func TestVaultBackedNeedsAVaultConfigAndAgent180(t *testing.T) {
	vars := map[string]string{"TFC_VAULT_BACKED_AWS_AUTH": "true", "TFC_VAULT_BACKED_AWS_AUTH_TYPE": "iam_user", "TFC_VAULT_BACKED_AWS_RUN_VAULT_ROLE": "deploy"}
	_, err := (&PhaseEnvironmentBuilder{Minter: &fakeMinter{}}).Build(context.Background(), input("1.12.0", vars))
	if err == nil || !strings.Contains(err.Error(), "need the default Vault configuration, which is not enabled") {
		t.Fatalf("err = %v", err)
	}
	env, err := (&PhaseEnvironmentBuilder{Minter: &fakeMinter{}}).Build(context.Background(), input("1.7.5", vars))
	if err != nil || !strings.Contains(strings.Join(env.Log, "\n"), "require agent 1.8.0 or later") {
		t.Fatalf("agent 1.7.5: %v %v", err, env.Log)
	}
}

func TestProviderAudiencesAndRequiredVariables(t *testing.T) {
	m := &fakeMinter{}
	_, err := (&PhaseEnvironmentBuilder{Minter: m}).Build(context.Background(), input("1.12.0", map[string]string{
		"TFC_AWS_PROVIDER_AUTH": "true", "TFC_AWS_RUN_ROLE_ARN": "arn", "TFC_DEFAULT_AWS_WORKLOAD_IDENTITY_AUDIENCE": "default-aud",
		"TFC_AZURE_PROVIDER_AUTH": "true", "TFC_AZURE_RUN_CLIENT_ID": "id",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.audiences, ",") != "default-aud,api://AzureADTokenExchange" {
		t.Fatalf("audiences = %v", m.audiences)
	}
	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"TFC_AWS_PROVIDER_AUTH": "true"}, "neither TFC_AWS_RUN_ROLE_ARN nor TFC_AWS_PLAN_ROLE_ARN is set"},
		{map[string]string{"TFC_GCP_PROVIDER_AUTH": "true", "TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL": "sa"}, "does not name a workload identity provider"},
		{map[string]string{"TFC_VAULT_PROVIDER_AUTH": "true", "TFC_VAULT_RUN_ROLE": "r"}, "TFC_VAULT_ADDR is not set"},
	} {
		if _, err := (&PhaseEnvironmentBuilder{Minter: &fakeMinter{}}).Build(context.Background(), input("1.12.0", tc.vars)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.vars, err, tc.want)
		}
	}
}
