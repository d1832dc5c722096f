package runs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"bytes"
)

// vaultSession is a Vault configuration's successful login, which
// Vault-backed credentials read secrets with.
type vaultSession struct{ addr, token, namespace string }

// vaultBacked is one Vault-backed provider: AWS, GCP or Azure secrets
// engines read with the Vault token of a Vault configuration.
type vaultBacked struct {
	name  string // AWS, GCP, AZURE
	lower string
	mount string // default mount path
	apply func(ctx context.Context, p *phase, c credConfig, s vaultSession, mount string) error
}

var vaultBackedProviders = []vaultBacked{
	{name: "AWS", lower: "aws", mount: "aws", apply: applyVaultBackedAWS},
	{name: "GCP", lower: "gcp", mount: "gcp", apply: applyVaultBackedGCP},
	{name: "AZURE", lower: "azure", mount: "azure", apply: applyVaultBackedAzure},
}

// vaultBackedCredentials handles TFC_VAULT_BACKED_<P>_AUTH[_TAG] (agent
// 1.8.0 and later): each configuration reads its cloud credentials from
// Vault with the token of the Vault configuration it names
// (TFC_VAULT_BACKED_<P>_VAULT_CONFIG, default the default one).
func (p *phase) vaultBackedCredentials(ctx context.Context, vb vaultBacked) error {
	prov := "VAULT_BACKED_" + vb.name
	prefix := "TFC_" + prov + "_AUTH"
	var configs []credConfig
	for _, k := range slices.Sorted(maps.Keys(p.vars)) {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || rest == "_TYPE" || strings.HasPrefix(rest, "_TYPE_") || (rest != "" && !strings.HasPrefix(rest, "_")) {
			continue
		}
		if on, err := strconv.ParseBool(p.vars[k]); err != nil || !on {
			continue
		}
		if !p.supports(VersionVaultBacked) {
			p.log("Warning: ignoring %s: Vault-backed dynamic credentials require agent %s or later (this agent is %s)", k, VersionVaultBacked, p.in.AgentVersion)
			continue
		}
		tag := strings.TrimPrefix(rest, "_")
		if tag != "" && !p.tagOK(k, tag) {
			continue
		}
		configs = append(configs, credConfig{tag: tag})
	}
	tagged := false
	for _, c := range configs {
		tagged = tagged || c.tag != ""
		vaultCfg := p.generic(prov, "VAULT_CONFIG", c.tag)
		s, ok := p.vaults[vaultCfg]
		if !ok {
			name := "the default Vault configuration"
			if vaultCfg != "" {
				name = "Vault configuration " + vaultCfg
			}
			return fmt.Errorf("Vault-backed %s credentials need %s, which is not enabled (set TFC_VAULT_PROVIDER_AUTH%s)", strings.ToLower(vb.name), name, suffix(vaultCfg))
		}
		mount := strings.Trim(p.generic(prov, "MOUNT_PATH", c.tag), "/")
		if mount == "" {
			mount = vb.mount
		}
		if err := vb.apply(ctx, p, c, s, mount); err != nil {
			return err
		}
	}
	p.collectAliases("vault_backed_"+vb.lower, configs, tagged)
	return nil
}

// vaultRead calls Vault with a session's token and returns the data.
func (p *phase) vaultRead(ctx context.Context, s vaultSession, method, path string, body any) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.addr+"/v1/"+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Vault-Token", s.token)
	if s.namespace != "" {
		req.Header.Set("X-Vault-Namespace", s.namespace)
	}
	client := p.b.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		Errors []string       `json:"errors"`
		Data   map[string]any `json:"data"`
	}
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: Code: %d. Errors: %s", method, path, resp.StatusCode, strings.Join(out.Errors, "; "))
	}
	return out.Data, nil
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func applyVaultBackedAWS(ctx context.Context, p *phase, c credConfig, s vaultSession, mount string) error {
	const prov = "VAULT_BACKED_AWS"
	authType := p.generic(prov, "AUTH_TYPE", c.tag)
	role := p.runVar(prov, "VAULT_ROLE", c.tag)
	if role == "" {
		return p.missing(prov, "VAULT_ROLE", c.tag)
	}
	var data map[string]any
	var err error
	switch authType {
	case "iam_user":
		data, err = p.vaultRead(ctx, s, http.MethodGet, mount+"/creds/"+role, nil)
	case "assumed_role":
		arn := p.runVar(prov, "ROLE_ARN", c.tag)
		if arn == "" {
			return p.missing(prov, "ROLE_ARN", c.tag)
		}
		data, err = p.vaultRead(ctx, s, http.MethodPost, mount+"/sts/"+role, map[string]string{"role_arn": arn})
	case "federation_token":
		data, err = p.vaultRead(ctx, s, http.MethodPost, mount+"/sts/"+role, map[string]string{})
	default:
		return fmt.Errorf("TFC_VAULT_BACKED_AWS_AUTH_TYPE%s is %q; it must be iam_user, assumed_role or federation_token", suffix(c.tag), authType)
	}
	if err != nil {
		return fmt.Errorf("failed to read Vault-backed AWS credentials: %w", err)
	}
	file := path("vault-backed-aws", c.key(), "credentials")
	creds := fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", str(data, "access_key"), str(data, "secret_key"))
	if t := str(data, "security_token"); t != "" {
		creds += "aws_session_token = " + t + "\n"
	}
	p.out.Files[file] = creds
	if c.tag == "" {
		p.out.Env["AWS_ACCESS_KEY_ID"], p.out.Env["AWS_SECRET_ACCESS_KEY"] = str(data, "access_key"), str(data, "secret_key")
		if t := str(data, "security_token"); t != "" {
			p.out.Env["AWS_SESSION_TOKEN"] = t
		}
	}
	p.alias("vault_backed_aws", c, map[string]any{"shared_credentials_file": file})
	p.log("Read Vault-backed AWS credentials from %s (%s, configuration %s)", mount, authType, c.key())
	return nil
}

func applyVaultBackedGCP(ctx context.Context, p *phase, c credConfig, s vaultSession, mount string) error {
	const prov = "VAULT_BACKED_GCP"
	authType := p.generic(prov, "AUTH_TYPE", c.tag)
	kind, output, _ := strings.Cut(authType, "/")
	var name, seg string
	switch kind {
	case "roleset":
		name, seg = p.runVar(prov, "VAULT_ROLESET", c.tag), "roleset"
	case "static_account":
		name, seg = p.runVar(prov, "VAULT_STATIC_ACCOUNT", c.tag), "static-account"
	}
	if (output != "access_token" && output != "service_account_key") || seg == "" {
		return fmt.Errorf("TFC_VAULT_BACKED_GCP_AUTH_TYPE%s is %q; it must be roleset/access_token, roleset/service_account_key, static_account/access_token or static_account/service_account_key", suffix(c.tag), authType)
	}
	if name == "" {
		if kind == "roleset" {
			return p.missing(prov, "VAULT_ROLESET", c.tag)
		}
		return p.missing(prov, "VAULT_STATIC_ACCOUNT", c.tag)
	}
	endpoint := "token"
	if output == "service_account_key" {
		endpoint = "key"
	}
	data, err := p.vaultRead(ctx, s, http.MethodGet, mount+"/"+seg+"/"+name+"/"+endpoint, nil)
	if err != nil {
		return fmt.Errorf("failed to read Vault-backed GCP credentials: %w", err)
	}
	vars := map[string]any{"credentials": "", "access_token": ""}
	if output == "access_token" {
		tok := str(data, "token")
		vars["access_token"] = tok
		if c.tag == "" {
			p.out.Env["GOOGLE_OAUTH_ACCESS_TOKEN"] = tok
		}
	} else {
		key, _ := base64.StdEncoding.DecodeString(str(data, "private_key_data"))
		file := path("vault-backed-gcp", c.key(), "credentials.json")
		p.out.Files[file] = string(key)
		vars["credentials"] = file
		if c.tag == "" {
			p.out.Env["GOOGLE_APPLICATION_CREDENTIALS"] = file
		}
	}
	p.alias("vault_backed_gcp", c, vars)
	p.log("Read Vault-backed GCP credentials from %s (%s, configuration %s)", mount, authType, c.key())
	return nil
}

func applyVaultBackedAzure(ctx context.Context, p *phase, c credConfig, s vaultSession, mount string) error {
	const prov = "VAULT_BACKED_AZURE"
	role := p.runVar(prov, "VAULT_ROLE", c.tag)
	if role == "" {
		return p.missing(prov, "VAULT_ROLE", c.tag)
	}
	data, err := p.vaultRead(ctx, s, http.MethodGet, mount+"/creds/"+role, nil)
	if err != nil {
		return fmt.Errorf("failed to read Vault-backed Azure credentials: %w", err)
	}
	if secs, err := strconv.Atoi(p.generic(prov, "SLEEP_SECONDS", c.tag)); err == nil && secs > 0 {
		// The agent waits for Azure to see the new secret; the emulator
		// only records it.
		p.log("Would wait %s for the Azure credentials to propagate", time.Duration(min(secs, 1500))*time.Second)
	}
	idFile, secretFile := path("vault-backed-azure", c.key(), "client-id"), path("vault-backed-azure", c.key(), "client-secret")
	p.out.Files[idFile], p.out.Files[secretFile] = str(data, "client_id"), str(data, "client_secret")
	if c.tag == "" {
		p.out.Env["ARM_CLIENT_ID"], p.out.Env["ARM_CLIENT_SECRET"] = str(data, "client_id"), str(data, "client_secret")
	}
	p.alias("vault_backed_azure", c, map[string]any{"client_id_file_path": idFile, "client_secret_file_path": secretFile})
	p.log("Read Vault-backed Azure credentials from %s (configuration %s)", mount, c.key())
	return nil
}
