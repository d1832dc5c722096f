package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
)

// awsServicesSection names the shared-config services section that points
// STS (and only STS) at the emulator.
const awsServicesSection = "tfcemu-sts"

// pointAtClouds rewrites a phase's cloud configuration so the run's
// providers exchange their token with the emulator's clouds listener instead
// of the real clouds:
//   - AWS: AWS_ENDPOINT_URL_STS in the environment, and in each shared
//     config file with a web identity profile a services section whose sts
//     endpoint_url is the emulator
//     (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html);
//   - GCP: each external_account credential configuration's token_url and
//     service_account_impersonation_url (gcp_sts_url,
//     gcp_iamcredentials_url);
//   - Azure: ARM_METADATA_HOSTNAME (azurerm's metadata_host, whose
//     /metadata/endpoints names the emulator as the login endpoint) and
//     AZURE_AUTHORITY_HOST (azidentity's authority), both azure_authority_url.
//     Azure's clients require https: serve --tls.
//
// Other services keep their real endpoints.
func (s *agentSession) pointAtClouds(ctx context.Context, env *admin.PhaseEnvironment) error {
	if !s.f.cloudEndpoints {
		return nil
	}
	var info emulator.Info
	if err := adminCall(ctx, http.MethodGet, s.f.admin(), "/info", nil, &info); err != nil {
		return err
	}
	if info.AWSSTSURL == "" {
		return errors.New("--cloud-endpoints: the emulator's clouds listener is off (serve --clouds-listen)")
	}
	pointAWS(env, info.AWSSTSURL)
	pointGCP(env, info.GCPSTSURL, info.GCPIAMCredentialsURL)
	pointAzure(env, info.AzureAuthorityURL)
	return nil
}

// Google's endpoints in the external_account configuration a run gets.
const (
	googleSTSURL         = "https://sts.googleapis.com"
	googleIAMCredentials = "https://iamcredentials.googleapis.com"
)

// pointGCP rewrites every external_account credential configuration of a
// phase so its token exchange and impersonation go to the emulator.
func pointGCP(env *admin.PhaseEnvironment, stsURL, iamURL string) {
	for path, content := range env.Files {
		var cred map[string]any
		if json.Unmarshal([]byte(content), &cred) != nil || cred["type"] != "external_account" {
			continue
		}
		changed := false
		for key, swap := range map[string][2]string{"token_url": {googleSTSURL, stsURL}, "service_account_impersonation_url": {googleIAMCredentials, iamURL}} {
			if v, ok := cred[key].(string); ok && strings.HasPrefix(v, swap[0]+"/") {
				cred[key] = strings.TrimRight(swap[1], "/") + strings.TrimPrefix(v, swap[0])
				changed = true
			}
		}
		if !changed {
			continue
		}
		b, err := json.MarshalIndent(cred, "", "  ")
		if err == nil {
			env.Files[path] = string(b)
		}
	}
}

// pointAzure points a phase's Azure dynamic credentials (ARM_USE_OIDC, or a
// tagged configuration's token file) at the emulator's Entra ID.
func pointAzure(env *admin.PhaseEnvironment, authorityURL string) {
	configured := env.Env["ARM_USE_OIDC"] == "true"
	for path := range env.Files {
		if strings.Contains(filepath.ToSlash(path), "/azure/") {
			configured = true
		}
	}
	if !configured {
		return
	}
	if env.Env == nil {
		env.Env = map[string]string{}
	}
	if u, err := url.Parse(authorityURL); err == nil && u.Host != "" {
		env.Env["ARM_METADATA_HOSTNAME"] = u.Host
	}
	env.Env["AZURE_AUTHORITY_HOST"] = strings.TrimRight(authorityURL, "/") + "/"
}

// pointAWS adds the STS endpoint to a phase's AWS dynamic credentials.
func pointAWS(env *admin.PhaseEnvironment, stsURL string) {
	if env.Env == nil {
		env.Env = map[string]string{}
	}
	configured := env.Env["AWS_WEB_IDENTITY_TOKEN_FILE"] != ""
	for path, content := range env.Files {
		if !strings.Contains(content, "web_identity_token_file") || strings.Contains(content, "[services "+awsServicesSection+"]") {
			continue
		}
		configured = true
		env.Files[path] = strings.Replace(content, "[default]\n", "[default]\nservices = "+awsServicesSection+"\n", 1) +
			"\n[services " + awsServicesSection + "]\nsts =\n  endpoint_url = " + stsURL + "\n"
	}
	if configured {
		env.Env["AWS_ENDPOINT_URL_STS"] = stsURL
	}
}
