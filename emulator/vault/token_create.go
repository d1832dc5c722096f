package vault

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/ids"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// displayNameSanitize is Vault's: anything but letters, digits and '-'
// becomes '-'.
var displayNameSanitize = lazyre.New("[^a-zA-Z0-9-]")

// nonAssignablePolicies are Vault's internal policies no token may carry.
var nonAssignablePolicies = []string{"response-wrapping", "control-group"}

// createOp is auth/token/create and create-orphan.
func (s *Server) createOp(orphan bool) handler {
	return func(c *call) (*logical.Response, error) { return s.createToken(c, orphan) }
}

// createToken is handleCreateCommon without token roles.
func (s *Server) createToken(c *call, orphan bool) (*logical.Response, error) {
	parent := c.tok
	in := parseCreateRequest(c.d)
	s.mu.RLock()
	parentUses, parentPolicies, parentEntity, parentTTL := parent.NumUses, parent.Policies, parent.EntityID, parent.TTL
	s.mu.RUnlock()
	if parentUses == usesExhausted {
		// This request is its last use: handleCreateCommon looks the parent
		// up, and Vault's lookup does not find a token pending revocation.
		return logical.ErrorResponse("%s", "parent token lookup failed: no parent found"), nil
	}
	if parentUses > 0 {
		return logical.ErrorResponse("%s", "restricted use token cannot generate child tokens"), nil
	}
	isSudo := parent.root() || slices.Contains(s.capabilities(parent, c.path), "sudo")
	switch in.typ {
	case "", "service":
	case "batch":
		// Vault refuses a root batch token before anything else about it.
		if (len(in.policies) == 0 && parent.root()) || slices.Contains(in.policies, "root") {
			return logical.ErrorResponse("%s", "batch tokens cannot be root tokens"), nil
		}
		return logical.ErrorResponse("%s", "batch tokens are not supported by tfcemu"), nil
	default:
		return logical.ErrorResponse("%s", "invalid 'token_type' value"), nil
	}
	if in.numUses < 0 {
		return logical.ErrorResponse("%s", "number of uses cannot be negative"), nil
	}
	if in.entityAlias != "" {
		return logical.ErrorResponse("%s", "'entity_alias' is only allowed in combination with token role"), nil
	}
	now := c.now
	t := &token{
		Parent: parent.ID, Path: strings.TrimSuffix(c.path, "/"), Metadata: in.meta, DisplayName: "token",
		NumUses: in.numUses, CreationTime: now, IssueTime: now,
	}
	if in.displayName != "" {
		t.DisplayName = strings.TrimSuffix(displayNameSanitize.ReplaceAllString("token-"+in.displayName, "-"), "-")
	}
	var warnings []string
	if in.id != "" {
		switch {
		case !isSudo:
			return logical.ErrorResponse("%s", "root or sudo privileges required to specify token id"), nil
		case strings.HasPrefix(in.id, "hvs."):
			return logical.ErrorResponse("%s", "custom token ID cannot have the 'hvs.' prefix"), nil
		case strings.HasPrefix(in.id, "s."):
			return logical.ErrorResponse("%s", "custom token ID cannot have the 's.' prefix"), nil
		case strings.Contains(in.id, "."):
			return logical.ErrorResponse("%s", "custom token ID cannot have a '.' in the value"), nil
		}
		t.ID = in.id
	}

	addDefault := false
	policies := in.policies
	switch {
	case len(policies) == 0:
		policies = sanitizePolicies(parentPolicies, false)
	case !isSudo:
		if !subset(sanitizePolicies(parentPolicies, false), sanitizePolicies(policies, false)) {
			return logical.ErrorResponse("%s", "child policies must be subset of parent"), nil
		}
		addDefault = !in.noDefaultPolicy && slices.Contains(parentPolicies, "default")
	default:
		addDefault = !in.noDefaultPolicy
	}
	t.Policies = sanitizePolicies(policies, addDefault)
	if in.noDefaultPolicy {
		t.Policies = remove(t.Policies, "default")
	}
	for _, p := range t.Policies {
		if slices.Contains(nonAssignablePolicies, p) {
			return logical.ErrorResponse("%s", fmt.Sprintf("cannot assign policy %q", p)), nil
		}
	}
	if t.root() && !slices.Contains(parentPolicies, "root") {
		return logical.ErrorResponse("%s", "root tokens may not be created without parent token being root"), nil
	}
	if in.noParent {
		if !isSudo {
			return logical.ErrorResponse("%s", "root or sudo privileges required to create orphan token"), nil
		}
		t.Parent = ""
	} else if orphan {
		t.Parent = ""
	}
	if t.Parent != "" {
		t.EntityID = parentEntity
	}

	var explicitMax, period time.Duration
	if in.explicitMaxTTL != "" {
		d, msg := parseSignedDuration(in.explicitMaxTTL)
		switch {
		case msg != "":
			return logical.ErrorResponse("%s", msg), nil
		case d < 0:
			return logical.ErrorResponse("%s", "explicit_max_ttl must be positive"), nil
		}
		explicitMax = d
	}
	if in.period != "" {
		d, msg := parseSignedDuration(in.period)
		switch {
		case msg != "":
			return logical.ErrorResponse("%s", msg), nil
		case d < 0:
			return logical.ErrorResponse("%s", "period must be positive"), nil
		case d > 0 && !isSudo:
			return logical.ErrorResponse("%s", "root or sudo privileges required to create periodic token"), nil
		}
		period = d
	}
	for _, f := range []struct{ name, v string }{{"ttl", in.ttl}, {"lease", in.lease}} {
		if f.v == "" {
			continue
		}
		d, msg := parseSignedDuration(f.v)
		switch {
		case msg != "":
			return logical.ErrorResponse("%s", msg), nil
		case d < 0:
			return logical.ErrorResponse("%s", f.name+" must be positive"), nil
		}
		t.TTL = d
		break
	}
	t.Period, t.ExplicitMaxTTL = period, explicitMax
	if period > 0 || t.TTL > 0 || !t.root() {
		ttl, warn, err := calculateTTL(system{s.tokenMount}, 0, t.TTL, period, 0, explicitMax, now, now)
		if err != nil {
			return nil, err
		}
		warnings = append(warnings, warn...)
		t.TTL = ttl
	}
	if t.TTL == 0 && explicitMax > 0 {
		t.TTL = explicitMax
	}
	renewable := in.renewable
	if t.TTL == 0 {
		if parentTTL != 0 {
			return logical.ErrorResponse("%s", "expiring root tokens cannot create non-expiring root tokens"), nil
		}
		renewable = false
	} else {
		t.ExpireTime = now.Add(t.TTL)
	}
	t.Renewable = renewable
	t.Accessor = newAccessorID()
	if t.ID != "" {
		warnings = append(warnings, "Supplying a custom ID for the token uses the weaker SHA1 hashing instead of the more secure SHA2-256 HMAC for token obfuscation. SHA1 hashed tokens on the wire leads to less secure lookups.")
	} else if len(t.Policies) == 1 && t.Policies[0] == "root" {
		// Root tokens are not server-side consistent tokens: "hvs." and
		// 24 random characters (GenerateSSCTokenID).
		t.ID = "hvs." + ids.Random(24)
	} else {
		t.ID = s.newServiceTokenID()
	}
	s.mu.Lock()
	if _, dup := s.tokens[t.ID]; dup {
		s.mu.Unlock()
		return logical.ErrorResponse("%s", "cannot create a token with a duplicate ID"), nil
	}
	s.addTokenLocked(t)
	known := make(map[string]bool, len(s.policies))
	for name := range s.policies {
		known[name] = true
	}
	s.mu.Unlock()
	for _, p := range t.Policies {
		if p != "root" && !known[p] {
			warnings = append(warnings, fmt.Sprintf("Policy %q does not exist", p))
		}
	}
	return &logical.Response{Auth: t.auth(t.TTL, renewable), Warnings: warnings}, nil
}

// createRequest is auth/token/create's fields.
type createRequest struct {
	id, typ, ttl, lease, explicitMaxTTL, period, displayName, entityAlias string
	policies                                                              []string
	meta                                                                  map[string]string
	noParent, noDefaultPolicy, renewable                                  bool
	numUses                                                               int
}

// parseCreateRequest reads the fields the framework has validated
// against the path's schema (createFields).
func parseCreateRequest(d *logical.FieldData) createRequest {
	in := createRequest{
		id: d.String("id"), typ: d.String("type"), ttl: d.String("ttl"), lease: d.String("lease"),
		explicitMaxTTL: d.String("explicit_max_ttl"), period: d.String("period"), displayName: d.String("display_name"),
		entityAlias: d.String("entity_alias"), policies: d.Strings("policies"),
		noParent: d.Bool("no_parent"), noDefaultPolicy: d.Bool("no_default_policy"), renewable: d.Bool("renewable"),
		numUses: d.Int("num_uses"),
	}
	if meta, ok := d.GetOk("meta"); ok {
		in.meta = meta.(map[string]string)
	}
	return in
}

// parseSignedDuration is parseutil.ParseDurationSecond on a string field,
// which keeps the sign so the caller can say "must be positive".
func parseSignedDuration(s string) (time.Duration, string) {
	neg := strings.HasPrefix(strings.TrimSpace(s), "-")
	d, err := logical.ParseDurationSecond(strings.TrimPrefix(strings.TrimSpace(s), "-"))
	if err != nil {
		return 0, err.Error()
	}
	if neg {
		d = -d
	}
	return d, ""
}

func subset(super, sub []string) bool {
	for _, s := range sub {
		if !slices.Contains(super, s) {
			return false
		}
	}
	return true
}

func remove(list []string, s string) []string {
	out := []string{}
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
