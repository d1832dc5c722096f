package identity

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tfcemu/tfcemu/emulator/clock"
)

// Well-known paths the issuer serves, relative to the issuer URL.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	JWKSPath      = "/.well-known/jwks"
)

// Default token lifetimes. A workspace-run token lives as long as its phase
// may run: TFC's default plan and apply timeouts are 2h and 24h. A module
// test token lives for the organization's module-test-token-ttl, 600 s by
// default, with nbf 30 s before iat.
const (
	DefaultPlanTTL          = 2 * time.Hour
	DefaultApplyTTL         = 24 * time.Hour
	DefaultModuleTestTTL    = 600 * time.Second
	ModuleTestNotBeforeSkew = 30 * time.Second
)

// Validation errors from minting; the admin API turns them into 400s.
var (
	ErrInvalidPhase  = errors.New(`phase must be "plan" or "apply"`)
	ErrEmptyAudience = errors.New("audience must not be empty")
	ErrInvalidTTL    = errors.New("ttl must be positive")
)

// Config configures an Issuer.
type Config struct {
	// URL is the issuer (iss), scheme included; a trailing slash is dropped.
	URL string
	// Clock is the virtual clock; iat/nbf/exp are read from it.
	Clock *clock.Clock
	// Key signs tokens; nil generates one.
	Key *rsa.PrivateKey
	// PlanTTL and ApplyTTL are workspace-run token lifetimes per phase.
	PlanTTL, ApplyTTL time.Duration
	// NotBeforeSkew puts nbf this long before iat on workspace-run tokens
	// (the docs say nbf equals iat, so the default is 0).
	NotBeforeSkew time.Duration
}

// Issuer mints and publishes the keys of workload identity tokens.
type Issuer struct {
	url      atomic.Pointer[string]
	clock    *clock.Clock
	ring     keyRing
	planTTL  time.Duration
	applyTTL time.Duration
	nbfSkew  time.Duration
}

// New returns an Issuer for cfg.
func New(cfg Config) (*Issuer, error) {
	if cfg.URL == "" {
		return nil, errors.New("identity: issuer URL is required")
	}
	if cfg.Clock == nil {
		return nil, errors.New("identity: clock is required")
	}
	key := cfg.Key
	if key == nil {
		var err error
		if key, err = GenerateKey(); err != nil {
			return nil, fmt.Errorf("identity: generate key: %w", err)
		}
	}
	sk, err := newSigningKey(key)
	if err != nil {
		return nil, err
	}
	i := &Issuer{
		clock:    cfg.Clock,
		planTTL:  orDefault(cfg.PlanTTL, DefaultPlanTTL),
		applyTTL: orDefault(cfg.ApplyTTL, DefaultApplyTTL),
		nbfSkew:  cfg.NotBeforeSkew,
	}
	i.ring.add(sk)
	i.SetURL(cfg.URL)
	return i, nil
}

// SetURL changes the issuer URL, for an emulator whose address is known only
// once it listens (port 0). A trailing slash is dropped.
func (i *Issuer) SetURL(u string) {
	u = strings.TrimRight(u, "/")
	i.url.Store(&u)
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// URL is the issuer URL, without a trailing slash.
func (i *Issuer) URL() string { return *i.url.Load() }

// KeyIDs lists the kids in the JWKS, oldest first; the last one signs.
func (i *Issuer) KeyIDs() []string { return i.ring.kids() }

// JWKS returns the JSON Web Key Set document.
func (i *Issuer) JWKS() ([]byte, error) { return i.ring.jwks() }

// RotateKey generates a new signing key. Older keys stay published.
func (i *Issuer) RotateKey() (string, error) {
	key, err := GenerateKey()
	if err != nil {
		return "", err
	}
	sk, err := newSigningKey(key)
	if err != nil {
		return "", err
	}
	i.ring.add(sk)
	return sk.kid, nil
}

// ResetKeys drops every rotated key and signs with the starting key again.
func (i *Issuer) ResetKeys() { i.ring.reset() }

// Token is a minted token with its decoded claims.
type Token struct {
	JWT       string
	KeyID     string
	Claims    any
	ExpiresAt time.Time
}

// Named is an object TFC names in claims by ID and name.
type Named struct{ ID, Name string }

// WorkspaceRun describes the run phase a token is minted for.
type WorkspaceRun struct {
	Organization, Project, Workspace Named
	RunID                            string
	Phase                            string
	Audience                         string
}

// MintWorkspaceRun signs a token for one phase of a workspace run.
func (i *Issuer) MintWorkspaceRun(r WorkspaceRun) (Token, error) {
	ttl, err := i.phaseTTL(r.Phase)
	if err != nil {
		return Token{}, err
	}
	if r.Audience == "" {
		return Token{}, ErrEmptyAudience
	}
	now := i.clock.Now()
	exp := now.Add(ttl)
	c := WorkspaceRunClaims{
		RegisteredClaims:          i.registered(r.Audience, WorkspaceRunSubject(r.Organization.Name, r.Project.Name, r.Workspace.Name, r.Phase), now, i.nbfSkew, exp),
		TerraformOrganizationID:   r.Organization.ID,
		TerraformOrganizationName: r.Organization.Name,
		TerraformProjectID:        r.Project.ID,
		TerraformProjectName:      r.Project.Name,
		TerraformWorkspaceID:      r.Workspace.ID,
		TerraformWorkspaceName:    r.Workspace.Name,
		TerraformFullWorkspace:    FullWorkspace(r.Organization.Name, r.Project.Name, r.Workspace.Name),
		TerraformRunID:            r.RunID,
		TerraformRunPhase:         r.Phase,
	}
	return i.sign(c, exp)
}

func (i *Issuer) phaseTTL(phase string) (time.Duration, error) {
	switch phase {
	case PhasePlan:
		return i.planTTL, nil
	case PhaseApply:
		return i.applyTTL, nil
	}
	return 0, ErrInvalidPhase
}

// ModuleTestRun describes a registry module test run a token is minted for.
type ModuleTestRun struct {
	Organization Named
	Module       string
	RunID        string
	Audience     string
	// TTL is the organization's module-test-token-ttl.
	TTL time.Duration
}

// MintModuleTest signs a token for a registry module test run.
func (i *Issuer) MintModuleTest(r ModuleTestRun) (Token, error) {
	if r.Audience == "" {
		return Token{}, ErrEmptyAudience
	}
	if r.TTL <= 0 {
		return Token{}, ErrInvalidTTL
	}
	now := i.clock.Now()
	exp := now.Add(r.TTL)
	c := ModuleTestClaims{
		RegisteredClaims:          i.registered(r.Audience, ModuleTestSubject(r.Organization.Name, r.Module), now, ModuleTestNotBeforeSkew, exp),
		TerraformRunPhase:         PhasePlan,
		TerraformOrganizationID:   r.Organization.ID,
		TerraformOrganizationName: r.Organization.Name,
		TerraformRunID:            r.RunID,
	}
	return i.sign(c, exp)
}

// registered fills the standard claims: a fresh UUID jti, this issuer, and
// nbf skew before iat.
func (i *Issuer) registered(aud, sub string, iat time.Time, skew time.Duration, exp time.Time) RegisteredClaims {
	return RegisteredClaims{
		JTI:       uuid.NewString(),
		Issuer:    i.URL(),
		Audience:  aud,
		IssuedAt:  iat.Unix(),
		NotBefore: iat.Add(-skew).Unix(),
		Expiry:    exp.Unix(),
		Subject:   sub,
	}
}

// sign serializes claims in their struct order and signs them RS256 with the
// active key, with typ and kid in the protected header.
func (i *Issuer) sign(claims any, exp time.Time) (Token, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return Token{}, err
	}
	k := i.ring.active()
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, "JWT"); err != nil {
		return Token{}, err
	}
	if err := hdr.Set(jws.KeyIDKey, k.kid); err != nil {
		return Token{}, err
	}
	signed, err := jws.Sign(payload, jws.WithKey(jwa.RS256, k.priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return Token{}, fmt.Errorf("identity: sign: %w", err)
	}
	return Token{JWT: string(signed), KeyID: k.kid, Claims: claims, ExpiresAt: exp}, nil
}
