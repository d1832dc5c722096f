package vault

import (
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"

	gomultierror "github.com/hashicorp/go-multierror"
	"github.com/hashicorp/hcl"
	"github.com/hashicorp/hcl/hcl/ast"
	hclparser "github.com/hashicorp/hcl/hcl/parser"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// defaultPolicyText is the text of Vault's built-in "default" policy
// (vault/policy_store.go).
const defaultPolicyText = `
# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own entity by id or name
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}


# Allow a token to look up its resultant ACL from all policies. This is useful
# for UIs. It is an internal path because the format may change at any time
# based on how the internal ACL features and capabilities change.
path "sys/internal/ui/resultant-acl" {
    capabilities = ["read"]
}

# Allow a token to renew a lease via lease_id in the request body; old path for
# old clients, new path for newer
path "sys/renew" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}

# Allow looking up lease properties. This requires knowing the lease ID ahead
# of time and does not divulge any sensitive information.
path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Allow a token to manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}

# Allow a token to wrap arbitrary values in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# Allow a token to look up the creation time and TTL of a given
# response-wrapping token
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# Allow a token to unwrap a response-wrapping token. This is a convenience to
# avoid client token swapping since this is also part of the response wrapping
# policy.
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Allow general purpose tools
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}

# Allow checking the status of a Control Group request if the user has the
# accessor
path "sys/control-group/request" {
    capabilities = ["update"]
}

# Allow a token to make requests to the Authorization Endpoint for OIDC providers.
path "identity/oidc/provider/+/authorize" {
    capabilities = ["read", "update"]
}
`

// Capability bits, as Vault's policy.go numbers them.
const (
	capDeny uint32 = 1 << iota
	capCreate
	capRead
	capUpdate
	capDelete
	capList
	capSudo
	capPatch
	capSubscribe
	capRecover
)

var capNames = map[string]uint32{
	"deny": capDeny, "create": capCreate, "read": capRead, "update": capUpdate, "delete": capDelete,
	"list": capList, "sudo": capSudo, "patch": capPatch, "subscribe": capSubscribe, "recover": capRecover,
}

// policy is a named ACL policy: its raw HCL and its parsed path rules.
type policy struct {
	Name  string
	Raw   string
	Paths []pathRule
}

// pathRule is one `path "..." { capabilities = [...] }` block.
type pathRule struct {
	Path             string // without a trailing '*' when IsPrefix
	IsPrefix         bool
	SegmentWildcards bool
	Caps             uint32
}

// hclPathRules is what a path block decodes into; the parameter and
// wrapping constraints are accepted and not enforced.
type hclPathRules struct {
	Policy              string                   `hcl:"policy"`
	Capabilities        []string                 `hcl:"capabilities"`
	Comment             string                   `hcl:"comment"`
	AllowedParameters   map[string][]interface{} `hcl:"allowed_parameters"`
	DeniedParameters    map[string][]interface{} `hcl:"denied_parameters"`
	RequiredParameters  []string                 `hcl:"required_parameters"`
	MinWrappingTTL      interface{}              `hcl:"min_wrapping_ttl"`
	MaxWrappingTTL      interface{}              `hcl:"max_wrapping_ttl"`
	MFAMethods          []string                 `hcl:"mfa_methods"`
	SubscribeEventTypes []string                 `hcl:"subscribe_event_types"`
}

// parsePolicy is Vault's ParseACLPolicyCheckDuplicates: HCL v1 (Vault's
// fork), top-level keys name and path, each path's keys and capabilities
// checked with Vault's messages. duplicate reports attributes set twice,
// which Vault still accepts with a warning.
func parsePolicy(name, rules string) (p *policy, duplicate bool, err error) {
	root, err := hclparser.Parse([]byte(rules))
	if err != nil && strings.Contains(err.Error(), "Each argument can only be defined once") {
		duplicate = true
		root, err = hclparser.ParseDontErrorOnDuplicateKeys([]byte(rules))
	}
	if err != nil {
		return nil, duplicate, fmt.Errorf("failed to parse policy: %w", err)
	}
	list, ok := root.Node.(*ast.ObjectList)
	if !ok {
		return nil, duplicate, fmt.Errorf("failed to parse policy: does not contain a root object")
	}
	if err := checkHCLKeys(list, "name", "path"); err != nil {
		return nil, duplicate, fmt.Errorf("failed to parse policy: %w", err)
	}
	p = &policy{Name: name, Raw: rules}
	for _, item := range list.Filter("path").Items {
		rule, err := parsePathRule(item)
		if err != nil {
			return nil, duplicate, fmt.Errorf("failed to parse policy: %w", err)
		}
		if rule != nil {
			p.Paths = append(p.Paths, *rule)
		}
	}
	return p, duplicate, nil
}

func parsePathRule(item *ast.ObjectItem) (*pathRule, error) {
	key := "path"
	if len(item.Keys) > 0 {
		key, _ = item.Keys[0].Token.Value().(string)
	}
	if err := checkHCLKeys(item.Val, "comment", "policy", "capabilities", "allowed_parameters", "denied_parameters",
		"required_parameters", "min_wrapping_ttl", "max_wrapping_ttl", "mfa_methods", "control_group", "subscribe_event_types"); err != nil {
		return nil, gomultierror.Prefix(err, fmt.Sprintf("path %q:", key))
	}
	var pc hclPathRules
	if err := hcl.DecodeObject(&pc, item.Val); err != nil {
		return nil, gomultierror.Prefix(err, fmt.Sprintf("path %q:", key))
	}
	path := strings.TrimPrefix(key, "/")
	if strings.Contains(path, "+*") {
		return nil, fmt.Errorf("path %q: invalid use of wildcards ('+*' is forbidden)", path)
	}
	rule := &pathRule{Path: path}
	if path == "+" || strings.Count(path, "/+") > 0 || strings.HasPrefix(path, "+/") {
		rule.SegmentWildcards = true
	}
	if strings.HasSuffix(path, "*") && !rule.SegmentWildcards {
		rule.Path, rule.IsPrefix = strings.TrimSuffix(path, "*"), true
	}
	caps := pc.Capabilities
	switch pc.Policy {
	case "":
	case "deny":
		caps = []string{"deny"}
	case "read":
		caps = append(caps, "read", "list")
	case "write":
		caps = append(caps, "create", "read", "update", "delete", "list")
	case "sudo":
		caps = append(caps, "create", "read", "update", "delete", "list", "sudo")
	default:
		return nil, fmt.Errorf("path %q: invalid policy %q", key, pc.Policy)
	}
	for _, c := range caps {
		bit, ok := capNames[c]
		if !ok {
			return nil, fmt.Errorf("path %q: invalid capability %q", key, c)
		}
		if bit == capDeny {
			rule.Caps = capDeny
			break
		}
		rule.Caps |= bit
	}
	// Templated paths ({{identity...}}) name the token's entity, which the
	// emulator's tokens do not have in Vault's identity store: such a rule
	// matches nothing, as Vault drops a template it cannot fill.
	if strings.Contains(path, "{{") {
		return nil, nil
	}
	return rule, nil
}

// checkHCLKeys is Vault's hclutil.CheckHCLKeys.
func checkHCLKeys(node ast.Node, valid ...string) error {
	var list *ast.ObjectList
	switch n := node.(type) {
	case *ast.ObjectList:
		list = n
	case *ast.ObjectType:
		list = n.List
	default:
		return fmt.Errorf("cannot check HCL keys of type %T", n)
	}
	var result error
	for _, item := range list.Items {
		key, _ := item.Keys[0].Token.Value().(string)
		if !slices.Contains(valid, key) {
			result = gomultierror.Append(result, fmt.Errorf("invalid key %q on line %d", key, item.Assign.Line))
		}
	}
	return result
}

// policyName is the policy a sys/policy or sys/policies/acl call names.
func policyName(c *call) string { return strings.TrimSuffix(capture(c, "name"), "/") }

// readPolicy reads a policy: "rules" on the legacy path, "policy" on
// sys/policies/acl.
func (s *Server) readPolicy(legacy bool) handler {
	return func(c *call) (*logical.Response, error) {
		name := policyName(c)
		s.mu.RLock()
		p, ok := s.policies[strings.ToLower(name)]
		s.mu.RUnlock()
		if name == "root" {
			p, ok = &policy{Name: "root"}, true
		}
		if !ok {
			return nil, nil
		}
		if legacy {
			return &logical.Response{Data: map[string]any{"name": p.Name, "rules": p.Raw}}, nil
		}
		return &logical.Response{Data: map[string]any{"name": p.Name, "policy": p.Raw}}, nil
	}
}

// deletePolicy deletes a policy; root and default stay.
func (s *Server) deletePolicy(c *call) (*logical.Response, error) {
	lname := strings.ToLower(policyName(c))
	switch lname {
	case "root":
		return logical.ErrorResponse(`cannot delete "root" policy`), nil
	case "default":
		return logical.ErrorResponse("cannot delete default policy"), nil
	}
	s.mu.Lock()
	delete(s.policies, lname)
	s.mu.Unlock()
	return nil, nil
}

// setPolicy is handlePoliciesSet for ACL policies.
func (s *Server) setPolicy(legacy bool) handler {
	return func(c *call) (*logical.Response, error) {
		name := policyName(c)
		var warnings []string
		lname := strings.ToLower(name)
		if lname != name {
			warnings = append(warnings, "policy name was converted to "+lname)
		}
		raw := c.d.String("policy")
		if raw == "" && legacy {
			raw = c.d.String("rules")
			warnings = append(warnings, "'rules' is deprecated, please use 'policy' instead")
		}
		if raw == "" {
			return logical.ErrorResponse("'policy' parameter not supplied or empty"), nil
		}
		if b, err := base64.StdEncoding.DecodeString(raw); err == nil {
			raw = string(b)
		}
		p, duplicate, err := parsePolicy(lname, raw)
		if err != nil {
			return logical.ErrorResponse("%s", err), nil
		}
		if slices.Contains([]string{"root", "response-wrapping", "control-group"}, lname) {
			return logical.ErrorResponse("cannot update %q policy", lname), nil
		}
		s.mu.Lock()
		s.policies[lname] = p
		s.mu.Unlock()
		if duplicate {
			warnings = append(warnings, "policy contains duplicate attributes, which will no longer be supported in a future version")
		}
		if warnings == nil {
			return nil, nil
		}
		return &logical.Response{Warnings: warnings}, nil
	}
}

// listPoliciesOp answers the stored names sorted, then "root", as Vault
// appends it; the legacy path repeats them under "policies".
func (s *Server) listPoliciesOp(legacy bool) handler {
	return func(*call) (*logical.Response, error) {
		s.mu.RLock()
		names := make([]string, 0, len(s.policies)+1)
		for n := range s.policies {
			names = append(names, n)
		}
		s.mu.RUnlock()
		sort.Strings(names)
		names = append(names, "root")
		data := map[string]any{"keys": names}
		if legacy {
			data["policies"] = names
		}
		return &logical.Response{Data: data}, nil
	}
}
