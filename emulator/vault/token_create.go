package vault

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// displayNameSanitize is Vault's: anything but letters, digits and '-'
// becomes '-'.
var displayNameSanitize = regexp.MustCompile("[^a-zA-Z0-9-]")

// nonAssignablePolicies are Vault's internal policies no token may carry.
var nonAssignablePolicies = []string{"response-wrapping", "control-group"}

// createToken is handleCreateCommon without token roles.
func (s *Server) createToken(req *request, parent *token, orphan bool) tokenResult {
	in, bad := parseCreateRequest(req.data)
	if bad != "" {
		return tokenErr(http.StatusBadRequest, bad)
	}
	s.mu.RLock()
	parentUses, parentPolicies, parentEntity, parentTTL := parent.NumUses, parent.Policies, parent.EntityID, parent.TTL
	s.mu.RUnlock()
	if parentUses > 0 {
		return tokenErr(http.StatusBadRequest, "restricted use token cannot generate child tokens")
	}
	isSudo := parent.root() || contains(s.capabilities(parent, "auth/token/"+strings.TrimPrefix(req.path, "auth/token/")), "sudo")
	switch in.typ {
	case "", "service":
	case "batch":
		// Vault refuses a root batch token before anything else about it.
		if (len(in.policies) == 0 && parent.root()) || contains(in.policies, "root") {
			return tokenErr(http.StatusBadRequest, "batch tokens cannot be root tokens")
		}
		return tokenErr(http.StatusBadRequest, "batch tokens are not supported by tfcemu")
	default:
		return tokenErr(http.StatusBadRequest, "invalid 'token_type' value")
	}
	if in.numUses < 0 {
		return tokenErr(http.StatusBadRequest, "number of uses cannot be negative")
	}
	if in.entityAlias != "" {
		return tokenErr(http.StatusBadRequest, "'entity_alias' is only allowed in combination with token role")
	}
	now := req.now
	t := &token{
		Parent: parent.ID, Path: strings.TrimSuffix(req.path, "/"), Metadata: in.meta, DisplayName: "token",
		NumUses: in.numUses, CreationTime: now, IssueTime: now,
	}
	if in.displayName != "" {
		t.DisplayName = strings.TrimSuffix(displayNameSanitize.ReplaceAllString("token-"+in.displayName, "-"), "-")
	}
	var warnings []string
	if in.id != "" {
		switch {
		case !isSudo:
			return tokenErr(http.StatusBadRequest, "root or sudo privileges required to specify token id")
		case strings.HasPrefix(in.id, "hvs."):
			return tokenErr(http.StatusBadRequest, "custom token ID cannot have the 'hvs.' prefix")
		case strings.HasPrefix(in.id, "s."):
			return tokenErr(http.StatusBadRequest, "custom token ID cannot have the 's.' prefix")
		case strings.Contains(in.id, "."):
			return tokenErr(http.StatusBadRequest, "custom token ID cannot have a '.' in the value")
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
			return tokenErr(http.StatusBadRequest, "child policies must be subset of parent")
		}
		addDefault = !in.noDefaultPolicy && contains(parentPolicies, "default")
	default:
		addDefault = !in.noDefaultPolicy
	}
	t.Policies = sanitizePolicies(policies, addDefault)
	if in.noDefaultPolicy {
		t.Policies = remove(t.Policies, "default")
	}
	for _, p := range t.Policies {
		if contains(nonAssignablePolicies, p) {
			return tokenErr(http.StatusBadRequest, fmt.Sprintf("cannot assign policy %q", p))
		}
	}
	if t.root() && !contains(parentPolicies, "root") {
		return tokenErr(http.StatusBadRequest, "root tokens may not be created without parent token being root")
	}
	if in.noParent {
		if !isSudo {
			return tokenErr(http.StatusBadRequest, "root or sudo privileges required to create orphan token")
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
			return tokenErr(http.StatusBadRequest, msg)
		case d < 0:
			return tokenErr(http.StatusBadRequest, "explicit_max_ttl must be positive")
		}
		explicitMax = d
	}
	if in.period != "" {
		d, msg := parseSignedDuration(in.period)
		switch {
		case msg != "":
			return tokenErr(http.StatusBadRequest, msg)
		case d < 0:
			return tokenErr(http.StatusBadRequest, "period must be positive")
		case d > 0 && !isSudo:
			return tokenErr(http.StatusBadRequest, "root or sudo privileges required to create periodic token")
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
			return tokenErr(http.StatusBadRequest, msg)
		case d < 0:
			return tokenErr(http.StatusBadRequest, f.name+" must be positive")
		}
		t.TTL = d
		break
	}
	t.Period, t.ExplicitMaxTTL = period, explicitMax
	if period > 0 || t.TTL > 0 || !t.root() {
		ttl, warn, err := calculateTTL(system{s.tokenMount}, 0, t.TTL, period, 0, explicitMax, now, now)
		if err != nil {
			return tokenErr(http.StatusInternalServerError, multierror(err.Error()))
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
			return tokenErr(http.StatusBadRequest, "expiring root tokens cannot create non-expiring root tokens")
		}
		renewable = false
	} else {
		t.ExpireTime = now.Add(t.TTL)
	}
	t.Renewable = renewable
	t.Accessor = randomBase62(24)
	if t.ID != "" {
		warnings = append(warnings, "Supplying a custom ID for the token uses the weaker SHA1 hashing instead of the more secure SHA2-256 HMAC for token obfuscation. SHA1 hashed tokens on the wire leads to less secure lookups.")
	} else if len(t.Policies) == 1 && t.Policies[0] == "root" {
		// Root tokens are not server-side consistent tokens: "hvs." and
		// 24 random characters (GenerateSSCTokenID).
		t.ID = "hvs." + randomBase62(24)
	} else {
		t.ID = s.newServiceTokenID()
	}
	s.mu.Lock()
	if _, dup := s.tokens[t.ID]; dup {
		s.mu.Unlock()
		return tokenErr(http.StatusBadRequest, "cannot create a token with a duplicate ID")
	}
	s.tokens[t.ID] = t
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
	if unknown := unknownCreateFields(req.data); len(unknown) > 0 {
		warnings = append(warnings, fmt.Sprintf("Endpoint ignored these unrecognized parameters: %v", unknown))
	}
	return tokenResult{auth: t.authBlock(t.TTL, renewable), warnings: warnings}
}

// createFields are the fields of auth/token/create and create-orphan.
var createFields = []string{"display_name", "explicit_max_ttl", "entity_alias", "num_uses", "period", "renewable", "ttl",
	"lease", "type", "no_default_policy", "id", "meta", "no_parent", "policies"}

// unknownCreateFields are the request's fields the path does not define,
// sorted, which the framework names in a warning.
func unknownCreateFields(data map[string]any) []string {
	var out []string
	for k := range data {
		if !contains(createFields, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// createRequest is auth/token/create's fields.
type createRequest struct {
	id, typ, ttl, lease, explicitMaxTTL, period, displayName, entityAlias string
	policies                                                              []string
	meta                                                                  map[string]string
	noParent, noDefaultPolicy, renewable                                  bool
	numUses                                                               int
}

// parseCreateRequest decodes the fields as Vault's framework does, with
// its "Field validation failed" message for a value of the wrong type.
func parseCreateRequest(data map[string]any) (createRequest, string) {
	r := &logical.Request{Data: data}
	in := createRequest{renewable: true}
	for field, dst := range map[string]*string{
		"id": &in.id, "type": &in.typ, "ttl": &in.ttl, "lease": &in.lease, "explicit_max_ttl": &in.explicitMaxTTL,
		"period": &in.period, "display_name": &in.displayName, "entity_alias": &in.entityAlias,
	} {
		v, _, err := r.String(field)
		if err != nil {
			return in, logical.FieldError(field, err).Error()
		}
		*dst = v
	}
	for field, dst := range map[string]*bool{"no_parent": &in.noParent, "no_default_policy": &in.noDefaultPolicy, "renewable": &in.renewable} {
		v, sent, err := r.Bool(field)
		if err != nil {
			return in, logical.FieldError(field, err).Error()
		}
		if sent {
			*dst = v
		}
	}
	policies, _, err := r.CommaStrings("policies")
	if err != nil {
		return in, logical.FieldError("policies", err).Error()
	}
	in.policies = policies
	if v, ok := data["num_uses"]; ok && v != nil {
		n, err := intField(v)
		if err != nil {
			return in, logical.FieldError("num_uses", err).Error()
		}
		in.numUses = n
	}
	meta, sent, err := r.Map("meta")
	if err != nil {
		return in, logical.FieldError("meta", err).Error()
	}
	if sent {
		in.meta = map[string]string{}
		for k, v := range meta {
			s, ok := v.(string)
			if !ok {
				return in, logical.FieldError("meta", fmt.Errorf("'%s' expected type 'string', got unconvertible type '%T'", k, v)).Error()
			}
			in.meta[k] = s
		}
	}
	return in, ""
}

func intField(v any) (int, error) {
	switch t := v.(type) {
	case json.Number:
		n, err := t.Int64()
		return int(n), err
	case string:
		if t == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(t)
		if err != nil {
			return 0, fmt.Errorf("cannot parse '' as int: %s", err)
		}
		return n, nil
	case float64:
		return int(t), nil
	case bool:
		if t {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("'%v' expected type 'int', got unconvertible type '%T'", v, v)
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
		if !contains(super, s) {
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
