package tfc

import (
	"net/http"
	"time"

	"github.com/tfcemu/tfcemu/emulator/identity"
)

// Minter mints the workload identity tokens of module test runs.
type Minter interface {
	URL() string
	MintModuleTest(identity.ModuleTestRun) (identity.Token, error)
}

type testRunAttributes struct {
	Status           string            `json:"status"`
	StatusTimestamps map[string]string `json:"status-timestamps"`
	TestStatus       *string           `json:"test-status"`
	TestsPassed      int               `json:"tests-passed"`
	TestsFailed      int               `json:"tests-failed"`
	TestsErrored     int               `json:"tests-errored"`
	TestsSkipped     int               `json:"tests-skipped"`
	LogReadURL       string            `json:"log-read-url"`
	CreatedAt        string            `json:"created-at"`
}

func testRunResource(r *TestRun) Resource {
	ts := map[string]string{}
	for k, v := range r.Timestamps {
		ts[k] = v.UTC().Format(time.RFC3339)
	}
	return Resource{
		ID:   r.ID,
		Type: "test-runs",
		Attributes: testRunAttributes{Status: r.Status, StatusTimestamps: ts, CreatedAt: Timestamp(r.CreatedAt),
			LogReadURL: "/api/v2/test-runs/" + r.ID + "/logs"},
		Relationships: map[string]Relationship{
			"registry-module":       toOne("registry-modules", r.ModuleID),
			"configuration-version": toOne("configuration-versions", ""),
		},
	}
}

// testRunModule finds the module of a tests/registry-modules path.
func (st *State) testRunModule(p principal, mp modulePath, write bool) (*RegistryModule, error) {
	m, ok := st.moduleByPath(mp.org, mp.registry, mp.namespace, mp.name, mp.provider)
	if !ok || !st.memberOf(p, m.Org) || (write && !st.can(p, m.Org, manageModules)) {
		return nil, errNotFound
	}
	return m, nil
}

// createTestRun starts a test run. With the module's test configuration
// enabled, it mints the run's identity token now, for the configured
// audience, living the organization's module-test-token-ttl.
func (s *Service) createTestRun(c *call) (int, any, error) {
	if empty, err := peekEmpty(c.r); err != nil {
		return 0, nil, err
	} else if !empty {
		if _, err := decodeResource(c.r, "test-runs", nil); err != nil {
			return 0, nil, err
		}
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		m, err := st.testRunModule(c.p, c.modulePath(), true)
		if err != nil {
			return nil, err
		}
		r := &TestRun{ID: newID("trun"), ModuleID: m.ID, Status: "running", CreatedAt: c.now, seq: st.next(),
			Timestamps: map[string]time.Time{"queued-at": c.now, "started-at": c.now}}
		if tc := m.TestConfig; tc.Enabled && s.minter != nil {
			o := st.Orgs[m.Org]
			tok, err := s.minter.MintModuleTest(identity.ModuleTestRun{
				Organization: identity.Named{ID: o.ExternalID, Name: o.Name}, Module: m.FullName(), RunID: r.ID,
				Audience: tc.Settings["audience"], TTL: time.Duration(o.ModuleTestTokenTTL) * time.Second,
			})
			if err != nil {
				return nil, err
			}
			r.Token, r.Claims, r.ExpiresAt = tok.JWT, tok.Claims, tok.ExpiresAt
			r.Provider, r.Settings = tc.Provider, tc.Settings
		}
		st.TestRuns[r.ID] = r
		st.touch("TestRuns", r.ID)
		return Document{Data: testRunResource(r)}, nil
	})
}

func (s *Service) listTestRuns(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		m, err := st.testRunModule(c.p, c.modulePath(), false)
		if err != nil {
			return nil, err
		}
		var all []Resource
		for _, r := range sortedBySeq(st.TestRuns, func(r *TestRun) bool { return r.ModuleID == m.ID }) {
			all = append(all, testRunResource(r))
		}
		return paginate(c.r, all)
	})
}

func (s *Service) testRunOf(st *State, c *call, write bool) (*TestRun, error) {
	m, err := st.testRunModule(c.p, c.modulePath(), write)
	if err != nil {
		return nil, err
	}
	r, ok := st.TestRuns[c.path("run")]
	if !ok || r.ModuleID != m.ID {
		return nil, errNotFound
	}
	return r, nil
}

func (s *Service) readTestRun(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		r, err := s.testRunOf(st, c, false)
		if err != nil {
			return nil, err
		}
		return Document{Data: testRunResource(r)}, nil
	})
}

// cancelTestRun cancels a running test run; cancelling a finished one is a
// 409.
func (s *Service) cancelTestRun(force bool) handler {
	return func(c *call) (int, any, error) {
		return s.update(http.StatusAccepted, func(st *State) (any, error) {
			r, err := s.testRunOf(st, c, true)
			if err != nil {
				return nil, err
			}
			if r.Status != "running" && r.Status != "queued" {
				return nil, newError(http.StatusConflict, "conflict", "Test run is "+r.Status+" and cannot be canceled")
			}
			r.Status = "canceled"
			key := "canceled-at"
			if force {
				key = "force-canceled-at"
			}
			r.Timestamps[key] = c.now
			st.touch("TestRuns", r.ID)
			return nil, nil
		})
	}
}

// RunEnvironment is what a run phase's environment holds, as an agent
// would hand it to Terraform and to hooks.
type RunEnvironment struct {
	RunID     string            `json:"run_id"`
	Kind      string            `json:"kind"`
	Phase     string            `json:"phase"`
	Status    string            `json:"status"`
	Env       map[string]string `json:"env"`
	Token     string            `json:"token,omitempty"`
	Claims    any               `json:"claims,omitempty"`
	ExpiresAt string            `json:"expires_at,omitempty"`
}

// TestRunEnvironment is a module test run's environment: the provider
// settings of its test configuration, the issuer and audience, and its
// identity token.
func (s *Service) TestRunEnvironment(id string) (RunEnvironment, error) {
	var env RunEnvironment
	err := s.store.View(func(st *State) error {
		r, ok := st.TestRuns[id]
		if !ok {
			return ErrNotFound
		}
		env = RunEnvironment{RunID: r.ID, Kind: "module-test", Phase: "plan", Status: r.Status, Env: map[string]string{"TFC_RUN_ID": r.ID}}
		if r.Token == "" {
			return nil
		}
		env.Token, env.Claims, env.ExpiresAt = r.Token, r.Claims, r.ExpiresAt.UTC().Format(time.RFC3339)
		aud := r.Settings["audience"]
		env.Env["TFC_WORKLOAD_IDENTITY_TOKEN"] = r.Token
		env.Env["TFC_OIDC_ISSUER_URL"] = s.minter.URL()
		env.Env["TFC_OIDC_AUDIENCE"] = aud
		for k, v := range providerEnv(r.Provider, r.Settings) {
			env.Env[k] = v
		}
		return nil
	})
	return env, err
}

// providerEnv is the TFC_* dynamic credentials configuration a test run
// carries for its provider.
func providerEnv(provider string, s map[string]string) map[string]string {
	switch provider {
	case "aws":
		return map[string]string{"TFC_AWS_PROVIDER_AUTH": "true", "TFC_AWS_RUN_ROLE_ARN": s["role-arn"], "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE": s["audience"]}
	case "gcp":
		return map[string]string{"TFC_GCP_PROVIDER_AUTH": "true", "TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL": s["service-account-email"],
			"TFC_GCP_WORKLOAD_PROVIDER_NAME": s["workload-provider-name"], "TFC_GCP_WORKLOAD_IDENTITY_AUDIENCE": s["audience"]}
	case "azure":
		return map[string]string{"TFC_AZURE_PROVIDER_AUTH": "true", "TFC_AZURE_RUN_CLIENT_ID": s["client-id"],
			"ARM_TENANT_ID": s["tenant-id"], "ARM_SUBSCRIPTION_ID": s["subscription-id"], "TFC_AZURE_WORKLOAD_IDENTITY_AUDIENCE": s["audience"]}
	case "vault":
		env := map[string]string{"TFC_VAULT_PROVIDER_AUTH": "true", "TFC_VAULT_ADDR": s["url"], "TFC_VAULT_RUN_ROLE": s["role-name"],
			"TFC_VAULT_AUTH_PATH": s["auth-path"], "TFC_VAULT_WORKLOAD_IDENTITY_AUDIENCE": s["audience"]}
		if s["namespace"] != "" {
			env["TFC_VAULT_NAMESPACE"] = s["namespace"]
		}
		return env
	}
	return nil
}
