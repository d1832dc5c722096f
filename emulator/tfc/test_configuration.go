package tfc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// providerAttrs lists each OIDC provider's configuration attributes: which
// are required, and the defaults of the optional ones.
var providerAttrs = map[string]struct {
	required []string
	defaults map[string]string
	optional []string
}{
	"aws":   {required: []string{"role-arn"}, defaults: map[string]string{"audience": "aws.workload.identity"}},
	"gcp":   {required: []string{"service-account-email", "workload-provider-name"}, defaults: map[string]string{"audience": "gcp.workload.identity"}},
	"azure": {required: []string{"tenant-id", "client-id", "subscription-id"}, defaults: map[string]string{"audience": "azure.workload.identity"}},
	"vault": {required: []string{"url", "role-name"}, defaults: map[string]string{"audience": "vault.workload.identity", "auth-path": "jwt"}, optional: []string{"namespace"}},
}

type testConfigAttributes struct {
	OIDCEnabled  bool    `json:"oidc-enabled"`
	OIDCProvider *string `json:"oidc-provider"`
	CreatedAt    string  `json:"created-at"`
	UpdatedAt    string  `json:"updated-at"`
}

// testConfigResource never shows the provider configuration: the document
// keeps role ARNs and service accounts out of responses.
func testConfigResource(m *RegistryModule) Resource {
	tc := m.TestConfig
	var provider *string
	if tc.Provider != "" {
		p := tc.Provider
		provider = &p
	}
	return Resource{
		ID:   tc.ID,
		Type: "test-configurations",
		Attributes: testConfigAttributes{OIDCEnabled: tc.Enabled, OIDCProvider: provider,
			CreatedAt: Timestamp(tc.CreatedAt), UpdatedAt: Timestamp(tc.UpdatedAt)},
		Relationships: map[string]Relationship{"registry-module": toOne("registry-modules", m.ID)},
		Links:         map[string]string{"self": fmt.Sprintf("/api/v2/registry-modules/%s/%s/%s/%s/test-configuration", m.RegistryName, m.Namespace, m.Name, m.Provider)},
	}
}

// testConfigModule finds the module of a test-configuration path. The
// namespace is the organization for private modules.
func (st *State) testConfigModule(p principal, mp modulePath) (*RegistryModule, error) {
	m, ok := st.moduleByPath(mp.namespace, mp.registry, mp.namespace, mp.name, mp.provider)
	if !ok || !st.memberOf(p, m.Org) {
		return nil, errModuleNotFound()
	}
	return m, nil
}

func (s *Service) readTestConfig(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		m, err := st.testConfigModule(c.p, c.modulePath())
		if err != nil {
			return nil, err
		}
		return Document{Data: testConfigResource(m)}, nil
	})
}

type testConfigInput struct {
	OIDCEnabled  *bool           `json:"oidc-enabled"`
	OIDCProvider *string         `json:"oidc-provider"`
	OIDCConfig   json.RawMessage `json:"oidc-configuration"`
	provider     string
	settings     map[string]string
}

// validate collects every problem, each with its pointer, and works out the
// provider settings with their defaults.
func (in *testConfigInput) validate() error {
	const base = "/data/attributes/"
	if in.OIDCEnabled == nil {
		return docInvalid(base+"oidc-enabled", "oidc-enabled is required and must be true or false")
	}
	if !*in.OIDCEnabled {
		return nil
	}
	var errs Errors
	if in.OIDCProvider == nil {
		errs = append(errs, docInvalid(base+"oidc-provider", "OIDC provider must be one of: aws, gcp, azure, vault"))
	} else if _, ok := providerAttrs[*in.OIDCProvider]; !ok {
		errs = append(errs, docInvalid(base+"oidc-provider", "OIDC provider must be one of: aws, gcp, azure, vault"))
	} else {
		in.provider = *in.OIDCProvider
	}
	raw := strings.TrimSpace(string(in.OIDCConfig))
	var cfg map[string]any
	switch {
	case raw == "" || raw == "null" || raw == "{}":
		errs = append(errs, docInvalid(base+"oidc-configuration", "OIDC configuration is required when OIDC is enabled"))
	case json.Unmarshal(in.OIDCConfig, &cfg) != nil:
		errs = append(errs, docInvalid(base+"oidc-configuration", "oidc-configuration must be an object"))
	}
	if len(errs) > 0 || in.provider == "" {
		return errs
	}
	spec := providerAttrs[in.provider]
	in.settings = map[string]string{}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ptr := base + "oidc-configuration/" + k
		_, isDefault := spec.defaults[k]
		if !slices.Contains(spec.required, k) && !isDefault && !slices.Contains(spec.optional, k) {
			errs = append(errs, docInvalid(ptr, fmt.Sprintf("%s is not an attribute of the %s provider's configuration", k, in.provider)))
			continue
		}
		v, ok := cfg[k].(string)
		if !ok {
			errs = append(errs, docInvalid(ptr, k+" must be a string"))
			continue
		}
		in.settings[k] = v
	}
	for _, k := range spec.required {
		if in.settings[k] == "" && cfg[k] == nil {
			errs = append(errs, docInvalid(base+"oidc-configuration/"+k, fmt.Sprintf("%s is required for the %s provider", k, in.provider)))
		}
	}
	for k, def := range spec.defaults {
		if in.settings[k] == "" {
			in.settings[k] = def
		}
	}
	if len(errs) > 0 {
		errs.sortByPointer()
		return errs
	}
	return nil
}

// updateTestConfig enables (with a provider and its configuration) or
// disables dynamic credentials for a module's test runs. Disabling clears
// the provider and its configuration.
func (s *Service) updateTestConfig(c *call) (int, any, error) {
	var in testConfigInput
	_, err := decodeResource(c.r, "test-configurations", &in)
	if err != nil {
		retitle(err)
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		m, err := st.testConfigModule(c.p, c.modulePath())
		if err != nil {
			return nil, err
		}
		if !st.can(c.p, m.Org, manageModules) {
			return nil, errTestConfigForbidden()
		}
		if err := in.validate(); err != nil {
			return nil, err
		}
		tc := &m.TestConfig
		tc.Enabled, tc.Provider, tc.Settings = *in.OIDCEnabled, in.provider, in.settings
		tc.UpdatedAt = c.now
		st.touch("Modules", m.ID)
		return Document{Data: testConfigResource(m)}, nil
	})
}

// retitle gives decoding errors the document's capitalized title.
func retitle(err error) {
	if e, ok := err.(*Error); ok && e.Title == "invalid attribute" {
		e.Title = docInvalidTitle
	}
}
