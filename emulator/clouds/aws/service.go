// Package aws emulates the part of AWS that accepts a run's workload
// identity token: STS AssumeRoleWithWebIdentity against IAM OIDC providers
// and roles' trust policies, and GetCallerIdentity signed (SigV4) with the
// session credentials it issued. Every exchange is explained in a
// clouds.Decision. Providers and roles are configured through the admin
// routes or the seed, in the shapes aws_iam_openid_connect_provider and
// aws_iam_role take.
package aws

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// Config configures the AWS service.
type Config struct {
	// Now is the virtual clock.
	Now func() time.Time
	// HTTPClient reaches issuers' discovery documents and JWKS.
	HTTPClient *http.Client
	// Issuer is the emulator's own issuer URL; the placeholders
	// {{issuer}} and {{issuer_host}} in providers and policies stand for it
	// (and its URL without the scheme), so a seed trusts the emulator
	// whatever port it listens on.
	Issuer func() string
}

// Cloud is the Decision.Cloud of this package's decisions.
const Cloud = "aws"

// DefaultAccountID is the account of roles that name none.
const DefaultAccountID = "123456789012"

// Session durations (seconds), as STS and IAM bound them.
const (
	DefaultDurationSeconds = 3600
	MinDurationSeconds     = 900
	MaxDurationSeconds     = 43200
)

// Provider is an IAM OIDC identity provider (aws_iam_openid_connect_provider).
type Provider struct {
	URL            string   `json:"url" yaml:"url"`
	ClientIDList   []string `json:"client_id_list" yaml:"client_id_list"`
	ThumbprintList []string `json:"thumbprint_list" yaml:"thumbprint_list"`
}

// Role is an IAM role that a web identity may assume (aws_iam_role).
type Role struct {
	Name      string `json:"name" yaml:"name"`
	AccountID string `json:"account_id" yaml:"account_id"`
	// AssumeRolePolicy is the trust policy, a JSON string or an object.
	AssumeRolePolicy   any `json:"assume_role_policy" yaml:"assume_role_policy"`
	MaxSessionDuration int `json:"max_session_duration" yaml:"max_session_duration"`
}

// Seed is the AWS section of a seed file (aws:).
type Seed struct {
	OpenIDConnectProviders []Provider `json:"openid_connect_providers" yaml:"openid_connect_providers"`
	Roles                  []Role     `json:"roles" yaml:"roles"`
}

// session is a set of temporary credentials STS issued.
type session struct {
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey string    `json:"secret_access_key"`
	SessionToken    string    `json:"session_token"`
	Expiration      time.Time `json:"expiration"`
	Account         string    `json:"account"`
	Role            string    `json:"role"`
	SessionName     string    `json:"session_name"`
}

// storedRole is a role with its trust policy normalized to a JSON string.
type storedRole struct {
	Name               string `json:"name"`
	AccountID          string `json:"account_id"`
	AssumeRolePolicy   string `json:"assume_role_policy"`
	MaxSessionDuration int    `json:"max_session_duration"`
}

// state is everything the service holds; it is also the snapshot.
type state struct {
	Providers map[string]Provider   `json:"openid_connect_providers"`
	Roles     map[string]storedRole `json:"roles"`
	Sessions  map[string]session    `json:"sessions"`
}

// maxSessions bounds the issued credentials kept; expired ones go first.
const maxSessions = 10000

// Service is the emulated AWS.
type Service struct {
	cfg         Config
	clouds.Base // the decision log, token verifier and issuer; serves Decisions

	mu   clouds.CountedMutex
	seed state
	st   state
}

// New returns the AWS service with no providers or roles (see Seed).
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Issuer == nil {
		cfg.Issuer = func() string { return "" }
	}
	s := &Service{cfg: cfg, Base: clouds.NewBase(clouds.BaseConfig{Cloud: Cloud, Now: cfg.Now, HTTPClient: cfg.HTTPClient, Issuer: cfg.Issuer}),
		seed: emptyState()}
	s.st = emptyState()
	return s
}

func emptyState() state {
	return state{Providers: map[string]Provider{}, Roles: map[string]storedRole{}, Sessions: map[string]session{}}
}

// ApplySeed validates seed and makes it the state Reset returns to, and the
// current state. A refused seed changes nothing.
func (s *Service) ApplySeed(seed *Seed) error {
	st := emptyState()
	if seed != nil {
		for i, p := range seed.OpenIDConnectProviders {
			key, np, err := normalizeProvider(p)
			if err != nil {
				return fmt.Errorf("aws.openid_connect_providers[%d]: %w", i, err)
			}
			st.Providers[key] = np
		}
		for i, r := range seed.Roles {
			nr, err := normalizeRole(r.Name, r)
			if err != nil {
				return fmt.Errorf("aws.roles[%d]: %w", i, err)
			}
			st.Roles[nr.Name] = nr
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed, s.st = st, cloneState(st)
	return nil
}

// Seed applies a seed given as JSON (the contract's form of ApplySeed).
func (s *Service) Seed(raw json.RawMessage) error {
	var seed Seed
	if err := clouds.DecodeStrict(raw, &seed); err != nil {
		return err
	}
	return s.ApplySeed(&seed)
}

// Reset returns to the seed and forgets decisions and cached keys.
func (s *Service) Reset() {
	s.mu.Lock()
	s.st = cloneState(s.seed)
	s.mu.Unlock()
	s.Base.Forget()
}

// Decisions are the newest exchanges, oldest first.
func (s *Service) Decisions() []clouds.Decision { return s.Base.Decisions() }

// Generation counts the changes to the state: while it stays the same,
// so does Snapshot's document.
func (s *Service) Generation() uint64 { return s.mu.Generation() }

// Snapshot is the service's state as JSON.
func (s *Service) Snapshot() (json.RawMessage, error) {
	s.mu.ReadLock()
	defer s.mu.ReadUnlock()
	return json.Marshal(s.st)
}

// Restore replaces the state with a snapshot, after validating every
// provider and role; a refused snapshot changes nothing.
func (s *Service) Restore(raw json.RawMessage) error {
	var in state
	if err := clouds.DecodeStrict(raw, &in); err != nil {
		return err
	}
	st := emptyState()
	for key, p := range in.Providers {
		k, np, err := normalizeProvider(p)
		if err != nil {
			return fmt.Errorf("openid_connect_providers[%q]: %w", key, err)
		}
		if k != key {
			return fmt.Errorf("openid_connect_providers[%q]: keyed %q by its url", key, k)
		}
		st.Providers[k] = np
	}
	for name, r := range in.Roles {
		nr, err := normalizeRole(name, Role{Name: r.Name, AccountID: r.AccountID, AssumeRolePolicy: r.AssumeRolePolicy, MaxSessionDuration: r.MaxSessionDuration})
		if err != nil {
			return fmt.Errorf("roles[%q]: %w", name, err)
		}
		st.Roles[name] = nr
	}
	for id, ses := range in.Sessions {
		if id != ses.AccessKeyID || !accessKeyPattern.MatchString(id) || ses.SecretAccessKey == "" || ses.SessionToken == "" || ses.Role == "" {
			return fmt.Errorf("sessions[%q]: not a session the emulator issued", id)
		}
		st.Sessions[id] = ses
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	return nil
}

func cloneState(in state) state {
	out := emptyState()
	for k, v := range in.Providers {
		out.Providers[k] = v
	}
	for k, v := range in.Roles {
		out.Roles[k] = v
	}
	for k, v := range in.Sessions {
		out.Sessions[k] = v
	}
	return out
}

var (
	accessKeyPattern = lazyre.New(`^ASIA[A-Z2-7]{16}$`)
)

// providerKey is how IAM keys an OIDC provider: its URL without the scheme
// and trailing slash (the part after oidc-provider/ in its ARN).
func providerKey(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return strings.TrimRight(u, "/")
}

func normalizeProvider(p Provider) (string, Provider, error) {
	if p.URL == "" {
		return "", p, errors.New("url is required")
	}
	if !strings.Contains(p.URL, "{{") {
		u, err := url.Parse(p.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return "", p, fmt.Errorf("url %q must be an https:// URL with a host and no query (http:// is accepted for local issuers)", p.URL)
		}
	}
	if len(p.ClientIDList) == 0 {
		return "", p, errors.New("client_id_list must name at least one audience")
	}
	for i, c := range p.ClientIDList {
		if c == "" || len(c) > 255 {
			return "", p, fmt.Errorf("client_id_list[%d] must be 1 to 255 characters", i)
		}
	}
	if p.ThumbprintList == nil {
		p.ThumbprintList = []string{}
	}
	for i, t := range p.ThumbprintList {
		if len(t) != 40 || strings.Trim(strings.ToLower(t), "0123456789abcdef") != "" {
			return "", p, fmt.Errorf("thumbprint_list[%d] %q must be 40 hex digits", i, t)
		}
	}
	return providerKey(p.URL), p, nil
}

// isRoleName reports whether name is an IAM role name: 1 to 64 of
// [\w+=,.@-].
func isRoleName(name string) bool { return len(name) <= 64 && clouds.MadeOf(name, nameChars) }

// isAccountID reports whether id is an AWS account id: 12 digits.
func isAccountID(id string) bool { return len(id) == 12 && clouds.MadeOf(id, clouds.Digits) }

func normalizeRole(name string, r Role) (storedRole, error) {
	if r.Name != "" && r.Name != name {
		return storedRole{}, fmt.Errorf("name %q differs from the role's name %q", r.Name, name)
	}
	if !isRoleName(name) {
		return storedRole{}, fmt.Errorf("name %q must be 1 to 64 characters of [\\w+=,.@-]", name)
	}
	out := storedRole{Name: name, AccountID: r.AccountID, MaxSessionDuration: r.MaxSessionDuration}
	if out.AccountID == "" {
		out.AccountID = DefaultAccountID
	}
	if !isAccountID(out.AccountID) {
		return storedRole{}, fmt.Errorf("account_id %q must be 12 digits", out.AccountID)
	}
	if out.MaxSessionDuration == 0 {
		out.MaxSessionDuration = DefaultDurationSeconds
	}
	if out.MaxSessionDuration < 3600 || out.MaxSessionDuration > MaxDurationSeconds {
		return storedRole{}, fmt.Errorf("max_session_duration %d must be between 3600 and 43200 seconds", out.MaxSessionDuration)
	}
	switch p := r.AssumeRolePolicy.(type) {
	case nil:
		return storedRole{}, errors.New("assume_role_policy is required")
	case string:
		out.AssumeRolePolicy = p
	default:
		b, err := json.Marshal(p)
		if err != nil {
			return storedRole{}, fmt.Errorf("assume_role_policy: %v", err)
		}
		out.AssumeRolePolicy = string(b)
	}
	if _, err := ParsePolicy(out.AssumeRolePolicy); err != nil {
		return storedRole{}, err
	}
	return out, nil
}

// RoleARN is a role's ARN.
func RoleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

// ProviderARN is an OIDC provider's ARN in account.
func ProviderARN(account, key string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + key
}

// RoleID is the role's unique id (AROA…), derived from its ARN so it is
// stable across restarts.
func RoleID(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return "AROA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// expand replaces the issuer placeholders in s.
func (s *Service) expand(v string) string {
	if !strings.Contains(v, "{{") {
		return v
	}
	iss := strings.TrimRight(s.cfg.Issuer(), "/")
	return strings.NewReplacer("{{issuer}}", iss, "{{issuer_host}}", providerKey(iss)).Replace(v)
}

// providerView is a provider as the admin API shows it.
type providerView struct {
	Provider
	// Key is the URL without scheme, as IAM keys it.
	Key string `json:"key"`
	// ARN is the provider's ARN in DefaultAccountID.
	ARN string `json:"arn"`
}

func (s *Service) viewProvider(p Provider) providerView {
	p.URL = s.expand(p.URL)
	key := providerKey(p.URL)
	return providerView{Provider: p, Key: key, ARN: ProviderARN(DefaultAccountID, key)}
}

// roleView is a role as the admin API shows it.
type roleView struct {
	storedRole
	ARN    string `json:"arn"`
	RoleID string `json:"role_id"`
}

func (s *Service) viewRole(r storedRole) roleView {
	arn := RoleARN(r.AccountID, r.Name)
	r.AssumeRolePolicy = s.expand(r.AssumeRolePolicy)
	return roleView{storedRole: r, ARN: arn, RoleID: RoleID(arn)}
}

// findProvider returns the provider whose (expanded) URL is iss.
func (s *Service) findProvider(iss string) (Provider, string, bool) {
	want := providerKey(iss)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(s.st.Providers)) {
		p := s.st.Providers[k]
		if url := s.expand(p.URL); providerKey(url) == want {
			p.URL = url
			return p, want, true
		}
	}
	return Provider{}, "", false
}
