package clouds

import (
	"fmt"
	"net/http"
	"time"
)

// IssuerPlaceholder in a cloud's seed or admin bodies stands for the
// emulator's own issuer URL, known only once it listens.
const IssuerPlaceholder = "{{issuer}}"

// Config configures a cloud's Service: the emulator's clock, its HTTP
// client and its issuer.
type Config struct {
	// Now is the virtual clock; nil means time.Now.
	Now func() time.Time
	// HTTPClient reaches issuers' discovery documents and JWKS.
	HTTPClient *http.Client
	// Issuer returns the emulator's own issuer URL, which IssuerPlaceholder
	// stands for in a cloud's trust configuration.
	Issuer func() string
}

// NewCloud returns cfg with its clock defaulted and a Base for cloud's
// decisions on it: what a cloud's New starts from.
func NewCloud(cloud string, cfg Config) (Config, Base) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg, NewBase(BaseConfig{Cloud: cloud, Now: cfg.Now, HTTPClient: cfg.HTTPClient, Issuer: cfg.Issuer})
}

// MustSeed returns a cloud built with its own default seed, panicking
// when that seed is refused (a bug in the cloud's package).
func MustSeed[T any](cloud string, v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("%s: default seed: %v", cloud, err))
	}
	return v
}

// BaseConfig configures a Base.
type BaseConfig struct {
	// Cloud is the Decision.Cloud of the cloud's decisions.
	Cloud string
	// Now is the virtual clock; nil means time.Now.
	Now func() time.Time
	// HTTPClient reaches issuers' discovery documents and JWKS.
	HTTPClient *http.Client
	// Issuer returns the emulator's issuer URL (IssuerPlaceholder); nil
	// leaves the placeholder as it is.
	Issuer func() string
}

// Base is what every emulated cloud keeps beside its own configuration:
// the token Verifier, the decision log and the emulator's issuer. A
// cloud's Service embeds it and so serves Decisions.
type Base struct {
	cfg BaseConfig
	// Verifier checks tokens against their issuers on the virtual clock.
	Verifier *Verifier
	log      *DecisionLog
}

// NewBase returns a Base for cfg.
func NewBase(cfg BaseConfig) Base {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return Base{cfg: cfg, Verifier: NewVerifier(VerifierConfig{HTTPClient: cfg.HTTPClient, Now: cfg.Now}), log: NewDecisionLog(0)}
}

// Decisions lists the recorded decisions, oldest first.
func (b *Base) Decisions() []Decision { return b.log.List() }

// Record stamps d with the cloud and the virtual time, adds it to the log
// and notes it in r's journal entry.
func (b *Base) Record(r *http.Request, d Decision) {
	d.Cloud, d.Time = b.cfg.Cloud, b.cfg.Now().UTC()
	b.log.Record(r, d)
}

// Forget empties the decision log and the cached keys (on reset, restore
// and a new seed).
func (b *Base) Forget() {
	b.log.Clear()
	b.Verifier.Forget()
}

// ClearDecisions empties the decision log.
func (b *Base) ClearDecisions() { b.log.Clear() }

// ResolveIssuer is issuer, or the emulator's issuer URL for
// IssuerPlaceholder.
func (b *Base) ResolveIssuer(issuer string) string {
	if issuer == IssuerPlaceholder && b.cfg.Issuer != nil {
		return b.cfg.Issuer()
	}
	return issuer
}
