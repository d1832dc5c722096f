// Package cloudendpoints points a run phase's cloud configuration (the
// environment variables and files its dynamic credentials are written as)
// at the emulator's clouds listener instead of the real clouds, so the
// run's providers exchange their workload identity token with the
// emulated STS, IAM credentials and Entra ID:
//   - AWS: AWS_ENDPOINT_URL_STS in the environment, and in each shared
//     config file with a web identity profile a services section whose sts
//     endpoint_url is the emulator
//     (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html);
//   - GCP: each external_account credential configuration's token_url and
//     service_account_impersonation_url;
//   - Azure: ARM_METADATA_HOSTNAME (azurerm's metadata_host, whose
//     /metadata/endpoints names the emulator as the login endpoint) and
//     AZURE_AUTHORITY_HOST (azidentity's authority). Azure's clients
//     require https: serve --tls.
//
// Other services keep their real endpoints. `tfcemu agent exec
// --cloud-endpoints` and the executor (--run-cloud-endpoints) both use it.
package cloudendpoints

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
)

// Endpoints are the emulator's cloud endpoints; an empty one leaves its
// cloud's configuration as it is.
type Endpoints struct {
	AWSSTSURL, GCPSTSURL, GCPIAMCredentialsURL, AzureAuthorityURL string
}

// Point rewrites env and files (path to content) in place for every
// endpoint set, and returns env (allocated when nil and something was set).
func Point(env, files map[string]string, e Endpoints) map[string]string {
	if e.AWSSTSURL != "" {
		env = PointAWS(env, files, e.AWSSTSURL)
	}
	if e.GCPSTSURL != "" || e.GCPIAMCredentialsURL != "" {
		PointGCP(files, e.GCPSTSURL, e.GCPIAMCredentialsURL)
	}
	if e.AzureAuthorityURL != "" {
		env = PointAzure(env, files, e.AzureAuthorityURL)
	}
	return env
}

// AWSServicesSection names the shared-config services section that points
// STS (and only STS) at the emulator.
const AWSServicesSection = "tfcemu-sts"

// PointAWS adds the STS endpoint to a phase's AWS dynamic credentials and
// returns env (allocated when nil).
func PointAWS(env, files map[string]string, stsURL string) map[string]string {
	if env == nil {
		env = map[string]string{}
	}
	configured := env["AWS_WEB_IDENTITY_TOKEN_FILE"] != ""
	for path, content := range files {
		if !strings.Contains(content, "web_identity_token_file") || strings.Contains(content, "[services "+AWSServicesSection+"]") {
			continue
		}
		configured = true
		files[path] = strings.Replace(content, "[default]\n", "[default]\nservices = "+AWSServicesSection+"\n", 1) +
			"\n[services " + AWSServicesSection + "]\nsts =\n  endpoint_url = " + stsURL + "\n"
	}
	if configured {
		env["AWS_ENDPOINT_URL_STS"] = stsURL
	}
	return env
}

// Google's endpoints in the external_account configuration a run gets.
const (
	GoogleSTSURL         = "https://sts.googleapis.com"
	GoogleIAMCredentials = "https://iamcredentials.googleapis.com"
)

// PointGCP rewrites every external_account credential configuration among
// files so its token exchange (token_url) and impersonation
// (service_account_impersonation_url) go to the emulator; an empty URL
// leaves its key as it is.
func PointGCP(files map[string]string, stsURL, iamURL string) {
	for path, content := range files {
		var cred map[string]any
		if json.Unmarshal([]byte(content), &cred) != nil || cred["type"] != "external_account" {
			continue
		}
		changed := false
		for key, swap := range map[string][2]string{"token_url": {GoogleSTSURL, stsURL}, "service_account_impersonation_url": {GoogleIAMCredentials, iamURL}} {
			if v, ok := cred[key].(string); ok && swap[1] != "" && strings.HasPrefix(v, swap[0]+"/") {
				cred[key] = strings.TrimRight(swap[1], "/") + strings.TrimPrefix(v, swap[0])
				changed = true
			}
		}
		if !changed {
			continue
		}
		if b, err := json.MarshalIndent(cred, "", "  "); err == nil {
			files[path] = string(b)
		}
	}
}

// PointAzure points a phase's Azure dynamic credentials (ARM_USE_OIDC, or
// a tagged configuration's token file under an azure directory) at the
// emulator's Entra ID and returns env (allocated when nil and configured).
func PointAzure(env, files map[string]string, authorityURL string) map[string]string {
	configured := env["ARM_USE_OIDC"] == "true"
	for path := range files {
		if strings.Contains(filepath.ToSlash(path), "/azure/") {
			configured = true
		}
	}
	if !configured {
		return env
	}
	if env == nil {
		env = map[string]string{}
	}
	if u, err := url.Parse(authorityURL); err == nil && u.Host != "" {
		env["ARM_METADATA_HOSTNAME"] = u.Host
	}
	env["AZURE_AUTHORITY_HOST"] = strings.TrimRight(authorityURL, "/") + "/"
	return env
}
