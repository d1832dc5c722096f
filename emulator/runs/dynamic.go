package runs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// provider is one dynamic credentials provider.
type provider struct {
	name     string // VAULT, AWS, GCP, AZURE
	lower    string // vault, aws, gcp, azure
	audience func(p *phase, tag string) (string, error)
	apply    func(ctx context.Context, p *phase, cfg credConfig) error
}

// credConfig is one (default or tagged) configuration of a provider.
type credConfig struct {
	tag   string // "" for the default configuration
	token string
	aud   string
}

func (c credConfig) key() string {
	if c.tag == "" {
		return "default"
	}
	return c.tag
}

var providers = []provider{
	{name: "VAULT", lower: "vault", audience: fixedAudience("vault.workload.identity"), apply: applyVault},
	{name: "AWS", lower: "aws", audience: fixedAudience("aws.workload.identity"), apply: applyAWS},
	{name: "GCP", lower: "gcp", audience: gcpAudience, apply: applyGCP},
	{name: "AZURE", lower: "azure", audience: fixedAudience("api://AzureADTokenExchange"), apply: applyAzure},
}

func fixedAudience(def string) func(*phase, string) (string, error) {
	return func(p *phase, tag string) (string, error) {
		return def, nil
	}
}

// generic looks up TFC_<P>_<NAME><_TAG>, then TFC_DEFAULT_<P>_<NAME>.
func (p *phase) generic(prov, name, tag string) string {
	if v := p.vars["TFC_"+prov+"_"+name+suffix(tag)]; v != "" {
		return v
	}
	return p.vars["TFC_DEFAULT_"+prov+"_"+name]
}

// runVar looks up a phase-specific setting: TFC_<P>_<PHASE>_<NAME><_TAG>,
// TFC_DEFAULT_<P>_<PHASE>_<NAME>, then the RUN forms, which the phase
// forms fall back to.
func (p *phase) runVar(prov, name, tag string) string {
	ph := strings.ToUpper(p.in.Phase)
	for _, k := range []string{
		"TFC_" + prov + "_" + ph + "_" + name + suffix(tag), "TFC_DEFAULT_" + prov + "_" + ph + "_" + name,
		"TFC_" + prov + "_RUN_" + name + suffix(tag), "TFC_DEFAULT_" + prov + "_RUN_" + name,
	} {
		if v := p.vars[k]; v != "" {
			return v
		}
	}
	return ""
}

func suffix(tag string) string {
	if tag == "" {
		return ""
	}
	return "_" + tag
}

// dynamicCredentials finds the provider's enabled configurations
// (TFC_<P>_PROVIDER_AUTH[_TAG]=true), mints each one's token and applies
// it. With any tagged configuration, the Terraform variable
// tfc_<p>_dynamic_credentials maps the default and the aliases.
func (p *phase) dynamicCredentials(ctx context.Context, prov provider) error {
	prefix := "TFC_" + prov.name + "_PROVIDER_AUTH"
	var configs []credConfig
	for _, k := range slices.Sorted(maps.Keys(p.vars)) {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		rest := strings.TrimPrefix(k, prefix)
		if rest != "" && !strings.HasPrefix(rest, "_") {
			continue
		}
		on, err := strconv.ParseBool(p.vars[k])
		if err != nil || !on {
			continue
		}
		tag := strings.TrimPrefix(rest, "_")
		if tag != "" && !p.tagOK(k, tag) {
			continue
		}
		configs = append(configs, credConfig{tag: tag})
	}
	if len(configs) == 0 {
		return nil
	}
	tagged := false
	for i := range configs {
		c := &configs[i]
		tagged = tagged || c.tag != ""
		aud := p.generic(prov.name, "WORKLOAD_IDENTITY_AUDIENCE", c.tag)
		if aud == "" {
			def, err := prov.audience(p, c.tag)
			if err != nil {
				return err
			}
			aud = def
		}
		tok, err := p.mint(aud)
		if err != nil {
			return err
		}
		c.token, c.aud = tok.JWT, aud
		if err := prov.apply(ctx, p, *c); err != nil {
			return err
		}
	}
	p.collectAliases(prov.lower, configs, tagged)
	return nil
}

// alias records a configuration's entry of tfc_<kind>_dynamic_credentials.
func (p *phase) alias(kind string, c credConfig, v map[string]any) {
	if p.aliases[kind] == nil {
		p.aliases[kind] = map[string]any{}
	}
	p.aliases[kind][c.key()] = v
}

// collectAliases sets tfc_<kind>_dynamic_credentials when any
// configuration of the kind is tagged: {"default": ..., "aliases": {TAG: ...}}.
func (p *phase) collectAliases(kind string, configs []credConfig, tagged bool) {
	entries := p.aliases[kind]
	if !tagged || entries == nil {
		return
	}
	aliases := map[string]any{}
	for _, c := range configs {
		if c.tag != "" {
			aliases[c.tag] = entries[c.key()]
		}
	}
	p.out.TerraformVariables["tfc_"+kind+"_dynamic_credentials"] = map[string]any{"default": entries["default"], "aliases": aliases}
}

// path is a file in the phase directory.
func path(parts ...string) string { return DirPlaceholder + "/" + strings.Join(parts, "/") }

// missing is the error a run shows when a required variable is not set.
func (p *phase) missing(prov, name, tag string) error {
	ph := strings.ToUpper(p.in.Phase)
	return fmt.Errorf("dynamic credentials for %s are enabled, but neither TFC_%s_RUN_%s%s nor TFC_%s_%s_%s%s is set",
		strings.ToLower(prov), prov, name, suffix(tag), prov, ph, name, suffix(tag))
}

// applyVault logs in to Vault with the token, as the agent does, and hands
// on VAULT_ADDR, VAULT_TOKEN and VAULT_NAMESPACE.
func applyVault(ctx context.Context, p *phase, c credConfig) error {
	addr := strings.TrimRight(p.generic("VAULT", "ADDR", c.tag), "/")
	if addr == "" {
		return fmt.Errorf("dynamic credentials for vault are enabled, but TFC_VAULT_ADDR%s is not set", suffix(c.tag))
	}
	role := p.runVar("VAULT", "ROLE", c.tag)
	if role == "" {
		return p.missing("VAULT", "ROLE", c.tag)
	}
	authPath := strings.Trim(p.generic("VAULT", "AUTH_PATH", c.tag), "/")
	if authPath == "" {
		authPath = "jwt"
	}
	ns := p.generic("VAULT", "NAMESPACE", c.tag)
	if p.generic("VAULT", "ENCODED_CACERT", c.tag) != "" && !p.supports(VersionVaultCACert) {
		p.log("Warning: TFC_VAULT_ENCODED_CACERT requires agent %s or later; ignored", VersionVaultCACert)
	}
	token, err := p.b.vaultLogin(ctx, addr, authPath, ns, role, c.token)
	if err != nil {
		return fmt.Errorf("failed to authenticate to Vault at %s with role %q on auth/%s: %w", addr, role, authPath, err)
	}
	p.log("Authenticated to Vault at %s with role %q (configuration %s)", addr, role, c.key())
	p.vaults[c.tag] = vaultSession{addr: addr, token: token, namespace: ns}
	tokenFile := path("vault", c.key(), "token")
	p.out.Files[tokenFile] = token
	if c.tag == "" {
		p.out.Env["VAULT_ADDR"], p.out.Env["VAULT_TOKEN"] = addr, token
		if ns != "" {
			p.out.Env["VAULT_NAMESPACE"] = ns
		}
	}
	p.alias("vault", c, map[string]any{"token_filename": tokenFile, "address": addr, "namespace": ns, "ca_cert_file": ""})
	return nil
}

// vaultLogin is POST <addr>/v1/auth/<path>/login {"role","jwt"}.
func (b *PhaseEnvironmentBuilder) vaultLogin(ctx context.Context, addr, authPath, ns, role, jwt string) (string, error) {
	body, _ := json.Marshal(map[string]string{"role": role, "jwt": jwt})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, addr+"/v1/auth/"+authPath+"/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if ns != "" {
		req.Header.Set("X-Vault-Namespace", ns)
	}
	client := b.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		Errors []string `json:"errors"`
		Auth   *struct {
			ClientToken string `json:"client_token"`
		} `json:"auth"`
	}
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode/100 != 2 {
		if len(out.Errors) > 0 {
			return "", fmt.Errorf("Code: %d. Errors: %s", resp.StatusCode, strings.Join(out.Errors, "; "))
		}
		return "", fmt.Errorf("Code: %d", resp.StatusCode)
	}
	if out.Auth == nil || out.Auth.ClientToken == "" {
		return "", errors.New("the login response carried no token")
	}
	return out.Auth.ClientToken, nil
}

// applyAWS writes the token and a shared config file with role_arn and
// web_identity_token_file; the default configuration also exports
// AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE.
func applyAWS(_ context.Context, p *phase, c credConfig) error {
	role := p.runVar("AWS", "ROLE_ARN", c.tag)
	if role == "" {
		return p.missing("AWS", "ROLE_ARN", c.tag)
	}
	tokenFile, configFile := path("aws", c.key(), "token"), path("aws", c.key(), "config")
	p.out.Files[tokenFile] = c.token
	p.out.Files[configFile] = fmt.Sprintf("[default]\nrole_arn = %s\nweb_identity_token_file = %s\n", role, tokenFile)
	if c.tag == "" {
		p.out.Env["AWS_ROLE_ARN"], p.out.Env["AWS_WEB_IDENTITY_TOKEN_FILE"] = role, tokenFile
	}
	p.alias("aws", c, map[string]any{"shared_config_file": configFile})
	p.log("Configured AWS dynamic credentials for %s (configuration %s)", role, c.key())
	return nil
}

// gcpProviderName is TFC_GCP_WORKLOAD_PROVIDER_NAME, or the name built from
// the project number, pool and provider ids.
func gcpProviderName(p *phase, tag string) string {
	if v := p.generic("GCP", "WORKLOAD_PROVIDER_NAME", tag); v != "" {
		return v
	}
	num, pool, prov := p.generic("GCP", "PROJECT_NUMBER", tag), p.generic("GCP", "WORKLOAD_POOL_ID", tag), p.generic("GCP", "WORKLOAD_PROVIDER_ID", tag)
	if num == "" || pool == "" || prov == "" {
		return ""
	}
	return fmt.Sprintf("projects/%s/locations/global/workloadIdentityPools/%s/providers/%s", num, pool, prov)
}

var gcpProviderPattern = lazyre.New(`^projects/[^/]+/locations/global/workloadIdentityPools/[^/]+/providers/[^/]+$`)

func gcpAudience(p *phase, tag string) (string, error) {
	name := gcpProviderName(p, tag)
	if !gcpProviderPattern.MatchString(name) {
		return "", fmt.Errorf("dynamic credentials for gcp are enabled, but TFC_GCP_WORKLOAD_PROVIDER_NAME%s (or the project number, pool and provider ids) does not name a workload identity provider", suffix(tag))
	}
	return "//iam.googleapis.com/" + name, nil
}

// applyGCP writes the token and an external_account credentials file; the
// default configuration exports GOOGLE_APPLICATION_CREDENTIALS.
func applyGCP(_ context.Context, p *phase, c credConfig) error {
	sa := p.runVar("GCP", "SERVICE_ACCOUNT_EMAIL", c.tag)
	if sa == "" {
		return p.missing("GCP", "SERVICE_ACCOUNT_EMAIL", c.tag)
	}
	name := gcpProviderName(p, c.tag)
	if !gcpProviderPattern.MatchString(name) {
		_, err := gcpAudience(p, c.tag)
		return err
	}
	tokenFile, credFile := path("gcp", c.key(), "token"), path("gcp", c.key(), "credentials.json")
	p.out.Files[tokenFile] = c.token
	cred, _ := json.MarshalIndent(map[string]any{
		"universe_domain": "googleapis.com", "type": "external_account", "audience": "//iam.googleapis.com/" + name,
		"subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": "https://sts.googleapis.com/v1/token",
		"service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/" + sa + ":generateAccessToken",
		"credential_source":                 map[string]any{"file": tokenFile, "format": map[string]string{"type": "text"}},
	}, "", "  ")
	p.out.Files[credFile] = string(cred)
	if c.tag == "" {
		p.out.Env["GOOGLE_APPLICATION_CREDENTIALS"] = credFile
	}
	p.alias("gcp", c, map[string]any{"credentials": credFile})
	p.log("Configured GCP dynamic credentials for %s (configuration %s)", sa, c.key())
	return nil
}

// applyAzure writes the client id and the token; the default configuration
// exports ARM_CLIENT_ID, ARM_OIDC_TOKEN and ARM_USE_OIDC.
func applyAzure(_ context.Context, p *phase, c credConfig) error {
	id := p.runVar("AZURE", "CLIENT_ID", c.tag)
	if id == "" {
		return p.missing("AZURE", "CLIENT_ID", c.tag)
	}
	idFile, tokenFile := path("azure", c.key(), "client-id"), path("azure", c.key(), "token")
	p.out.Files[idFile], p.out.Files[tokenFile] = id, c.token
	if c.tag == "" {
		p.out.Env["ARM_CLIENT_ID"], p.out.Env["ARM_OIDC_TOKEN"], p.out.Env["ARM_USE_OIDC"] = id, c.token, "true"
	}
	p.alias("azure", c, map[string]any{"client_id_file_path": idFile, "oidc_token_file_path": tokenFile})
	p.log("Configured Azure dynamic credentials for client %s (configuration %s)", id, c.key())
	return nil
}
