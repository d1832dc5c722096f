package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/internal/guard"
	"github.com/tfcemu/tfcemu/emulator/tfc"
	"github.com/tfcemu/tfcemu/fixtures"
)

// Default listener addresses and tokens.
const (
	DefaultTFCListen      = "127.0.0.1:8080"
	DefaultVaultListen    = "127.0.0.1:8200"
	DefaultVaultRootToken = "root"
)

// Config configures an Emulator. The zero value is usable: default seed,
// generated signing key, real-time clock, listeners on the default ports.
type Config struct {
	// TFCListen and VaultListen are the listener addresses; port 0 picks a
	// free port.
	TFCListen, VaultListen string
	// CloudsListen is the clouds listener (AWS STS; GCP and Azure share
	// it): "" means DefaultCloudsListen, or port 0 when TFCListen's port is
	// 0; CloudsOff turns it off.
	CloudsListen string
	// ExternalURL is the TFC base URL clients use; empty means the TFC
	// listener's own address once it listens.
	ExternalURL string
	// VaultExternalURL is the Vault base URL clients use; empty means the
	// Vault listener's own address. In a container it is the host's view.
	VaultExternalURL string
	// Issuer is the OIDC issuer URL (iss); empty means ExternalURL.
	Issuer string
	// Seed is the initial state; nil means the embedded default seed.
	Seed *fixtures.Seed
	// OwnerToken replaces the secret of the seed's owner token.
	OwnerToken string
	// VaultRootToken is Vault's root token; empty means "root".
	VaultRootToken string
	// SigningKey signs workload identity tokens; nil generates one.
	SigningKey *rsa.PrivateKey
	// PlanTokenTTL and ApplyTokenTTL are workspace-run token lifetimes;
	// TokenNotBeforeSkew puts nbf before iat.
	PlanTokenTTL, ApplyTokenTTL, TokenNotBeforeSkew time.Duration
	// TLS serves both listeners over HTTPS. With TLSCertFile and TLSKeyFile
	// unset, a CA and a server certificate are generated at start; CAOut, if
	// set, receives the CA certificate (PEM).
	TLS                     bool
	TLSCertFile, TLSKeyFile string
	CAOut                   string
	// ProductionListen, if set, is one more listener that answers HTTPS as
	// app.terraform.io (TFC's production address) with a certificate from
	// the generated CA (CAOut): on a container network whose DNS names the
	// emulator app.terraform.io, a real Vault configured as the product
	// document configures it (a token, no address) reaches the emulator.
	ProductionListen string
	// RateLimit is TFC's per-user limit in requests a second: 0 means TFC's
	// 30, a negative value turns rate limiting off (for load tests).
	RateLimit int
	// StateFile, if set, is loaded at start and saved on change and on close.
	StateFile string
	// StateFsync is when the state file's write-ahead log reaches the
	// disk: StateFsyncBackground (the default, "") acknowledges a write
	// once its log record is written to the file, and fsyncs in the
	// background; StateFsyncAlways acknowledges it after the fsync.
	StateFsync string
	// Clock is the virtual clock; nil means a new real-time clock.
	Clock *clock.Clock
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// AdminToken, when set, is the bearer token every admin route but
	// GET /_emulator/health requires. When empty and a listener binds a
	// non-loopback address, New generates one (Info().AdminToken).
	AdminToken string
	// AllowedHosts are more Host names both listeners answer besides
	// loopback, the external URLs and the issuer; "*" admits any.
	AllowedHosts []string
	// ReadTimeout, WriteTimeout and IdleTimeout bound a request's reading
	// (headers and body), its response, and an idle keep-alive connection;
	// zero means DefaultReadTimeout, DefaultWriteTimeout, DefaultIdleTimeout.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// Runs is RunsExecute (runs with a configuration version run Terraform
	// on this machine) or RunsManual (runs move only through the admin
	// API). Empty means execute when TerraformBin is set, else manual.
	Runs string
	// TerraformBin is the Terraform CLI executed runs use.
	TerraformBin string
	// RunsDir holds executed runs' directories (default: a temporary
	// directory); HooksDir the agent hooks they run (default: none).
	RunsDir, HooksDir string
	// PhaseTimeout bounds an executed plan or apply (default: TFC's 2
	// hours for a plan, 24 for an apply).
	PhaseTimeout time.Duration
	// RunCloudEndpoints points executed runs' AWS, GCP and Azure dynamic
	// credentials at the clouds listener (emulated STS, IAM credentials and
	// Entra ID) instead of the real clouds (package cloudendpoints).
	RunCloudEndpoints bool
}

// Run modes.
const (
	RunsExecute = "execute"
	RunsManual  = "manual"
)

// State file fsync policies (Config.StateFsync). A kill -9 loses no
// write the kernel took, so "background" keeps every acknowledged write
// through a crash of the process; "always" keeps it through a crash of
// the machine (power loss) too, at the cost of an fsync per write.
const (
	StateFsyncBackground = "background"
	StateFsyncAlways     = "always"
)

// Default server timeouts.
const (
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 120 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
)

// loopbackListen reports whether a listen address binds loopback only.
func loopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return host != "" && guard.IsLoopback(host)
}

// newAdminToken is a random admin token (crypto/rand, 256 bits).
func newAdminToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "tfcemu-admin-" + hex.EncodeToString(b), nil
}

func (c Config) withDefaults() (Config, error) {
	if c.TFCListen == "" {
		c.TFCListen = DefaultTFCListen
	}
	if c.VaultListen == "" {
		c.VaultListen = DefaultVaultListen
	}
	if c.VaultRootToken == "" {
		c.VaultRootToken = DefaultVaultRootToken
	}
	if c.RateLimit == 0 {
		c.RateLimit = tfc.DefaultRateLimit
	}
	if c.Clock == nil {
		c.Clock = clock.New()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if cl := c.cloudsListen(); c.AdminToken == "" && (!loopbackListen(c.TFCListen) || !loopbackListen(c.VaultListen) || (cl != "" && !loopbackListen(cl))) {
		tok, err := newAdminToken()
		if err != nil {
			return c, err
		}
		c.AdminToken = tok
	}
	switch c.StateFsync {
	case "":
		c.StateFsync = StateFsyncBackground
	case StateFsyncBackground, StateFsyncAlways:
	default:
		return c, fmt.Errorf("state fsync %q: want %q or %q", c.StateFsync, StateFsyncAlways, StateFsyncBackground)
	}
	switch c.Runs {
	case "":
		c.Runs = RunsManual
		if c.TerraformBin != "" {
			c.Runs = RunsExecute
		}
	case RunsManual:
	case RunsExecute:
		if c.TerraformBin == "" {
			return c, fmt.Errorf("runs %q needs a Terraform binary (--terraform-bin)", c.Runs)
		}
	default:
		return c, fmt.Errorf("runs %q: want %q or %q", c.Runs, RunsExecute, RunsManual)
	}
	if c.Seed == nil {
		s, err := fixtures.Default()
		if err != nil {
			return c, err
		}
		c.Seed = s
	}
	return c, nil
}
