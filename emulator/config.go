package emulator

import (
	"crypto/rsa"
	"log/slog"
	"time"

	"github.com/tfcemu/tfcemu/emulator/clock"
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
	// Clock is the virtual clock; nil means a new real-time clock.
	Clock *clock.Clock
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
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
	if c.Seed == nil {
		s, err := fixtures.Default()
		if err != nil {
			return c, err
		}
		c.Seed = s
	}
	return c, nil
}
