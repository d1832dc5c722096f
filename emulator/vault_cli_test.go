package emulator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
)

// vaultBinary is the real vault binary: TFCEMU_VAULT_BIN, else bin/vault at
// the repository root. The same binary is the CLI and the reference server.
func vaultBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("TFCEMU_VAULT_BIN")
	if bin == "" {
		bin, _ = filepath.Abs(filepath.Join("..", "bin", "vault"))
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no vault binary (set TFCEMU_VAULT_BIN or put one at bin/vault): %v", err)
	}
	return bin
}

// cliStep is one vault CLI command of the script. json steps are compared
// as documents with ids, tokens and times masked; the others as text with
// the server's address replaced.
type cliStep struct {
	name  string
	args  []string
	stdin string
	json  bool
}

// cliResult is what one command printed and its exit code.
type cliResult struct {
	code   int
	stdout string
	stderr string
}

// cliServer is a Vault the CLI talks to.
type cliServer struct {
	bin, addr, home string
}

func (s cliServer) run(t *testing.T, step cliStep) cliResult {
	t.Helper()
	cmd := exec.Command(s.bin, step.args...)
	cmd.Env = append(os.Environ(), "VAULT_ADDR="+s.addr, "VAULT_TOKEN=root", "HOME="+s.home, "VAULT_FORMAT=", "NO_COLOR=1")
	cmd.Stdin = strings.NewReader(step.stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("vault %v: %v", step.args, err)
	}
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// productDocumentScript is the product document's commands
// (https://developer.hashicorp.com/vault/docs/secrets/terraform) and the
// jwt, policy, token and status commands around them, as a user types them.
// lease and jwt are filled in as the script runs.
func productDocumentScript(tfcURL, issuer string) []cliStep {
	role := `{"role_type":"jwt","user_claim":"terraform_full_workspace","bound_audiences":"vault.workload.identity",
		"bound_claims_type":"glob","bound_claims":{"sub":"organization:my-org:project:*:workspace:my-workspace:run_phase:*"},
		"token_policies":"tfc-policy","token_ttl":"20m"}`
	return []cliStep{
		{name: "status", args: []string{"status", "-format=json"}, json: true},
		{name: "enable", args: []string{"secrets", "enable", "terraform"}},
		{name: "enable again", args: []string{"secrets", "enable", "terraform"}},
		{name: "config", args: []string{"write", "terraform/config", "token=Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4", "address=" + tfcURL}},
		{name: "read config", args: []string{"read", "-format=json", "terraform/config"}, json: true},
		{name: "user role", args: []string{"write", "terraform/role/my-role", "user_id=user-12345abcde"}},
		{name: "read user role", args: []string{"read", "-format=json", "terraform/role/my-role"}, json: true},
		{name: "user creds", args: []string{"read", "-format=json", "terraform/creds/my-role"}, json: true},
		{name: "user creds table", args: []string{"read", "terraform/creds/my-role"}},
		{name: "lease revoke", args: []string{"lease", "revoke", "{lease}"}},
		{name: "org role", args: []string{"write", "terraform/role/testing", "organization=my-org"}},
		{name: "rotate", args: []string{"write", "-f", "terraform/rotate-role/testing"}},
		{name: "org creds", args: []string{"read", "-format=json", "terraform/creds/testing"}, json: true},
		{name: "user-testing role", args: []string{"write", "terraform/role/user-testing", "user_id=user-12345abcde"}},
		{name: "user-testing creds", args: []string{"read", "-format=json", "terraform/creds/user-testing"}, json: true},
		{name: "list roles", args: []string{"list", "-format=json", "terraform/role"}, json: true},
		{name: "bad ttl", args: []string{"write", "terraform/role/bad", "user_id=u", "ttl=abc"}},
		{name: "missing role creds", args: []string{"read", "terraform/creds/nope"}},
		{name: "path-help engine", args: []string{"path-help", "terraform/"}},
		{name: "path-help role", args: []string{"path-help", "terraform/role/x"}},
		{name: "secrets list", args: []string{"secrets", "list", "-detailed", "-format=json"}, json: true},
		{name: "auth enable", args: []string{"auth", "enable", "jwt"}},
		{name: "jwt config", args: []string{"write", "auth/jwt/config", "oidc_discovery_url=" + issuer, "bound_issuer=" + issuer}},
		{name: "policy write", args: []string{"policy", "write", "tfc-policy", "-"}, stdin: `path "terraform/creds/*" { capabilities = ["read"] }`},
		{name: "policy read", args: []string{"policy", "read", "tfc-policy"}},
		{name: "jwt role", args: []string{"write", "auth/jwt/role/tfc", "-"}, stdin: role},
		{name: "read jwt role", args: []string{"read", "-format=json", "auth/jwt/role/tfc"}, json: true},
		{name: "bound_claims as a string", args: []string{"write", "auth/jwt/role/bad", "role_type=jwt", "user_claim=sub", "bound_claims=sub=foo"}},
		{name: "login", args: []string{"write", "-format=json", "auth/jwt/login", "role=tfc", "jwt={jwt}"}, json: true},
		{name: "login garbage", args: []string{"write", "auth/jwt/login", "role=tfc", "jwt=not.a.jwt"}},
		{name: "token create", args: []string{"token", "create", "-format=json", "-policy=tfc-policy", "-ttl=1h"}, json: true},
		{name: "token lookup", args: []string{"token", "lookup", "-format=json"}, json: true},
		{name: "auth list", args: []string{"auth", "list", "-detailed", "-format=json"}, json: true},
		{name: "disable", args: []string{"secrets", "disable", "terraform"}},
		{name: "auth disable", args: []string{"auth", "disable", "jwt"}},
	}
}

// runScript runs the script against one server, filling {lease} from the
// first user creds and {jwt} with a fresh workload identity token.
func runScript(t *testing.T, s cliServer, steps []cliStep, mintJWT func() string) []cliResult {
	t.Helper()
	var lease string
	out := make([]cliResult, len(steps))
	for i, step := range steps {
		args := make([]string, len(step.args))
		for j, a := range step.args {
			a = strings.ReplaceAll(a, "{lease}", lease)
			if strings.Contains(a, "{jwt}") {
				a = strings.ReplaceAll(a, "{jwt}", mintJWT())
			}
			args[j] = a
		}
		step.args = args
		out[i] = s.run(t, step)
		if step.name == "user creds" {
			var sec struct {
				LeaseID string `json:"lease_id"`
			}
			if err := json.Unmarshal([]byte(out[i].stdout), &sec); err != nil {
				t.Fatalf("user creds: %v in %q", err, out[i].stdout)
			}
			lease = sec.LeaseID
		}
	}
	return out
}

// maskedKeys hold ids, tokens, times and random suffixes: compared only for
// being empty or not.
var maskedKeys = map[string]bool{
	"request_id": true, "accessor": true, "client_token": true, "token": true, "token_id": true, "entity_id": true,
	"uuid": true, "cluster_id": true, "cluster_name": true, "build_date": true, "creation_time": true, "issue_time": true,
	"expire_time": true, "expired_at": true, "id": true, "token_accessor": true, "server_time_utc": true,
}

func maskJSON(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			out[k] = maskJSON(x, k)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = maskJSON(x, "")
		}
		return out
	case string:
		switch {
		case key == "lease_id" && t != "":
			return t[:strings.LastIndex(t, "/")+1] + "<masked>"
		case maskedKeys[key] && t != "":
			return "<masked>"
		}
	case float64:
		if maskedKeys[key] {
			return "<masked>"
		}
	}
	return v
}

// textMasks hide the random parts of table output: TFC tokens and their
// ids, lease id suffixes, Vault tokens, accessors and uuids.
var textMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9]+`), "<tfc token>"},
	{regexp.MustCompile(`\bat-[A-Za-z0-9]{16}\b`), "<token id>"},
	{regexp.MustCompile(`(creds/[\w.-]+/)[A-Za-z0-9]{24}\b`), "${1}<lease>"},
	{regexp.MustCompile(`hvs\.[\w-]+`), "<vault token>"},
	{regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`), "<uuid>"},
	{regexp.MustCompile(`\b(\w+)_[0-9a-f]{8}\b`), "${1}_<accessor>"},
}

// normalize makes one result comparable across servers.
func normalize(t *testing.T, step cliStep, r cliResult, addr string) string {
	t.Helper()
	text := strings.ReplaceAll(r.stdout+"\n--stderr--\n"+r.stderr, addr, "$VAULT_ADDR")
	for _, m := range textMasks {
		text = m.re.ReplaceAllString(text, m.with)
	}
	if step.json && r.code == 0 {
		var v any
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("%s: output is not JSON: %v\n%s", step.name, err, r.stdout)
		}
		b, _ := json.MarshalIndent(maskJSON(v, ""), "", "  ")
		text = string(b)
	}
	return fmt.Sprintf("exit %d\n%s", r.code, text)
}

// startRealVault runs `vault server -dev` on a free loopback port until
// the test ends.
func startRealVault(t *testing.T, bin string) cliServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	home := t.TempDir()
	cmd := exec.Command(bin, "server", "-dev", "-dev-listen-address="+addr, "-dev-root-token-id=root", "-dev-no-store-token")
	cmd.Env = append(os.Environ(), "HOME="+home)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	url := "http://" + addr
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url + "/v1/sys/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("vault server -dev did not come up: %v\n%s", err, logs.String())
		}
	}
	return cliServer{bin: bin, addr: url, home: home}
}

// TestVaultCLIProductDocument drives the product document's commands with
// the real vault CLI against the emulator, then against a real `vault
// server -dev` whose terraform engine and jwt auth use the same emulator's
// TFC and issuer, and requires the two transcripts to match once ids,
// tokens and times are masked.
func TestVaultCLIProductDocument(t *testing.T) {
	bin := vaultBinary(t)
	e := startEmulator(t, emulator.Config{RateLimit: -1})
	info := e.Info()
	mintJWT := func() string {
		return mintToken(t, info.TFCURL, admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "vault.workload.identity"})
	}
	steps := productDocumentScript(info.TFCURL, info.Issuer)
	emu := cliServer{bin: bin, addr: info.VaultURL, home: t.TempDir()}
	got := runScript(t, emu, steps, mintJWT)

	// What a user of the emulator sees, on its own.
	byName := map[string]cliResult{}
	for i, s := range steps {
		byName[s.name] = got[i]
	}
	for name, want := range map[string]string{
		"enable":       "Success! Enabled the terraform secrets engine at: terraform/\n",
		"config":       "Success! Data written to: terraform/config\n",
		"lease revoke": "All revocation operations queued successfully!\n",
		"rotate":       "Success! Data written to: terraform/rotate-role/testing\n",
		"disable":      "Success! Disabled the secrets engine (if it existed) at: terraform/\n",
	} {
		if r := byName[name]; r.code != 0 || r.stdout != want {
			t.Errorf("%s: exit %d, %q %q; want %q", name, r.code, r.stdout, r.stderr, want)
		}
	}
	var creds struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(byName["user creds"].stdout), &creds); err != nil || len(creds.Data) != 2 || creds.Data["token"] == nil || creds.Data["token_id"] == nil {
		t.Errorf("user creds = %v %v, want token and token_id only", creds.Data, err)
	}
	if r := byName["path-help role"]; r.code != 0 || !strings.Contains(r.stdout, "Matching Route: ^role/(?P<name>\\w(([\\w-.]+)?\\w)?)$") {
		t.Errorf("path-help role: %d %q", r.code, r.stdout)
	}
	if r := byName["login"]; r.code != 0 || !strings.Contains(r.stdout, `"client_token": "hvs.`) {
		t.Errorf("login: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// The same transcript from a real Vault.
	ref := startRealVault(t, bin)
	want := runScript(t, ref, steps, mintJWT)
	for i, step := range steps {
		g, w := normalize(t, step, got[i], emu.addr), normalize(t, step, want[i], ref.addr)
		if g != w {
			t.Errorf("vault %s: the emulator and Vault differ:\n%s", strings.Join(step.args, " "), lineDiff(g, w))
		}
	}
}

// lineDiff shows the lines of the emulator's (-) and Vault's (+) outputs
// that differ, with their line numbers.
func lineDiff(emu, ref string) string {
	a, b := strings.Split(emu, "\n"), strings.Split(ref, "\n")
	var out strings.Builder
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			fmt.Fprintf(&out, "%4d - %s\n%4d + %s\n", i+1, x, i+1, y)
		}
	}
	return out.String()
}
