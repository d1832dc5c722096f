package clouds

import (
	"net/http"
	"time"
)

// IssuerPlaceholder in a cloud's seed or admin bodies stands for the
// emulator's own issuer URL, known only once it listens.
const IssuerPlaceholder = "{{issuer}}"

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
