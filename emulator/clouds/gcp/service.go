package gcp

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/clouds"
)

// Cloud is the Decision.Cloud of this package's decisions.
const Cloud = "gcp"

// Config configures a Service.
type Config = clouds.Config

// Seed is the configuration a Service starts from and returns to on Reset:
// providers by resource name (projects/N/locations/global/workloadIdentityPools/P/providers/X)
// and service accounts by email. It is also the snapshot's shape.
type Seed struct {
	WorkloadIdentityProviders map[string]Provider       `json:"workload_identity_providers,omitempty" yaml:"workload_identity_providers,omitempty"`
	ServiceAccounts           map[string]ServiceAccount `json:"service_accounts,omitempty" yaml:"service_accounts,omitempty"`
}

// Names of the default seed: the product documents' module test example
// (https://developer.hashicorp.com/terraform/cloud-docs/api-docs/private-registry/test-configuration).
const (
	DefaultProjectNumber  = "123456789"
	DefaultPool           = "terraform-module-tests"
	DefaultProvider       = "terraform-cloud"
	DefaultServiceAccount = "terraform-module-test-sa@my-project.iam.gserviceaccount.com"
)

// DefaultSeed trusts the emulator's issuer for the seeded organization my-org
// with the documents' audiences (gcp.workload.identity for module tests,
// the provider's name for workspace runs) and lets every identity of the
// pool impersonate the documents' service account.
func DefaultSeed() Seed {
	name := ProviderName(DefaultProjectNumber, DefaultPool, DefaultProvider)
	return Seed{
		WorkloadIdentityProviders: map[string]Provider{name: {
			AttributeMapping: map[string]string{
				"google.subject":                        "assertion.sub",
				"attribute.terraform_organization_name": "assertion.terraform_organization_name",
				"attribute.terraform_workspace_name":    "assertion.terraform_workspace_name",
				"attribute.terraform_full_workspace":    "assertion.terraform_full_workspace",
				"attribute.terraform_run_phase":         "assertion.terraform_run_phase",
			},
			AttributeCondition: `assertion.terraform_organization_name == "my-org"`,
			OIDC: OIDC{
				IssuerURI:        IssuerPlaceholder,
				AllowedAudiences: []string{"gcp.workload.identity", "//iam.googleapis.com/" + name, "https://iam.googleapis.com/" + name},
			},
		}},
		ServiceAccounts: map[string]ServiceAccount{DefaultServiceAccount: {Members: []string{
			"principalSet://iam.googleapis.com/projects/" + DefaultProjectNumber + "/locations/global/workloadIdentityPools/" + DefaultPool + "/*",
		}}},
	}
}

// federatedToken is an STS access token and the principal it stands for.
type federatedToken struct {
	Project, Pool, Provider string
	Subject                 string
	Groups                  []string
	Attributes              map[string][]string
	Expires                 time.Time
}

// principal is the token's principal:// identifier.
func (t federatedToken) principal() string {
	return "principal://iam.googleapis.com/projects/" + t.Project + "/locations/global/workloadIdentityPools/" + t.Pool + "/subject/" + t.Subject
}

// state is the Service's configuration.
type state struct {
	providers map[string]*compiled
	accounts  map[string]ServiceAccount
}

// Service is the emulated GCP STS and IAM Credentials with their admin API.
type Service struct {
	cfg         Config
	clouds.Base // the decision log, token verifier and issuer; serves Decisions

	mu     clouds.CountedMutex
	seed   Seed
	st     state
	tokens map[string]federatedToken
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

// SetSeed validates seed (CEL compiled, members checked), makes it the
// state Reset returns to, and resets to it. A refused seed changes nothing.
func (s *Service) SetSeed(seed Seed) error {
	st, err := build(seed)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed = seed
	s.resetLocked(st)
	return nil
}

// Warm compiles in the background of a start what the start left for
// later (compileProvider): the CEL environments and each provider's
// programs, so that the first exchange does not wait for them.
func (s *Service) Warm() {
	celEnvs()
	s.mu.ReadLock()
	providers := slices.Collect(maps.Values(s.st.providers))
	s.mu.ReadUnlock()
	for _, c := range providers {
		_ = c.programs()
	}
}

// Reset returns to the seed and forgets issued tokens and decisions.
func (s *Service) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, _ := build(s.seed) // validated by SetSeed
	s.resetLocked(st)
}

func (s *Service) resetLocked(st state) {
	s.st = st
	s.tokens = map[string]federatedToken{}
	s.Base.Forget()
}

func build(seed Seed) (state, error) {
	st := state{providers: map[string]*compiled{}, accounts: map[string]ServiceAccount{}}
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(seed.WorkloadIdentityProviders)) {
		c, err := compileProvider(name, seed.WorkloadIdentityProviders[name])
		if err != nil {
			problems = append(problems, fmt.Sprintf("workload_identity_providers[%q]: %v", name, err))
			continue
		}
		st.providers[name] = c
	}
	for _, email := range slices.Sorted(maps.Keys(seed.ServiceAccounts)) {
		sa := seed.ServiceAccounts[email]
		if err := validateAccount(email, sa); err != nil {
			problems = append(problems, fmt.Sprintf("service_accounts[%q]: %v", email, err))
			continue
		}
		st.accounts[email] = ServiceAccount{Members: slices.Clone(sa.Members)}
	}
	if len(problems) > 0 {
		return state{}, errors.New(strings.Join(problems, "; "))
	}
	return st, nil
}

func validateAccount(email string, sa ServiceAccount) error {
	if !isServiceAccount(email) {
		return fmt.Errorf("%q is not a service account email (NAME@PROJECT.iam.gserviceaccount.com)", email)
	}
	return validateMembers(sa.Members)
}

// seedLocked is the current configuration in the Seed shape.
func (s *Service) seedLocked() Seed {
	out := Seed{WorkloadIdentityProviders: map[string]Provider{}, ServiceAccounts: map[string]ServiceAccount{}}
	for name, c := range s.st.providers {
		out.WorkloadIdentityProviders[name] = c.Provider
	}
	maps.Copy(out.ServiceAccounts, s.st.accounts)
	return out
}

// Generation counts the changes to the state: while it stays the same,
// so does Snapshot's document.
func (s *Service) Generation() uint64 { return s.mu.Generation() }

// Snapshot is the configuration (providers and service accounts) as JSON.
func (s *Service) Snapshot() (json.RawMessage, error) {
	s.mu.ReadLock()
	defer s.mu.ReadUnlock()
	return json.Marshal(s.seedLocked())
}

// Restore replaces the configuration with a Snapshot; bad input (unknown
// fields, invalid names, malformed CEL) is refused and changes nothing.
// Issued tokens and decisions are forgotten.
func (s *Service) Restore(raw json.RawMessage) error {
	var seed Seed
	if err := clouds.DecodeStrict(raw, &seed); err != nil {
		return fmt.Errorf("gcp: restore: %w", err)
	}
	st, err := build(seed)
	if err != nil {
		return fmt.Errorf("gcp: restore: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(st)
	return nil
}

// newToken is an opaque token with Google's access-token prefix.
func newToken(prefix string) string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
