package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/identity"
	"github.com/tfcemu/tfcemu/emulator/runs/executor"
	"github.com/tfcemu/tfcemu/emulator/runs/terraformcli"
	"github.com/tfcemu/tfcemu/emulator/tfc"
	"github.com/tfcemu/tfcemu/fixtures"
)

type serveFlags struct {
	tfcListen, vaultListen, externalURL, issuer string
	vaultExternalURL                            string
	seed, stateFile, ownerToken, vaultRootToken string
	stateFsync                                  string
	tls, noKeyCache                             bool
	tlsCert, tlsKey, caOut, signingKey          string
	productionListen, cloudsListen              string
	readyFile, logLevel                         string
	planTTL, applyTTL, nbfSkew                  time.Duration
	rateLimit                                   int
	adminToken, allowedHosts                    string
	readTimeout, writeTimeout, idleTimeout      time.Duration
	runs, terraformBin, runsDir, hooksDir       string
	phaseTimeout                                time.Duration
	runCloudEndpoints                           bool
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f serveFlags
	fs := newFlagSet("serve", "serve [flags]")
	fs.SetOutput(stderr)
	fs.StringVar(&f.tfcListen, "tfc-listen", emulator.DefaultTFCListen, "TFC API and OIDC issuer listen address (port 0 picks a free port)")
	fs.StringVar(&f.vaultListen, "vault-listen", emulator.DefaultVaultListen, "Vault listen address (port 0 picks a free port)")
	fs.StringVar(&f.cloudsListen, "clouds-listen", "", "clouds listen address: AWS STS (and GCP, Azure) answering a run's tokens; default "+emulator.DefaultCloudsListen+" (port 0 when --tfc-listen's port is 0); off turns it off")
	fs.StringVar(&f.externalURL, "external-url", "", "TFC base URL clients use (default: the TFC listener's address)")
	fs.StringVar(&f.vaultExternalURL, "vault-external-url", "", "Vault base URL clients use (default: the Vault listener's address)")
	fs.StringVar(&f.issuer, "issuer", "", "OIDC issuer URL, the iss of every token (default: the external URL)")
	fs.StringVar(&f.seed, "seed", "", "seed file (YAML) to load instead of the embedded default seed")
	fs.StringVar(&f.stateFile, "state-file", "", "load state from this file at start and save it on change and shutdown")
	fs.StringVar(&f.stateFsync, "state-fsync", emulator.StateFsyncBackground, "when --state-file's log reaches the disk: background (a write is acknowledged once the kernel has it and survives kill -9; fsync follows off the request path) or always (acknowledged after its fsync; survives a power loss too)")
	fs.StringVar(&f.ownerToken, "owner-token", "", "the owner's TFC API token (default: the seed's fixed owner token)")
	fs.StringVar(&f.vaultRootToken, "vault-root-token", emulator.DefaultVaultRootToken, "Vault's root token")
	fs.BoolVar(&f.tls, "tls", false, "serve both listeners over HTTPS")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate (PEM); default: generated with a CA at start")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fs.StringVar(&f.caOut, "ca-out", "", "write the generated CA certificate (PEM) here, for SSL_CERT_FILE")
	fs.StringVar(&f.productionListen, "production-listen", "", "also answer HTTPS as app.terraform.io on this address (for a container network whose DNS names the emulator app.terraform.io; the certificate's CA goes to --ca-out)")
	fs.StringVar(&f.signingKey, "signing-key", "", "RSA private key (PEM) that signs workload identity tokens; default: generated")
	fs.BoolVar(&f.noKeyCache, "no-key-cache", false, "generate a fresh signing key at every start instead of reusing the one cached in the user's cache directory (tfcemu/signing-key.pem, 0600); --signing-key and an existing --state-file bring their own key")
	fs.StringVar(&f.readyFile, "ready-file", "", "when both listeners accept connections, write URLs and tokens here as JSON")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.DurationVar(&f.planTTL, "plan-token-ttl", identity.DefaultPlanTTL, "lifetime of plan-phase workload identity tokens")
	fs.DurationVar(&f.applyTTL, "apply-token-ttl", identity.DefaultApplyTTL, "lifetime of apply-phase workload identity tokens")
	fs.IntVar(&f.rateLimit, "rate-limit", tfc.DefaultRateLimit, "TFC API requests a second per user; 0 turns rate limiting off")
	fs.DurationVar(&f.nbfSkew, "token-nbf-skew", 0, "put nbf this long before iat on workspace-run tokens")
	fs.StringVar(&f.adminToken, "admin-token", "", "bearer token the admin API (/_emulator/*, but GET health) requires; generated when a listener is not on loopback")
	fs.StringVar(&f.allowedHosts, "allowed-hosts", "", "comma-separated Host names served besides loopback, the external URLs and the issuer (* for any)")
	fs.DurationVar(&f.readTimeout, "read-timeout", emulator.DefaultReadTimeout, "longest time to read a request, headers and body")
	fs.DurationVar(&f.writeTimeout, "write-timeout", emulator.DefaultWriteTimeout, "longest time to write a response")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", emulator.DefaultIdleTimeout, "how long an idle keep-alive connection stays open")
	fs.StringVar(&f.runs, "runs", "", "execute: remote runs run Terraform on this machine; manual: runs move only through the admin API (default: execute when a Terraform binary is found)")
	fs.StringVar(&f.terraformBin, "terraform-bin", "", "the Terraform CLI executed runs use (default: terraform >= 1.6 on PATH, else bin/tools/terraform >= 1.6)")
	fs.StringVar(&f.runsDir, "runs-dir", "", "directory of executed runs' working directories (default: a temporary directory)")
	fs.BoolVar(&f.runCloudEndpoints, "run-cloud-endpoints", false, "executed runs exchange their AWS, GCP and Azure dynamic credentials at the clouds listener (as agent exec --cloud-endpoints)")
	fs.StringVar(&f.hooksDir, "hooks-dir", "", "agent hooks (terraform-pre-plan, ...) executed runs run, as ~/.tfc-agent/hooks (default: none)")
	fs.DurationVar(&f.phaseTimeout, "phase-timeout", 0, fmt.Sprintf("longest an executed plan or apply may run (default: TFC's %s for a plan, %s for an apply)", executor.DefaultPlanTimeout, executor.DefaultApplyTimeout))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := f.config(stderr)
	if err != nil {
		return err
	}
	e, err := emulator.New(cfg)
	if err != nil {
		return err
	}
	if err := e.Start(); err != nil {
		return err
	}
	info := e.Info()
	printBanner(stdout, info, cfg.Seed)
	if cfg.Runs == emulator.RunsExecute {
		fmt.Fprintf(stdout, "  runs          execute: remote runs run %s (--runs=manual to move them through the admin API)\n", cfg.TerraformBin)
	} else {
		fmt.Fprintln(stdout, "  runs          manual: runs move through the admin API (/_emulator/runs/{id}/advance)")
	}
	if f.readyFile != "" {
		if err := writeReadyFile(f.readyFile, info); err != nil {
			_ = e.Close()
			return err
		}
	}
	releaseGC()
	go e.Warm()
	<-ctx.Done()
	fmt.Fprintln(stdout, "tfcemu: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.Shutdown(sctx)
}

func (f serveFlags) config(stderr io.Writer) (emulator.Config, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return emulator.Config{}, usageError("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	for name, d := range map[string]time.Duration{"--plan-token-ttl": f.planTTL, "--apply-token-ttl": f.applyTTL} {
		if d <= 0 {
			return emulator.Config{}, usageError("%s must be positive", name)
		}
	}
	if f.rateLimit < 0 {
		return emulator.Config{}, usageError("--rate-limit must not be negative (0 turns it off)")
	}
	if f.stateFsync != "" && f.stateFsync != emulator.StateFsyncBackground && f.stateFsync != emulator.StateFsyncAlways {
		return emulator.Config{}, usageError("--state-fsync %q: want %s or %s", f.stateFsync, emulator.StateFsyncBackground, emulator.StateFsyncAlways)
	}
	if f.nbfSkew < 0 {
		return emulator.Config{}, usageError("--token-nbf-skew must not be negative")
	}
	for name, d := range map[string]time.Duration{"--read-timeout": f.readTimeout, "--write-timeout": f.writeTimeout, "--idle-timeout": f.idleTimeout} {
		if d <= 0 {
			return emulator.Config{}, usageError("%s must be positive", name)
		}
	}
	var allowed []string
	for _, h := range strings.Split(f.allowedHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			allowed = append(allowed, h)
		}
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return emulator.Config{}, usageError("--tls-cert and --tls-key go together")
	}
	runsMode, bin, err := f.runMode()
	if err != nil {
		return emulator.Config{}, err
	}
	if f.phaseTimeout < 0 {
		return emulator.Config{}, usageError("--phase-timeout must not be negative")
	}
	seed, err := fixtures.Load(f.seed)
	if err != nil {
		return emulator.Config{}, err
	}
	cfg := emulator.Config{
		TFCListen:          f.tfcListen,
		VaultListen:        f.vaultListen,
		CloudsListen:       f.cloudsListen,
		ExternalURL:        f.externalURL,
		VaultExternalURL:   f.vaultExternalURL,
		Issuer:             f.issuer,
		Seed:               seed,
		OwnerToken:         f.ownerToken,
		VaultRootToken:     f.vaultRootToken,
		TLS:                f.tls || f.tlsCert != "",
		TLSCertFile:        f.tlsCert,
		TLSKeyFile:         f.tlsKey,
		CAOut:              f.caOut,
		ProductionListen:   f.productionListen,
		StateFile:          f.stateFile,
		StateFsync:         f.stateFsync,
		PlanTokenTTL:       f.planTTL,
		ApplyTokenTTL:      f.applyTTL,
		TokenNotBeforeSkew: f.nbfSkew,
		RateLimit:          rateLimitConfig(f.rateLimit),
		AdminToken:         f.adminToken,
		AllowedHosts:       allowed,
		ReadTimeout:        f.readTimeout,
		WriteTimeout:       f.writeTimeout,
		IdleTimeout:        f.idleTimeout,
		Runs:               runsMode,
		TerraformBin:       bin,
		RunsDir:            f.runsDir,
		HooksDir:           f.hooksDir,
		PhaseTimeout:       f.phaseTimeout,
		RunCloudEndpoints:  f.runCloudEndpoints,
		Logger:             slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if f.signingKey != "" {
		pemBytes, err := os.ReadFile(f.signingKey)
		if err != nil {
			return cfg, fmt.Errorf("--signing-key: %w", err)
		}
		if cfg.SigningKey, err = identity.ParsePrivateKeyPEM(pemBytes); err != nil {
			return cfg, fmt.Errorf("--signing-key %s: %w", f.signingKey, err)
		}
	} else if !f.noKeyCache {
		cfg.SigningKey = f.cachedKey(cfg.Logger)
	}
	return cfg, nil
}

// cachedKey is the signing key from the key cache, generated and cached
// when absent. An existing state file holds the issuer's keys and
// replaces whatever key the emulator starts with, so then the cache is
// only read (it spares a key generation) and never written. A cache that
// fails is logged and the emulator generates its key as without one.
func (f serveFlags) cachedKey(log *slog.Logger) *rsa.PrivateKey {
	generate := true
	if f.stateFile != "" {
		if _, err := os.Stat(f.stateFile); err == nil {
			generate = false
		}
	}
	key, err := cachedSigningKey(generate)
	if err != nil {
		log.Warn("signing key cache: not used", "err", err)
	}
	return key
}

// runMode resolves --runs and --terraform-bin: the Terraform CLI is found
// by terraformcli.Find's rule (with bin/tools relative to the working
// directory); with none found, runs are manual unless --runs=execute
// asked for them.
func (f serveFlags) runMode() (string, string, error) {
	switch f.runs {
	case "", emulator.RunsExecute, emulator.RunsManual:
	default:
		return "", "", usageError("--runs %q: want execute or manual", f.runs)
	}
	if f.runs == emulator.RunsManual {
		return emulator.RunsManual, "", nil
	}
	bin, err := terraformcli.Find(f.terraformBin, terraformcli.ToolsDir)
	switch {
	case errors.Is(err, terraformcli.ErrNotFound) && f.runs == emulator.RunsExecute:
		return "", "", usageError("--runs=execute: no Terraform binary (give --terraform-bin): %v", err)
	case errors.Is(err, terraformcli.ErrNotFound):
		return emulator.RunsManual, "", nil
	case err != nil:
		return "", "", usageError("--terraform-bin %s: %v", f.terraformBin, err)
	}
	return emulator.RunsExecute, bin, nil
}

// rateLimitConfig maps the flag (0 = off) onto Config (0 = default, < 0 = off).
func rateLimitConfig(flag int) int {
	if flag == 0 {
		return -1
	}
	return flag
}

func printBanner(w io.Writer, i emulator.Info, seed *fixtures.Seed) {
	var orgs []string
	for _, o := range seed.Organizations {
		orgs = append(orgs, o.Name)
	}
	fmt.Fprintf(w, `tfcemu %s ready
  TFC API       %s    (TFE_ADDRESS)
  OIDC issuer   %s    (discovery: %s/.well-known/openid-configuration)
  Vault         %s    (VAULT_ADDR)
  owner token   %s    (TFE_TOKEN)
  vault token   %s    (VAULT_TOKEN)
  organizations %s
  strictness    strict: expired, revoked, replaced and wrong-audience credentials are refused; one virtual clock (admin: %s/_emulator/clock)
`, version, i.TFCURL, i.Issuer, i.Issuer, i.VaultURL, i.OwnerToken, i.VaultToken, strings.Join(orgs, ", "), i.TFCURL)
	if i.AWSSTSURL != "" {
		fmt.Fprintf(w, "  clouds        %s    (AWS STS: AWS_ENDPOINT_URL_STS; decisions: %s/_emulator/aws/decisions)\n", i.AWSSTSURL, i.TFCURL)
	}
	if i.AdminToken != "" {
		fmt.Fprintf(w, "  admin token   %s    (TFCEMU_ADMIN_TOKEN; Authorization: Bearer on /_emulator/*)\n", i.AdminToken)
	}
}

// writeReadyFile writes info atomically, so a watcher never reads half a file.
func writeReadyFile(path string, info emulator.Info) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tfcemu-ready-*")
	if err != nil {
		return fmt.Errorf("--ready-file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
