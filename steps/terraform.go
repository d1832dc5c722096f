package steps

import (
	"context"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/runs/terraformcli"
)

// TerraformBinEnv names the Terraform CLI the features run (set by `make
// test` from scripts/terraform.sh); without it the CLI is found by
// terraformcli.Find's rule, with the repository's bin/tools.
const TerraformBinEnv = terraformcli.Env

// terraformRun is one run of the Terraform CLI in a scenario.
type terraformRun struct {
	args   string
	out    string
	exitOK bool
	code   int
}

// terraformWorld is a Terraform CLI scenario: its own emulator over TLS
// (Terraform only speaks https to a cloud hostname), a working directory,
// a CLI config with the credentials, and the last run.
type terraformWorld struct {
	bin      string
	emu      *emulator.Emulator
	url      string
	host     string // 127.0.0.1:PORT, the cloud block's hostname
	token    string
	dir      string // scenario root: ca.pem, cli.tfrc, home/, work/
	workDir  string
	client   *tfe.Client
	last     *terraformRun
	pulled   []byte
	lockedBy string
	queued   []string // runs queued through the API, in order
}

type terraformKey struct{}

func tfWorld(ctx context.Context) (*terraformWorld, error) {
	w, ok := ctx.Value(terraformKey{}).(*terraformWorld)
	if !ok {
		return nil, errors.New(`no Terraform CLI in this scenario: start with "Given the Terraform CLI against the emulator over TLS"`)
	}
	return w, nil
}

// findTerraform returns a Terraform CLI of at least
// terraformcli.MinVersion (a named one is checked too), or why there is
// none. The tests run in steps/: the repository's bin/tools is ../bin/tools.
func findTerraform() (string, error) {
	bin, err := terraformcli.Find(os.Getenv(TerraformBinEnv), filepath.Join("..", terraformcli.ToolsDir))
	if err != nil {
		return "", fmt.Errorf("%v: set %s or put Terraform >= %s on PATH (make test installs one with scripts/terraform.sh)", err, TerraformBinEnv, terraformcli.MinVersion)
	}
	if os.Getenv(TerraformBinEnv) != "" {
		if err := terraformcli.Check(bin); err != nil {
			return "", fmt.Errorf("%v; the cloud block features need it", err)
		}
	}
	return bin, nil
}

// startTerraformWorld starts a TLS emulator for the scenario and writes
// the CA and a CLI config with a credentials block for its host:port
// (TF_TOKEN_ variables cannot name a port).
func startTerraformWorld(ctx context.Context) (context.Context, error) {
	return startTerraformWorldWith(ctx, false)
}

// startTerraformWorldWith starts the scenario's emulator; with execute,
// in --runs=execute with the scenario's Terraform, so remote runs run.
func startTerraformWorldWith(ctx context.Context, execute bool) (context.Context, error) {
	sc := world(ctx)
	if sc.target.Name != "inprocess" {
		return ctx, sc.skip("the Terraform CLI features start their own emulator over TLS in-process; target %s is not in-process", sc.target.Name)
	}
	bin, err := findTerraform()
	if err != nil {
		return ctx, sc.skip("%v", err)
	}
	dir, err := os.MkdirTemp("", "tfcemu-terraform-*")
	if err != nil {
		return ctx, err
	}
	w := &terraformWorld{bin: bin, dir: dir, workDir: filepath.Join(dir, "work")}
	ctx = context.WithValue(ctx, terraformKey{}, w)
	for _, d := range []string{w.workDir, filepath.Join(dir, "home")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return ctx, err
		}
	}
	caFile := filepath.Join(dir, "ca.pem")
	cfg := emulator.Config{TFCListen: "127.0.0.1:0", VaultListen: "127.0.0.1:0", TLS: true, CAOut: caFile, Runs: emulator.RunsManual}
	if execute {
		cfg.Runs, cfg.TerraformBin, cfg.RunsDir = emulator.RunsExecute, bin, filepath.Join(dir, "runs")
	}
	w.emu, err = emulator.New(cfg)
	if err != nil {
		return ctx, err
	}
	if err := w.emu.Start(); err != nil {
		return ctx, err
	}
	info := w.emu.Info()
	u, err := url.Parse(info.TFCURL)
	if err != nil {
		return ctx, err
	}
	w.url, w.host, w.token = info.TFCURL, u.Host, info.OwnerToken
	cli := fmt.Sprintf("credentials %q {\n  token = %q\n}\n", w.host, w.token)
	if err := os.WriteFile(filepath.Join(dir, "cli.tfrc"), []byte(cli), 0o600); err != nil {
		return ctx, err
	}
	w.client, err = tfe.NewClient(&tfe.Config{Address: w.url, Token: w.token, HTTPClient: w.clientHTTP(), RetryServerErrors: true})
	return ctx, err
}

// close stops the world's emulator and removes its directory; a second
// call does nothing more.
func (w *terraformWorld) close() {
	if w.emu != nil {
		_ = w.emu.Close()
		w.emu = nil
	}
	_ = os.RemoveAll(w.dir)
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// terraform runs the CLI in the working directory with the scenario's CLI
// config and CA, and nothing from the developer's environment but PATH.
func (w *terraformWorld) terraform(ctx context.Context, args string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	argv := strings.Fields(strings.ReplaceAll(args, "{pulled}", filepath.Join(w.dir, "pulled.tfstate")))
	if len(argv) == 0 || argv[0] != "terraform" {
		return fmt.Errorf("not a terraform command: %q", args)
	}
	cmd := exec.CommandContext(ctx, w.bin, argv[1:]...)
	cmd.Dir = w.workDir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(w.dir, "home"),
		"TF_CLI_CONFIG_FILE=" + filepath.Join(w.dir, "cli.tfrc"),
		"SSL_CERT_FILE=" + filepath.Join(w.dir, "ca.pem"),
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
	}
	out, err := cmd.CombinedOutput()
	run := &terraformRun{args: args, out: ansi.ReplaceAllString(string(out), ""), exitOK: err == nil}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		run.code = exit.ExitCode()
	default:
		return fmt.Errorf("%s: %w", args, err)
	}
	w.last = run
	return nil
}

func (w *terraformWorld) expand(s string) string {
	s = strings.ReplaceAll(s, "{dir}", w.dir)
	return strings.ReplaceAll(s, "{hostname}", w.host)
}

// tfWorkspace is the scenario's Terraform world and its workspace name.
func tfWorkspace(ctx context.Context, name string) (*terraformWorld, *tfe.Workspace, error) {
	w, err := tfWorld(ctx)
	if err != nil {
		return nil, nil, err
	}
	ws, err := w.workspace(ctx, name)
	return w, ws, err
}

// workspace reads a workspace of my-org by name.
func (w *terraformWorld) workspace(ctx context.Context, name string) (*tfe.Workspace, error) {
	return w.client.Workspaces.Read(ctx, "my-org", name)
}

// pushState stores a state with the given outputs in a workspace through
// the API, as a state push would: lock, create, unlock.
func (w *terraformWorld) pushState(ctx context.Context, name string, outputs map[string]string) error {
	ws, err := w.workspace(ctx, name)
	if err != nil {
		return err
	}
	outs := map[string]any{}
	for k, v := range outputs {
		outs[k] = map[string]any{"value": v, "type": "string"}
	}
	state, _ := json.Marshal(map[string]any{"version": 4, "terraform_version": "1.6.6", "serial": 1,
		"lineage": "tfcemu-feature-" + name, "outputs": outs, "resources": []any{}})
	if _, err := w.client.Workspaces.Lock(ctx, ws.ID, tfe.WorkspaceLockOptions{}); err != nil {
		return err
	}
	_, err = w.client.StateVersions.Create(ctx, ws.ID, tfe.StateVersionCreateOptions{
		Lineage: tfe.String("tfcemu-feature-" + name), Serial: tfe.Int64(1), MD5: tfe.String(fmt.Sprintf("%x", md5.Sum(state))),
		State: tfe.String(base64.StdEncoding.EncodeToString(state))})
	if _, uerr := w.client.Workspaces.Unlock(ctx, ws.ID); err == nil {
		err = uerr
	}
	return err
}

func registerTerraformSteps(ctx *godog.ScenarioContext) {
	// The hook only cleans up: godog carries the step's error on by
	// itself, and returning it here would report it again as a hook failure.
	ctx.After(func(c context.Context, _ *godog.Scenario, _ error) (context.Context, error) {
		if w, ok := c.Value(terraformKey{}).(*terraformWorld); ok {
			w.close()
		}
		return c, nil
	})
	ctx.Step(`^the Terraform CLI against the emulator over TLS$`, startTerraformWorld)
	registerRemoteRunSteps(ctx)
	registerRunLogSteps(ctx)
	ctx.Step(`^a workspace "([^"]*)" in local execution$`, func(ctx context.Context, name string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		_, err = w.client.Workspaces.Create(ctx, "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String(name), ExecutionMode: tfe.String("local")})
		return err
	})
	ctx.Step(`^the workspace "([^"]*)" has a state with the output "([^"]*)" = "([^"]*)"$`, func(ctx context.Context, name, key, value string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		return w.pushState(ctx, name, map[string]string{key: value})
	})
	ctx.Step(`^the workspace "([^"]*)" lists "([^"]*)" as a remote state consumer$`, func(ctx context.Context, name, consumer string) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		cw, err := w.workspace(ctx, consumer)
		if err != nil {
			return err
		}
		return w.client.Workspaces.AddRemoteStateConsumers(ctx, ws.ID, tfe.WorkspaceAddRemoteStateConsumersOptions{Workspaces: []*tfe.Workspace{cw}})
	})
	ctx.Step(`^the workspace "([^"]*)" shares its state with the whole organization$`, func(ctx context.Context, name string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		_, err = w.client.Workspaces.Update(ctx, "my-org", name, tfe.WorkspaceUpdateOptions{GlobalRemoteState: tfe.Bool(true)})
		return err
	})
	ctx.Step(`^the workspace "([^"]*)" is locked by another user$`, func(ctx context.Context, name string) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		tok, err := w.client.OrganizationTokens.Create(ctx, "my-org")
		if err != nil {
			return err
		}
		other, err := tfe.NewClient(&tfe.Config{Address: w.url, Token: tok.Token, HTTPClient: w.clientHTTP()})
		if err != nil {
			return err
		}
		_, err = other.Workspaces.Lock(ctx, ws.ID, tfe.WorkspaceLockOptions{Reason: tfe.String("maintenance")})
		return err
	})
	ctx.Step(`^this Terraform configuration:$`, func(ctx context.Context, doc *godog.DocString) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(w.workDir, "main.tf"), []byte(w.expand(doc.Content)), 0o644)
	})
	ctx.Step(`^I run "(terraform[^"]*)"$`, func(ctx context.Context, args string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		return w.terraform(ctx, args)
	})
	ctx.Step(`^I run "(terraform[^"]*)" and it succeeds$`, func(ctx context.Context, args string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		if err := w.terraform(ctx, args); err != nil {
			return err
		}
		return w.lastSucceeded()
	})
	ctx.Step(`^it succeeds$`, func(ctx context.Context) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		return w.lastSucceeded()
	})
	ctx.Step(`^it fails$`, func(ctx context.Context) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		if w.last == nil || w.last.exitOK {
			return fmt.Errorf("%q succeeded, want a failure:\n%s", w.last.args, w.last.out)
		}
		return nil
	})
	ctx.Step(`^its output contains "(.*)"$`, func(ctx context.Context, want string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		want = strings.ReplaceAll(want, `\"`, `"`)
		if w.last == nil || !strings.Contains(w.last.out, want) {
			return fmt.Errorf("output of %q lacks %q:\n%s", w.last.args, want, w.last.out)
		}
		return nil
	})
	ctx.Step(`^its output is "([^"]*)"$`, func(ctx context.Context, want string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		if w.last == nil || strings.TrimSpace(w.last.out) != want {
			return fmt.Errorf("output of %q is %q, want %q", w.last.args, w.last.out, want)
		}
		return nil
	})
	ctx.Step(`^I keep its output as the pulled state with serial (\d+)$`, func(ctx context.Context, serial int) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		var st map[string]any
		if err := json.Unmarshal([]byte(w.last.out), &st); err != nil {
			return fmt.Errorf("state pull printed no state: %v\n%s", err, w.last.out)
		}
		st["serial"] = serial
		b, _ := json.MarshalIndent(st, "", "  ")
		w.pulled = b
		return os.WriteFile(filepath.Join(w.dir, "pulled.tfstate"), b, 0o644)
	})
	ctx.Step(`^the workspace "([^"]*)" has a current state version with serial (\d+) managing (\d+) resources?$`, func(ctx context.Context, name string, serial, count int) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		sv, err := w.client.StateVersions.ReadCurrent(ctx, ws.ID)
		if err != nil {
			return fmt.Errorf("current state version of %s: %w", name, err)
		}
		if sv.Serial != int64(serial) || ws.ResourceCount != count || sv.Status != tfe.StateVersionFinalized {
			return fmt.Errorf("current state version serial %d status %s, workspace resource-count %d; want serial %d and %d resources",
				sv.Serial, sv.Status, ws.ResourceCount, serial, count)
		}
		if ws.Locked {
			return fmt.Errorf("workspace %s is still locked", name)
		}
		return nil
	})
	ctx.Step(`^the workspace "([^"]*)" has no state$`, func(ctx context.Context, name string) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		if sv, err := w.client.StateVersions.ReadCurrent(ctx, ws.ID); !errors.Is(err, tfe.ErrResourceNotFound) {
			return fmt.Errorf("current state version = %v, %v; want none", sv, err)
		}
		return nil
	})
	ctx.Step(`^the exit code is (\d+)$`, func(ctx context.Context, code string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		if want, _ := strconv.Atoi(code); w.last == nil || w.last.code != want {
			return fmt.Errorf("%q exited %d, want %s:\n%s", w.last.args, w.last.code, code, w.last.out)
		}
		return nil
	})
}

func (w *terraformWorld) clientHTTP() *http.Client {
	ca, _ := os.ReadFile(filepath.Join(w.dir, "ca.pem"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

func (w *terraformWorld) lastSucceeded() error {
	if w.last == nil {
		return errors.New("no terraform command ran")
	}
	if !w.last.exitOK {
		return fmt.Errorf("%q failed (exit %d):\n%s", w.last.args, w.last.code, w.last.out)
	}
	return nil
}
