package jwtauth

import (
	"context"
	"fmt"
	"net"
	"sort"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// role is a jwt auth role (the method's jwtRole). Policies, BoundCIDRs,
// NumUses, TTL, MaxTTL and Period are the deprecated names of the token_*
// fields: set only when a write used the old name, and shown on read only
// then, as tokenutil.UpgradeValue and pathRoleRead do.
type role struct {
	RoleType             string
	BoundAudiences       []string
	UserClaim            string
	UserClaimJSONPointer bool
	BoundSubject         string
	BoundClaims          map[string]any
	BoundClaimsType      string
	ClaimMappings        map[string]string
	GroupsClaim          string
	AllowedRedirectURIs  []string
	OIDCScopes           []string
	ExpirationLeeway     time.Duration
	NotBeforeLeeway      time.Duration
	ClockSkewLeeway      time.Duration
	TokenPolicies        []string
	TokenTTL             time.Duration
	TokenMaxTTL          time.Duration
	TokenBoundCIDRs      []string
	TokenNumUses         int
	TokenNoDefaultPolicy bool
	TokenType            string
	TokenPeriod          time.Duration
	TokenExplicitMaxTTL  time.Duration

	Policies   []string
	BoundCIDRs []string
	NumUses    int
	TTL        time.Duration
	MaxTTL     time.Duration
	Period     time.Duration
}

// readRole is pathRoleRead: unset lists read as null (bound_audiences,
// allowed_redirect_uris, oidc_scopes, bound_claims, claim_mappings), the
// token_* lists as [], and the deprecated names appear only when set.
func (b *backend) readRole(_ context.Context, _ *logical.Request, fd *logical.FieldData) (*logical.Response, error) {
	b.mu.RLock()
	r, ok := b.roles[fd.String("name")]
	b.mu.RUnlock()
	if !ok {
		return nil, nil
	}
	d := map[string]any{
		"role_type": r.RoleType, "expiration_leeway": int(r.ExpirationLeeway.Seconds()),
		"not_before_leeway": int(r.NotBeforeLeeway.Seconds()), "clock_skew_leeway": int(r.ClockSkewLeeway.Seconds()),
		"bound_audiences": r.BoundAudiences, "bound_subject": r.BoundSubject, "bound_claims_type": r.BoundClaimsType,
		"bound_claims": nilIfEmpty(r.BoundClaims), "claim_mappings": nil, "user_claim": r.UserClaim,
		"user_claim_json_pointer": r.UserClaimJSONPointer, "groups_claim": r.GroupsClaim,
		"allowed_redirect_uris": r.AllowedRedirectURIs, "oidc_scopes": r.OIDCScopes, "verbose_oidc_logging": false, "max_age": 0,
		"token_bound_cidrs": orEmpty(r.TokenBoundCIDRs), "token_explicit_max_ttl": int(r.TokenExplicitMaxTTL.Seconds()), "token_max_ttl": int(r.TokenMaxTTL.Seconds()),
		"token_no_default_policy": r.TokenNoDefaultPolicy, "token_period": int(r.TokenPeriod.Seconds()), "token_policies": orEmpty(r.TokenPolicies),
		"token_type": r.TokenType, "token_ttl": int(r.TokenTTL.Seconds()), "token_num_uses": r.TokenNumUses,
	}
	if r.ClaimMappings != nil {
		mappings := map[string]any{}
		for k, v := range r.ClaimMappings {
			mappings[k] = v
		}
		d["claim_mappings"] = mappings
	}
	if len(r.Policies) > 0 {
		d["policies"] = d["token_policies"]
	}
	if len(r.BoundCIDRs) > 0 {
		d["bound_cidrs"] = d["token_bound_cidrs"]
	}
	if r.TTL > 0 {
		d["ttl"] = int(r.TTL.Seconds())
	}
	if r.MaxTTL > 0 {
		d["max_ttl"] = int(r.MaxTTL.Seconds())
	}
	if r.Period > 0 {
		d["period"] = int(r.Period.Seconds())
	}
	if r.NumUses > 0 {
		d["num_uses"] = r.NumUses
	}
	return &logical.Response{Data: d}, nil
}

func (b *backend) deleteRole(_ context.Context, _ *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	b.mu.Lock()
	delete(b.roles, d.String("name"))
	b.mu.Unlock()
	return nil, nil
}

func nilIfEmpty(m map[string]any) any {
	if m == nil {
		return nil
	}
	cp := make(map[string]any, len(m))
	for k, v := range m {
		cp[k] = v
	}
	return cp
}

func (b *backend) listRoles(context.Context, *logical.Request, *logical.FieldData) (*logical.Response, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	keys := make([]string, 0, len(b.roles))
	for k := range b.roles {
		keys = append(keys, k)
	}
	return logical.Keys(keys), nil
}

// roleFields is a role write's fields, read through the path's schema
// (the core has validated them while it ran the existence check).
type roleFields struct {
	strs    map[string]string
	lists   map[string][]string
	durs    map[string]time.Duration
	bools   map[string]bool
	ints    map[string]int
	claims  map[string]any
	mapping map[string]string
	sent    map[string]bool
}

func parseRoleFields(d *logical.FieldData) *roleFields {
	f := &roleFields{strs: map[string]string{}, lists: map[string][]string{}, durs: map[string]time.Duration{},
		bools: map[string]bool{}, ints: map[string]int{}, sent: map[string]bool{}}
	for name, schema := range d.Schema {
		v, ok := d.GetOk(name)
		f.sent[name] = ok
		switch t := v.(type) {
		case string:
			f.strs[name] = t
		case []string:
			f.lists[name] = t
		case bool:
			f.bools[name] = t
		case int:
			if schema.Type == logical.TypeDurationSecond {
				f.durs[name] = time.Duration(t) * time.Second
			} else {
				f.ints[name] = t
			}
		case map[string]any:
			f.claims = t
		case map[string]string:
			f.mapping = t
		}
	}
	return f
}

// upgrade is tokenutil.UpgradeValue for one deprecated field: the new name
// wins; the old name is kept only when it was sent too.
func upgrade[T any](f *roleFields, oldKey, newKey string, oldVal, newVal *T, get func(string) T) {
	var zero T
	switch {
	case f.sent[newKey] && f.sent[oldKey]:
		*oldVal = *newVal
	case f.sent[newKey]:
		*oldVal = zero
	case f.sent[oldKey]:
		*oldVal = get(oldKey)
		*newVal = *oldVal
	}
}

// writeRole is pathRoleCreateUpdate, merging with what is stored; like the
// real method, an omitted role_type becomes "oidc" and an omitted
// bound_claims_type "string" on any write.
func (b *backend) writeRole(_ context.Context, _ *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	name := d.String("name")
	f := parseRoleFields(d)
	b.mu.RLock()
	existing, ok := b.roles[name]
	b.mu.RUnlock()
	r := &role{TokenType: "default"}
	if ok {
		cp := *existing
		r = &cp
	}
	r.RoleType = f.strs["role_type"]
	if r.RoleType == "" {
		r.RoleType = "oidc"
	}
	if r.RoleType != "jwt" && r.RoleType != "oidc" {
		return logical.ErrorResponse("invalid 'role_type': %s", r.RoleType), nil
	}
	// tokenutil.ParseTokenFields
	if f.sent["token_bound_cidrs"] {
		cidrs, err := parseAddrs(f.lists["token_bound_cidrs"])
		if err != nil {
			return logical.ErrorResponse("%s", err), nil
		}
		r.TokenBoundCIDRs = cidrs
	}
	if f.sent["token_max_ttl"] {
		r.TokenMaxTTL = f.durs["token_max_ttl"]
	}
	if f.sent["token_explicit_max_ttl"] {
		r.TokenExplicitMaxTTL = f.durs["token_explicit_max_ttl"]
	}
	if f.sent["token_no_default_policy"] {
		r.TokenNoDefaultPolicy = f.bools["token_no_default_policy"]
	}
	if f.sent["token_policies"] {
		r.TokenPolicies = f.lists["token_policies"]
	}
	if f.sent["token_type"] {
		switch t := f.strs["token_type"]; t {
		case "", "default":
			r.TokenType = "default"
		case "service", "batch":
			r.TokenType = t
		default:
			return logical.ErrorResponse("invalid 'token_type' value %q", t), nil
		}
	}
	if f.sent["token_period"] {
		r.TokenPeriod = f.durs["token_period"]
	}
	if f.sent["token_num_uses"] {
		r.TokenNumUses = f.ints["token_num_uses"]
	}
	if r.TokenNumUses < 0 {
		return logical.ErrorResponse("'token_num_uses' cannot be negative"), nil
	}
	if r.TokenType == "batch" && r.TokenPeriod != 0 {
		return logical.ErrorResponse("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens"), nil
	}
	if r.TokenType == "batch" && r.TokenNumUses != 0 {
		return logical.ErrorResponse("'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count"), nil
	}
	if f.sent["token_ttl"] {
		r.TokenTTL = f.durs["token_ttl"]
	}
	if r.TokenTTL > 0 && r.TokenMaxTTL > 0 && r.TokenTTL > r.TokenMaxTTL {
		return logical.ErrorResponse("'token_ttl' cannot be greater than 'token_max_ttl'"), nil
	}
	upgrade(f, "policies", "token_policies", &r.Policies, &r.TokenPolicies, func(k string) []string { return f.lists[k] })
	oldCIDRs, err := parseAddrs(f.lists["bound_cidrs"])
	if err != nil {
		return logical.ErrorResponse("%s", err), nil
	}
	upgrade(f, "bound_cidrs", "token_bound_cidrs", &r.BoundCIDRs, &r.TokenBoundCIDRs, func(string) []string { return oldCIDRs })
	upgrade(f, "num_uses", "token_num_uses", &r.NumUses, &r.TokenNumUses, func(k string) int { return f.ints[k] })
	upgrade(f, "ttl", "token_ttl", &r.TTL, &r.TokenTTL, func(k string) time.Duration { return f.durs[k] })
	upgrade(f, "max_ttl", "token_max_ttl", &r.MaxTTL, &r.TokenMaxTTL, func(k string) time.Duration { return f.durs[k] })
	upgrade(f, "period", "token_period", &r.Period, &r.TokenPeriod, func(k string) time.Duration { return f.durs[k] })
	if max := b.cfg.System.MaxLeaseTTL(); r.TokenPeriod > max {
		return logical.ErrorResponse("'period' of '%q' is greater than the backend's maximum lease TTL of '%q'", r.TokenPeriod.String(), max.String()), nil
	}
	for field, dst := range map[string]*time.Duration{"expiration_leeway": &r.ExpirationLeeway, "not_before_leeway": &r.NotBeforeLeeway, "clock_skew_leeway": &r.ClockSkewLeeway} {
		if f.sent[field] {
			*dst = f.durs[field]
		}
	}
	if f.sent["bound_audiences"] {
		r.BoundAudiences = f.lists["bound_audiences"]
	}
	if f.sent["bound_subject"] {
		r.BoundSubject = f.strs["bound_subject"]
	}
	r.BoundClaimsType = f.strs["bound_claims_type"]
	if !f.sent["bound_claims_type"] {
		r.BoundClaimsType = "string"
	}
	if r.BoundClaimsType != "string" && r.BoundClaimsType != "glob" {
		return logical.ErrorResponse("invalid 'bound_claims_type': %s", r.BoundClaimsType), nil
	}
	if f.sent["bound_claims"] {
		r.BoundClaims = f.claims
		if r.BoundClaimsType == "glob" {
			if resp := checkGlobClaims(r.BoundClaims); resp != nil {
				return resp, nil
			}
		}
	}
	if f.sent["claim_mappings"] {
		mappings, resp := claimMappings(f.mapping)
		if resp != nil {
			return resp, nil
		}
		r.ClaimMappings = mappings
	}
	if f.sent["user_claim"] {
		r.UserClaim = f.strs["user_claim"]
	}
	if r.UserClaim == "" {
		return logical.ErrorResponse("a user claim must be defined on the role"), nil
	}
	if f.sent["user_claim_json_pointer"] {
		r.UserClaimJSONPointer = f.bools["user_claim_json_pointer"]
	}
	if f.sent["groups_claim"] {
		r.GroupsClaim = f.strs["groups_claim"]
	}
	if f.sent["oidc_scopes"] {
		r.OIDCScopes = f.lists["oidc_scopes"]
	}
	if f.sent["allowed_redirect_uris"] {
		r.AllowedRedirectURIs = f.lists["allowed_redirect_uris"]
	}
	if r.RoleType == "oidc" && len(r.AllowedRedirectURIs) == 0 {
		return logical.ErrorResponse("'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified."), nil
	}
	if r.RoleType == "jwt" && len(r.BoundAudiences) == 0 && len(r.TokenBoundCIDRs) == 0 && r.BoundSubject == "" && len(r.BoundClaims) == 0 {
		return logical.ErrorResponse("must have at least one bound constraint when creating/updating a role"), nil
	}
	if r.TokenMaxTTL > 0 && r.TokenTTL > r.TokenMaxTTL {
		return logical.ErrorResponse("ttl should not be greater than max ttl"), nil
	}
	var warnings []string
	if r.TokenMaxTTL > b.cfg.System.MaxLeaseTTL() {
		warnings = append(warnings, "token max ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated")
	}
	b.mu.Lock()
	b.roles[name] = r
	b.mu.Unlock()
	if len(warnings) > 0 {
		return &logical.Response{Warnings: warnings}, nil
	}
	return nil, nil
}

// checkGlobClaims: glob bound claims must be strings or lists of strings.
func checkGlobClaims(claims map[string]any) *logical.Response {
	for _, v := range claims {
		switch t := v.(type) {
		case string:
		case []any:
			for _, x := range t {
				if _, ok := x.(string); !ok {
					return logical.ErrorResponse("claim is not a string: %v", x)
				}
			}
		default:
			return logical.ErrorResponse("claim is not a string or list: %v", v)
		}
	}
	return nil
}

// claimMappings checks the mapping destinations: "role" is reserved and no
// two claims may map to one key.
func claimMappings(m map[string]string) (map[string]string, *logical.Response) {
	out := map[string]string{}
	targets := map[string]bool{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		dst := m[k]
		if dst == "role" {
			return nil, logical.ErrorResponse(`metadata key "role" is reserved and may not be a mapping destination`)
		}
		if targets[dst] {
			return nil, logical.ErrorResponse("multiple keys are mapped to metadata key %q", dst)
		}
		targets[dst] = true
		out[k] = dst
	}
	return out, nil
}

// parseAddrs is parseutil.ParseAddrs: each entry an IP or CIDR, shown as
// go-sockaddr prints it (a host address without its /32 or /128).
func parseAddrs(addrs []string) ([]string, error) {
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip != nil {
			out = append(out, ip.String())
			continue
		}
		ip, n, err := net.ParseCIDR(a)
		if err != nil {
			return nil, fmt.Errorf("error parsing address %q: Unable to convert %q to an IPv4 or IPv6 address, or a UNIX Socket", a, a)
		}
		if ones, bits := n.Mask.Size(); ones == bits {
			out = append(out, ip.String())
		} else {
			out = append(out, fmt.Sprintf("%s/%d", ip, ones))
		}
	}
	return out, nil
}
