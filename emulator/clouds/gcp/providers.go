package gcp

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/tfcemu/tfcemu/emulator/clouds"
)

// IssuerPlaceholder in a provider's issuer_uri stands for the emulator's own
// issuer URL (Config.Issuer), known only once it listens.
const IssuerPlaceholder = clouds.IssuerPlaceholder

// Provider is a workload identity pool OIDC provider, in the shape of the
// google_iam_workload_identity_pool_provider Terraform resource.
type Provider struct {
	// AttributeMapping maps google.* and attribute.* names to CEL
	// expressions over assertion; default google.subject=assertion.sub.
	AttributeMapping map[string]string `json:"attribute_mapping,omitempty" yaml:"attribute_mapping,omitempty"`
	// AttributeCondition is a CEL boolean over assertion, google and
	// attribute; empty accepts every credential.
	AttributeCondition string `json:"attribute_condition,omitempty" yaml:"attribute_condition,omitempty"`
	OIDC               OIDC   `json:"oidc" yaml:"oidc"`
	// Disabled providers refuse every exchange (invalid_target).
	Disabled bool `json:"disabled" yaml:"disabled"`
}

// OIDC is a provider's OIDC block.
type OIDC struct {
	// IssuerURI is the token issuer (iss), or IssuerPlaceholder.
	IssuerURI string `json:"issuer_uri" yaml:"issuer_uri"`
	// AllowedAudiences lists accepted aud values; empty accepts the
	// provider's full resource name with and without https:.
	AllowedAudiences []string `json:"allowed_audiences,omitempty" yaml:"allowed_audiences,omitempty"`
}

// ServiceAccount is a service account's roles/iam.workloadIdentityUser
// binding: the principals allowed to impersonate it.
type ServiceAccount struct {
	Members []string `json:"members" yaml:"members"`
}

// Limits Google documents for providers (attribute condition length, the
// mapping's total size) and ids.
const (
	maxCondition = 4096
	maxMapping   = 8192
	celCostLimit = 100000
)

// ProviderName is the resource name projects/N/locations/global/workloadIdentityPools/P/providers/X.
func ProviderName(project, pool, provider string) string {
	return "projects/" + project + "/locations/global/workloadIdentityPools/" + pool + "/providers/" + provider
}

// celEnvs are the CEL environments of mappings (assertion only) and
// conditions (assertion, google, attribute), each with its type checker
// ready. Building them (the checker's declarations most of all) and a
// first compile are milliseconds of CPU: the first compile waits for
// them, and Warm builds them in the background after a start.
var celEnvs = sync.OnceValues(func() (*cel.Env, *cel.Env) {
	m, err := cel.NewEnv(cel.Variable("assertion", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		panic(err)
	}
	c, err := m.Extend(
		cel.Variable("google", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("attribute", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		panic(err)
	}
	// A first compile builds each environment's checker, and the parser's
	// and the planner's caches of the constructs a seed uses (a field, a
	// comparison).
	for _, env := range []*cel.Env{m, c} {
		if _, err := compileCEL(env, `assertion.sub == "x" && assertion["sub"] != ""`, true); err != nil {
			panic(err)
		}
	}
	return m, c
})

// mappingEnv is the environment of attribute mappings.
func mappingEnv() *cel.Env { m, _ := celEnvs(); return m }

// conditionEnv is the environment of attribute conditions.
func conditionEnv() *cel.Env { _, c := celEnvs(); return c }

// compiled is a provider with its CEL programs, ready to evaluate once
// programs has returned.
type compiled struct {
	Provider
	once      sync.Once // compiles mapping and condition (programs)
	err       error
	mapping   map[string]cel.Program
	condition cel.Program
}

// compileProvider validates p (name included) and compiles its CEL,
// collecting every problem; a CEL error names the expression and position.
// When each of its expressions compiled before with this tfcemu binary
// (celChecks, kept in the user's cache directory), the compile is left to
// the provider's first use or Warm: CEL is most of the CPU a start spends,
// and a second start with the same seed need not spend it before it is
// ready.
func compileProvider(name string, p Provider) (*compiled, error) {
	var problems []string
	if matchProviderName(name) == nil {
		problems = append(problems, fmt.Sprintf("provider name %q is not projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (ids 4-32 of [a-z0-9-])", name))
	}
	if p.OIDC.IssuerURI == "" {
		problems = append(problems, "oidc.issuer_uri is required")
	} else if p.OIDC.IssuerURI != IssuerPlaceholder {
		u, err := url.Parse(p.OIDC.IssuerURI)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("oidc.issuer_uri %q must be an http(s) URL", p.OIDC.IssuerURI))
		}
	}
	for i, a := range p.OIDC.AllowedAudiences {
		if a == "" {
			problems = append(problems, fmt.Sprintf("oidc.allowed_audiences[%d] is empty", i))
		}
	}
	c := &compiled{Provider: p}
	if len(c.AttributeMapping) == 0 {
		c.AttributeMapping = map[string]string{"google.subject": "assertion.sub"}
	}
	c.AttributeMapping = maps.Clone(c.AttributeMapping)
	if _, ok := c.AttributeMapping["google.subject"]; !ok {
		problems = append(problems, "attribute_mapping must map google.subject")
	}
	exprs := c.expressions()
	later := celChecks.known(exprs)
	problems = append(problems, c.check(!later)...)
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	if !later {
		c.once.Do(func() {}) // compiled by check
		celChecks.remember(exprs)
	}
	return c, nil
}

// check validates the mapping's keys and sizes and the condition's size,
// compiling each expression when compile is set, and returns the
// problems; a CEL error names the expression and position.
func (c *compiled) check(compile bool) []string {
	var problems []string
	c.mapping = map[string]cel.Program{}
	size := 0
	for _, key := range slices.Sorted(maps.Keys(c.AttributeMapping)) {
		expr := c.AttributeMapping[key]
		size += len(key) + len(expr)
		if !slices.Contains(googleNames, key) && !isAttributeName(key) {
			problems = append(problems, fmt.Sprintf("attribute_mapping key %q is neither google.{subject,groups,display_name,profile_photo,posix_username} nor attribute.NAME (NAME of [a-z0-9_], up to 100)", key))
			continue
		}
		if !compile {
			continue
		}
		prg, err := compileCEL(mappingEnv(), expr, false)
		if err != nil {
			problems = append(problems, fmt.Sprintf("attribute_mapping[%q]: %v", key, err))
			continue
		}
		c.mapping[key] = prg
	}
	if size > maxMapping {
		problems = append(problems, fmt.Sprintf("attribute_mapping is %d bytes, over the %d allowed", size, maxMapping))
	}
	if len(c.AttributeCondition) > maxCondition {
		problems = append(problems, fmt.Sprintf("attribute_condition is %d characters, over the %d allowed", len(c.AttributeCondition), maxCondition))
	} else if c.AttributeCondition != "" && compile {
		prg, err := compileCEL(conditionEnv(), c.AttributeCondition, true)
		if err != nil {
			problems = append(problems, fmt.Sprintf("attribute_condition: %v", err))
		}
		c.condition = prg
	}
	return problems
}

// programs compiles the provider's CEL when compileProvider left it for
// later; an error (an expression that compiled before with this binary
// no longer does: a changed cache file) makes the provider refuse
// exchanges.
func (c *compiled) programs() error {
	c.once.Do(func() {
		if problems := c.check(true); len(problems) > 0 {
			c.err = errors.New(strings.Join(problems, "; "))
		}
	})
	return c.err
}

// expressions are the provider's CEL expressions as celChecks knows them:
// each with its environment.
func (c *compiled) expressions() []string {
	out := make([]string, 0, len(c.AttributeMapping)+1)
	for _, expr := range c.AttributeMapping {
		out = append(out, "mapping\x00"+expr)
	}
	if c.AttributeCondition != "" {
		out = append(out, "condition\x00"+c.AttributeCondition)
	}
	return out
}

// compileCEL compiles expr in env (to a bool when boolean), or returns
// the program it compiled before (programs).
func compileCEL(env *cel.Env, expr string, boolean bool) (cel.Program, error) {
	key := programKey{env: env, expr: expr, boolean: boolean}
	if prg, ok := programs.get(key); ok {
		return prg, nil
	}
	prg, err := compileCELUncached(env, expr, boolean)
	if err == nil {
		programs.put(key, prg)
	}
	return prg, err
}

func compileCELUncached(env *cel.Env, expr string, boolean bool) (cel.Program, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("empty expression")
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, errors.New(strings.ReplaceAll(iss.Err().Error(), "\n", " "))
	}
	if out := ast.OutputType(); boolean && out != cel.BoolType && out != cel.DynType {
		return nil, fmt.Errorf("%q evaluates to %s, not bool", expr, out)
	}
	return env.Program(ast, cel.CostLimit(celCostLimit))
}

// mapped is the result of a provider's attribute mapping.
type mapped struct {
	Subject    string
	Groups     []string
	Attributes map[string][]string // attribute.NAME without the prefix
	Google     map[string]any
}

// evalMapping runs the mapping over the token's claims. notes explain
// attributes left out because their expression failed.
func (c *compiled) evalMapping(assertion map[string]any) (m mapped, notes []string, err error) {
	m = mapped{Attributes: map[string][]string{}, Google: map[string]any{}}
	for _, key := range slices.Sorted(maps.Keys(c.mapping)) {
		out, _, evalErr := c.mapping[key].Eval(map[string]any{"assertion": assertion})
		var values []string
		if evalErr == nil {
			values, evalErr = stringValues(out)
		}
		if evalErr != nil {
			if key == "google.subject" {
				return m, notes, fmt.Errorf("google.subject mapping %q failed: %v", c.AttributeMapping[key], evalErr)
			}
			notes = append(notes, fmt.Sprintf("%s mapping %q left out: %v", key, c.AttributeMapping[key], evalErr))
			continue
		}
		switch name, isAttr := strings.CutPrefix(key, "attribute."); {
		case isAttr:
			m.Attributes[name] = values
		case key == "google.groups":
			m.Groups = values
			m.Google["groups"] = values
		case key == "google.subject":
			if len(values) != 1 || values[0] == "" {
				return m, notes, fmt.Errorf("google.subject mapping %q gave no single value", c.AttributeMapping[key])
			}
			if len(values[0]) > 127 {
				return m, notes, fmt.Errorf("google.subject %q is over 127 bytes", values[0])
			}
			m.Subject = values[0]
			m.Google["subject"] = values[0]
		default:
			if len(values) > 0 {
				m.Google[strings.TrimPrefix(key, "google.")] = values[0]
			}
		}
	}
	return m, notes, nil
}

// stringValues turns a CEL result into strings: a string, or a list of them.
func stringValues(v ref.Val) ([]string, error) {
	if types.IsError(v) {
		return nil, fmt.Errorf("%v", v)
	}
	if s, ok := v.Value().(string); ok {
		return []string{s}, nil
	}
	list, err := v.ConvertToNative(reflect.TypeFor[[]string]())
	if err != nil {
		return nil, fmt.Errorf("evaluates to %s, not a string or a list of strings", v.Type().TypeName())
	}
	return list.([]string), nil
}

// evalCondition runs the attribute condition; a condition that errors
// rejects the credential.
func (c *compiled) evalCondition(assertion map[string]any, m mapped) (bool, string) {
	if c.condition == nil {
		return true, "no attribute condition"
	}
	attrs := map[string]any{}
	for k, v := range m.Attributes {
		if len(v) == 1 {
			attrs[k] = v[0]
		} else {
			attrs[k] = v
		}
	}
	out, _, err := c.condition.Eval(map[string]any{"assertion": assertion, "google": m.Google, "attribute": attrs})
	if err != nil {
		return false, fmt.Sprintf("attribute condition %q failed to evaluate: %v", c.AttributeCondition, err)
	}
	if b, ok := out.Value().(bool); ok && b {
		return true, fmt.Sprintf("attribute condition %q is true", c.AttributeCondition)
	}
	return false, fmt.Sprintf("attribute condition %q is %v", c.AttributeCondition, out.Value())
}

// validateMembers checks a service account's members: principal and
// principalSet identifiers of workload identity pools, or other IAM member
// kinds (kept, never matched by federated tokens).
func validateMembers(members []string) error {
	var problems []string
	for i, m := range members {
		if sub := matchPoolMember(m); sub != nil {
			rest := sub[4]
			ok := false
			switch sub[1] {
			case "principal":
				s, found := strings.CutPrefix(rest, "subject/")
				ok = found && s != ""
			case "principalSet":
				if rest == "*" {
					ok = true
				} else if g, found := strings.CutPrefix(rest, "group/"); found {
					ok = g != ""
				} else if name, value, found := strings.Cut(rest, "/"); found {
					ok = isAttributeName(name) && value != ""
				}
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("members[%d] %q: expected …/subject/S, …/attribute.NAME/VALUE, …/group/G or …/*", i, m))
			}
			continue
		}
		kind, _, _ := strings.Cut(m, ":")
		if !slices.Contains([]string{"user", "serviceAccount", "group", "domain"}, kind) || !strings.Contains(m, ":") {
			problems = append(problems, fmt.Sprintf("members[%d] %q is not a principal://, principalSet://, user:, serviceAccount:, group: or domain: member", i, m))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// memberMatch reports whether member admits the federated principal t.
func memberMatch(member string, t federatedToken) bool {
	sub := matchPoolMember(member)
	if sub == nil || sub[2] != t.Project || sub[3] != t.Pool {
		return false
	}
	rest := sub[4]
	if sub[1] == "principal" {
		return rest == "subject/"+t.Subject
	}
	if rest == "*" {
		return true
	}
	if g, ok := strings.CutPrefix(rest, "group/"); ok {
		return slices.Contains(t.Groups, g)
	}
	name, value, _ := strings.Cut(rest, "/")
	return slices.Contains(t.Attributes[strings.TrimPrefix(name, "attribute.")], value)
}
