package azure

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// Cloud is the Decision.Cloud of this package's decisions.
const Cloud = "azure"

// DefaultAudience is the audience Entra recommends for federated credentials.
const DefaultAudience = "api://AzureADTokenExchange"

// IssuerPlaceholder in a credential's issuer stands for the emulator's own
// issuer URL (Config.Issuer), known only once it listens.
const IssuerPlaceholder = clouds.IssuerPlaceholder

// Config configures a Service.
type Config = clouds.Config

// FederatedIdentityCredential is an application's trust in an external
// issuer, in the shape of azuread_application_federated_identity_credential.
type FederatedIdentityCredential struct {
	Issuer    string   `json:"issuer" yaml:"issuer"`
	Subject   string   `json:"subject" yaml:"subject"`
	Audiences []string `json:"audiences" yaml:"audiences"`
}

// Application is an app registration, by client id, with its federated
// identity credentials by name.
type Application struct {
	FederatedIdentityCredentials map[string]FederatedIdentityCredential `json:"federated_identity_credentials" yaml:"federated_identity_credentials"`
}

// Tenant is a directory's applications by client id.
type Tenant struct {
	Applications map[string]Application `json:"applications" yaml:"applications"`
}

// Seed is the configuration a Service starts from and returns to on Reset,
// tenants by id; it is also the snapshot's shape.
type Seed struct {
	Tenants map[string]Tenant `json:"tenants,omitempty" yaml:"tenants,omitempty"`
}

// The product documents' example ids (registry module test configuration API).
const (
	DefaultTenant   = "00000000-0000-0000-0000-000000000000"
	DefaultClientID = "11111111-1111-1111-1111-111111111111"
)

// DefaultSeed lets the emulator's issuer sign in as the documents' client for
// my-org's my-workspace plan and apply runs, with TFC's default audience.
func DefaultSeed() Seed {
	fic := func(phase string) FederatedIdentityCredential {
		return FederatedIdentityCredential{
			Issuer:    IssuerPlaceholder,
			Subject:   "organization:my-org:project:Default Project:workspace:my-workspace:run_phase:" + phase,
			Audiences: []string{DefaultAudience},
		}
	}
	return Seed{Tenants: map[string]Tenant{DefaultTenant: {Applications: map[string]Application{DefaultClientID: {
		FederatedIdentityCredentials: map[string]FederatedIdentityCredential{
			"my-workspace-plan":  fic("plan"),
			"my-workspace-apply": fic("apply"),
		},
	}}}}}
}

// Limits Entra documents for federated identity credentials.
const (
	maxCredentials = 20
	maxIssuer      = 600
	maxSubject     = 600
)

// domain is a tenant given by its domain name (compiled when a tenant is
// not a GUID).
var domain = lazyre.New(`^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+$`)

// isGUID reports whether s is a GUID: 8-4-4-4-12 hexadecimal digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isCredentialName reports whether name is 3-120 letters, digits, '-' and
// '_', starting with a letter or digit.
func isCredentialName(name string) bool {
	return len(name) >= 3 && len(name) <= 120 && clouds.MadeOf(name, clouds.Lower+clouds.Upper+clouds.Digits+"_-") && name[0] != '_' && name[0] != '-'
}

func validTenant(t string) bool { return isGUID(t) || domain.MatchString(t) }

// validateCredential checks one credential against Entra's rules.
func validateCredential(tenant, client, name string, f FederatedIdentityCredential) []string {
	var problems []string
	if !validTenant(tenant) {
		problems = append(problems, fmt.Sprintf("tenant %q is neither a GUID nor a domain", tenant))
	}
	if !isGUID(client) {
		problems = append(problems, fmt.Sprintf("client id %q is not a GUID", client))
	}
	if !isCredentialName(name) {
		problems = append(problems, fmt.Sprintf("name %q must be 3-120 characters of letters, digits, '-' and '_', starting with a letter or digit", name))
	}
	if f.Issuer == "" || len(f.Issuer) > maxIssuer {
		problems = append(problems, fmt.Sprintf("issuer is required, up to %d characters", maxIssuer))
	}
	if f.Subject == "" || len(f.Subject) > maxSubject {
		problems = append(problems, fmt.Sprintf("subject is required, up to %d characters", maxSubject))
	}
	if len(f.Audiences) != 1 || f.Audiences[0] == "" || len(f.Audiences[0]) > 600 {
		problems = append(problems, "audiences must hold exactly one audience (up to 600 characters)")
	}
	return problems
}

type state map[string]map[string]map[string]FederatedIdentityCredential // tenant → client → name

// checkApp enforces per-application rules: at most 20 credentials and no
// two with the same issuer and subject. resolve maps an issuer to the URL
// it stands for (IssuerPlaceholder to the emulator's issuer), so a
// placeholder and the URL it names are the same issuer.
func checkApp(tenant, client string, fics map[string]FederatedIdentityCredential, resolve func(string) string) []string {
	var problems []string
	if len(fics) > maxCredentials {
		problems = append(problems, fmt.Sprintf("application %s of tenant %s has %d federated identity credentials, over the %d allowed", client, tenant, len(fics), maxCredentials))
	}
	seen := map[[2]string]string{}
	for _, name := range slices.Sorted(maps.Keys(fics)) {
		k := [2]string{resolve(fics[name].Issuer), fics[name].Subject}
		if other, dup := seen[k]; dup {
			problems = append(problems, fmt.Sprintf("federated identity credentials %q and %q of application %s have the same issuer and subject", other, name, client))
		}
		seen[k] = name
	}
	return problems
}

func build(seed Seed) (state, error) {
	st := state{}
	var problems []string
	for tenant, t := range seed.Tenants {
		st[tenant] = map[string]map[string]FederatedIdentityCredential{}
		if !validTenant(tenant) {
			problems = append(problems, fmt.Sprintf("tenant %q is neither a GUID nor a domain", tenant))
		}
		for client, app := range t.Applications {
			if !isGUID(client) {
				problems = append(problems, fmt.Sprintf("tenants[%q].applications[%q]: client id is not a GUID", tenant, client))
			}
			fics := map[string]FederatedIdentityCredential{}
			for name, f := range app.FederatedIdentityCredentials {
				f.Audiences = defaultAudiences(f.Audiences)
				for _, p := range validateCredential(tenant, client, name, f) {
					problems = append(problems, fmt.Sprintf("tenants[%q].applications[%q].federated_identity_credentials[%q]: %s", tenant, client, name, p))
				}
				fics[name] = f
			}
			problems = append(problems, checkApp(tenant, client, fics, func(iss string) string { return iss })...)
			st[tenant][client] = fics
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return st, nil
}

func defaultAudiences(a []string) []string {
	if len(a) == 0 {
		return []string{DefaultAudience}
	}
	return slices.Clone(a)
}

// Service is the emulated Entra ID token service with its admin API.
type Service struct {
	cfg         Config
	clouds.Base // the decision log, token verifier and issuer; serves Decisions

	mu   clouds.CountedMutex
	seed Seed
	st   state
}

// New returns a Service holding DefaultSeed.
func New(cfg Config) *Service {
	s, err := NewSeeded(cfg, DefaultSeed())
	return clouds.MustSeed(Cloud, s, err)
}

// NewSeeded returns a Service holding seed, or SetSeed's error.
func NewSeeded(cfg Config, seed Seed) (*Service, error) {
	s := &Service{}
	s.cfg, s.Base = clouds.NewCloud(Cloud, cfg)
	if err := s.SetSeed(seed); err != nil {
		return nil, err
	}
	return s, nil
}

// SetSeed validates seed, makes it the state Reset returns to, and resets
// to it. A refused seed changes nothing.
func (s *Service) SetSeed(seed Seed) error {
	st, err := build(seed)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed, s.st = seed, st
	s.Base.Forget()
	return nil
}

// Reset returns to the seed and forgets decisions.
func (s *Service) Reset() {
	st, _ := build(s.seedCopy()) // validated by SetSeed
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	s.Base.Forget()
}

func (s *Service) seedCopy() Seed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seed
}

// Generation counts the changes to the state: while it stays the same,
// so does Snapshot's document.
func (s *Service) Generation() uint64 { return s.mu.Generation() }

// Snapshot is the configuration (tenants, applications, credentials) as JSON.
func (s *Service) Snapshot() (json.RawMessage, error) {
	s.mu.ReadLock()
	defer s.mu.ReadUnlock()
	out := Seed{Tenants: map[string]Tenant{}}
	for t, apps := range s.st {
		tenant := Tenant{Applications: map[string]Application{}}
		for c, fics := range apps {
			tenant.Applications[c] = Application{FederatedIdentityCredentials: maps.Clone(fics)}
		}
		out.Tenants[t] = tenant
	}
	return json.Marshal(out)
}

// Restore replaces the configuration with a Snapshot; bad input is refused
// and changes nothing. Decisions are forgotten.
func (s *Service) Restore(raw json.RawMessage) error {
	var seed Seed
	if err := clouds.DecodeStrict(raw, &seed); err != nil {
		return fmt.Errorf("azure: restore: %w", err)
	}
	st, err := build(seed)
	if err != nil {
		return fmt.Errorf("azure: restore: %w", err)
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	s.Base.Forget()
	return nil
}
