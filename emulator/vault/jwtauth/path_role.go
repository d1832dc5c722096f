package jwtauth

import (
	"fmt"
	"sort"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// role is a jwt auth role.
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
}

func (b *backend) readRole(name string) *logical.Response {
	b.mu.RLock()
	r, ok := b.roles[name]
	b.mu.RUnlock()
	if !ok {
		return nil
	}
	claims := map[string]any{}
	for k, v := range r.BoundClaims {
		claims[k] = v
	}
	mappings := map[string]any{}
	for k, v := range r.ClaimMappings {
		mappings[k] = v
	}
	return &logical.Response{Data: map[string]any{
		"role_type": r.RoleType, "bound_audiences": orEmpty(r.BoundAudiences), "user_claim": r.UserClaim,
		"user_claim_json_pointer": r.UserClaimJSONPointer, "bound_subject": r.BoundSubject, "bound_claims": nilIfEmpty(claims),
		"bound_claims_type": r.BoundClaimsType, "claim_mappings": nilIfEmpty(mappings), "groups_claim": r.GroupsClaim,
		"allowed_redirect_uris": orEmpty(r.AllowedRedirectURIs), "oidc_scopes": []string{}, "verbose_oidc_logging": false, "max_age": 0,
		"expiration_leeway": int(r.ExpirationLeeway.Seconds()), "not_before_leeway": int(r.NotBeforeLeeway.Seconds()),
		"clock_skew_leeway": int(r.ClockSkewLeeway.Seconds()),
		"token_policies":    orEmpty(r.TokenPolicies), "policies": orEmpty(r.TokenPolicies),
		"token_ttl": int(r.TokenTTL.Seconds()), "ttl": int(r.TokenTTL.Seconds()),
		"token_max_ttl": int(r.TokenMaxTTL.Seconds()), "max_ttl": int(r.TokenMaxTTL.Seconds()),
		"token_explicit_max_ttl": 0, "token_period": 0, "period": 0,
		"token_bound_cidrs": orEmpty(r.TokenBoundCIDRs), "bound_cidrs": orEmpty(r.TokenBoundCIDRs),
		"token_num_uses": r.TokenNumUses, "num_uses": r.TokenNumUses, "token_no_default_policy": r.TokenNoDefaultPolicy,
		"token_type": r.TokenType,
	}}
}

func nilIfEmpty(m map[string]any) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

func (b *backend) listRoles() *logical.Response {
	b.mu.RLock()
	defer b.mu.RUnlock()
	keys := make([]string, 0, len(b.roles))
	for k := range b.roles {
		keys = append(keys, k)
	}
	return logical.Keys(keys)
}

// writeRole creates or updates a role, merging with what is stored; like
// the real method, an omitted role_type becomes "oidc" on any write.
func (b *backend) writeRole(req *logical.Request, name string) (*logical.Response, error) {
	b.mu.RLock()
	existing, ok := b.roles[name]
	b.mu.RUnlock()
	r := &role{BoundClaimsType: "string", TokenType: "default-service"}
	if ok {
		cp := *existing
		r = &cp
	}
	r.RoleType = "oidc"
	if v, sent, err := req.String("role_type"); err != nil {
		return logical.FieldError("role_type", err), nil
	} else if sent && v != "" {
		r.RoleType = v
	}
	if r.RoleType != "jwt" && r.RoleType != "oidc" {
		return logical.ErrorResponse("invalid 'role_type': %s", r.RoleType), nil
	}
	for field, dst := range map[string]*string{"user_claim": &r.UserClaim, "bound_subject": &r.BoundSubject, "groups_claim": &r.GroupsClaim, "token_type": &r.TokenType} {
		v, sent, err := req.String(field)
		if err != nil {
			return logical.FieldError(field, err), nil
		}
		if sent {
			*dst = v
		}
	}
	for field, dst := range map[string]*[]string{"bound_audiences": &r.BoundAudiences, "allowed_redirect_uris": &r.AllowedRedirectURIs,
		"token_policies": &r.TokenPolicies, "policies": &r.TokenPolicies, "token_bound_cidrs": &r.TokenBoundCIDRs} {
		v, sent, err := req.CommaStrings(field)
		if err != nil {
			return logical.FieldError(field, err), nil
		}
		if sent {
			*dst = v
		}
	}
	for field, dst := range map[string]*time.Duration{"token_ttl": &r.TokenTTL, "ttl": &r.TokenTTL, "token_max_ttl": &r.TokenMaxTTL, "max_ttl": &r.TokenMaxTTL,
		"expiration_leeway": &r.ExpirationLeeway, "not_before_leeway": &r.NotBeforeLeeway, "clock_skew_leeway": &r.ClockSkewLeeway} {
		d, sent, err := req.DurationSecond(field)
		if err != nil {
			return logical.FieldError(field, err), nil
		}
		if sent {
			*dst = d
		}
	}
	for field, dst := range map[string]*bool{"user_claim_json_pointer": &r.UserClaimJSONPointer, "token_no_default_policy": &r.TokenNoDefaultPolicy} {
		v, sent, err := req.Bool(field)
		if err != nil {
			return logical.FieldError(field, err), nil
		}
		if sent {
			*dst = v
		}
	}
	if v, sent, err := req.String("token_num_uses"); err != nil {
		return logical.FieldError("token_num_uses", err), nil
	} else if sent {
		if _, err := fmt.Sscanf(v, "%d", &r.TokenNumUses); err != nil {
			return logical.FieldError("token_num_uses", err), nil
		}
	}
	if v, sent, err := req.String("bound_claims_type"); err != nil {
		return logical.FieldError("bound_claims_type", err), nil
	} else if sent {
		r.BoundClaimsType = v
	}
	if r.BoundClaimsType != "string" && r.BoundClaimsType != "glob" {
		return logical.ErrorResponse("invalid 'bound_claims_type': %s", r.BoundClaimsType), nil
	}
	if m, sent, err := req.Map("bound_claims"); err != nil {
		return logical.FieldError("bound_claims", err), nil
	} else if sent {
		r.BoundClaims = m
	}
	if r.BoundClaimsType == "glob" {
		for _, v := range r.BoundClaims {
			switch t := v.(type) {
			case string:
			case []any:
				for _, x := range t {
					if _, ok := x.(string); !ok {
						return logical.ErrorResponse("claim is not a string: %v", x), nil
					}
				}
			default:
				return logical.ErrorResponse("claim is not a string or list: %v", v), nil
			}
		}
	}
	if m, sent, err := req.Map("claim_mappings"); err != nil {
		return logical.FieldError("claim_mappings", err), nil
	} else if sent {
		r.ClaimMappings = map[string]string{}
		targets := map[string]bool{}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			dst := fmt.Sprint(m[k])
			if dst == "role" {
				return logical.ErrorResponse(`metadata key "role" is reserved and may not be a mapping destination`), nil
			}
			if targets[dst] {
				return logical.ErrorResponse("multiple keys are mapped to metadata key %q", dst), nil
			}
			targets[dst] = true
			r.ClaimMappings[k] = dst
		}
	}
	if r.UserClaim == "" {
		return logical.ErrorResponse("a user claim must be defined on the role"), nil
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
