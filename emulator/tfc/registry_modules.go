package tfc

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

func (st *State) addModule(m *RegistryModule) {
	m.seq = st.next()
	m.TestConfig = TestConfiguration{ID: newID("modconf"), CreatedAt: m.CreatedAt, UpdatedAt: m.CreatedAt}
	st.Modules[m.ID] = m
	st.indexModule(m)
}

type modulePermissions struct {
	CanDelete bool `json:"can-delete"`
	CanResync bool `json:"can-resync"`
	CanRetry  bool `json:"can-retry"`
}

type moduleAttributes struct {
	Name                string            `json:"name"`
	Namespace           string            `json:"namespace"`
	RegistryName        string            `json:"registry-name"`
	Provider            string            `json:"provider"`
	Status              string            `json:"status"`
	VersionStatuses     []any             `json:"version-statuses"`
	CreatedAt           string            `json:"created-at"`
	UpdatedAt           string            `json:"updated-at"`
	PublishingMechanism *string           `json:"publishing-mechanism"`
	NoCode              bool              `json:"no-code"`
	Permissions         modulePermissions `json:"permissions"`
	VCSRepo             any               `json:"vcs-repo"`
	TestConfig          any               `json:"test-config"`
}

// moduleResource is the one representation of a registry module.
func (st *State) moduleResource(m *RegistryModule, p principal) Resource {
	manage := st.can(p, m.Org, manageModules)
	return Resource{
		ID:   m.ID,
		Type: "registry-modules",
		Attributes: moduleAttributes{
			Name: m.Name, Namespace: m.Namespace, RegistryName: m.RegistryName, Provider: m.Provider, Status: "pending",
			VersionStatuses: []any{}, CreatedAt: Timestamp(m.CreatedAt), UpdatedAt: Timestamp(m.UpdatedAt), NoCode: m.NoCode,
			Permissions: modulePermissions{CanDelete: manage, CanResync: manage, CanRetry: manage},
		},
		Relationships: map[string]Relationship{
			"organization":    toOne("organizations", m.Org),
			"no-code-modules": toMany("no-code-modules", nonEmptyIDs(m.NoCodeID)),
		},
		Links: map[string]string{"self": "/api/v2/" + m.selfPath()},
	}
}

func nonEmptyIDs(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

type noCodeAttributes struct {
	Enabled    bool   `json:"enabled"`
	VersionPin string `json:"version-pin"`
}

// noCodeResource is the no-code module of a no-code registry module.
func noCodeResource(m *RegistryModule) Resource {
	return Resource{ID: m.NoCodeID, Type: "no-code-modules", Attributes: noCodeAttributes{Enabled: true},
		Relationships: map[string]Relationship{"organization": toOne("organizations", m.Org), "registry-module": toOne("registry-modules", m.ID)},
		Links:         map[string]string{"self": "/api/v2/no-code-modules/" + m.NoCodeID}}
}

func (m *RegistryModule) selfPath() string {
	return fmt.Sprintf("organizations/%s/registry-modules/%s/%s/%s/%s", m.Org, m.RegistryName, m.Namespace, m.Name, m.Provider)
}

var capitalized = map[string]string{"name": "Name", "provider": "Provider"}

// moduleNamePattern is what a module name and provider may contain.
var moduleNamePattern = lazyre.New(`^[0-9A-Za-z_-]{1,64}$`)

type moduleInput struct {
	Name         *string `json:"name"`
	Provider     *string `json:"provider"`
	RegistryName *string `json:"registry-name"`
	Namespace    *string `json:"namespace"`
	NoCode       *bool   `json:"no-code"`
}

func (in *moduleInput) validate() error {
	var errs Errors
	for field, v := range map[string]*string{"name": in.Name, "provider": in.Provider} {
		switch {
		case v == nil || *v == "":
			errs = append(errs, invalidAttribute("/data/attributes/"+field, capitalized[field]+" can't be blank"))
		case !moduleNamePattern.MatchString(*v):
			errs = append(errs, invalidAttribute("/data/attributes/"+field, capitalized[field]+" may only contain letters, numbers, - and _"))
		}
	}
	if in.RegistryName != nil && *in.RegistryName != "private" && *in.RegistryName != "public" {
		errs = append(errs, invalidAttribute("/data/attributes/registry-name", "Registry name must be private or public"))
	}
	if (in.RegistryName == nil || *in.RegistryName == "private") && in.Namespace != nil && *in.Namespace != "" {
		errs = append(errs, invalidAttribute("/data/attributes/namespace", "Namespace cannot be set for private modules"))
	}
	if len(errs) > 0 {
		errs.sortByPointer()
		return errs
	}
	return nil
}

func (s *Service) createModule(c *call) (int, any, error) {
	var in moduleInput
	if _, err := decodeResource(c.r, "registry-modules", &in); err != nil {
		return 0, nil, err
	}
	if err := in.validate(); err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.requireOrg(c.p, c.path("org"), manageModules)
		if err != nil {
			return nil, err
		}
		reg, ns := "private", o.Name
		if in.RegistryName != nil && *in.RegistryName == "public" {
			reg, ns = "public", *in.Namespace
		}
		if _, taken := st.moduleByPath(o.Name, reg, ns, *in.Name, *in.Provider); taken {
			return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
		}
		m := &RegistryModule{ID: newID("mod"), Org: o.Name, Name: *in.Name, Provider: *in.Provider, Namespace: ns,
			RegistryName: reg, CreatedAt: c.now, UpdatedAt: c.now}
		setIf(&m.NoCode, in.NoCode)
		if m.NoCode {
			m.NoCodeID = newID("nocode")
		}
		st.addModule(m)
		st.touch("Modules", m.ID)
		return Document{Data: st.moduleResource(m, c.p)}, nil
	})
}

func (st *State) moduleByPath(org, registry, namespace, name, provider string) (*RegistryModule, bool) {
	for _, m := range st.idx.modulesByName[name] {
		if m.Org == org && m.RegistryName == registry && m.Namespace == namespace && m.Name == name && m.Provider == provider && st.Modules[m.ID] == m {
			return m, true
		}
	}
	return nil, false
}

// moduleFor finds the module a request's path names, by organization path
// or by the legacy /registry-modules/:registry/:namespace/:name/:provider
// path (where the private namespace is the organization).
func (st *State) moduleFor(p principal, mp modulePath) (*RegistryModule, error) {
	org := mp.org
	if org == "" {
		org = mp.namespace
	}
	m, ok := st.moduleByPath(org, mp.registry, mp.namespace, mp.name, mp.provider)
	if !ok || !st.memberOf(p, m.Org) {
		return nil, errNotFound
	}
	return m, nil
}

func (s *Service) readModule(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		m, err := st.moduleFor(c.p, c.modulePath())
		if err != nil {
			return nil, err
		}
		return Document{Data: st.moduleResource(m, c.p)}, nil
	})
}

func (s *Service) readModuleByID(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		m, ok := st.Modules[c.path("id")]
		if !ok || !st.memberOf(c.p, m.Org) {
			return nil, errNotFound
		}
		return Document{Data: st.moduleResource(m, c.p)}, nil
	})
}

func (s *Service) listModules(c *call) (int, any, error) {
	inc, err := includes(c.r, "no-code-modules")
	if err != nil {
		return 0, nil, err
	}
	q := strings.ToLower(c.r.URL.Query().Get("q"))
	provider, registry := c.r.URL.Query().Get("filter[provider]"), c.r.URL.Query().Get("filter[registry_name]")
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		var all []Resource
		for _, m := range sortedBySeq(st.Modules, func(m *RegistryModule) bool { return m.Org == o.Name }) {
			if (q == "" || strings.Contains(strings.ToLower(m.Name), q)) && (provider == "" || m.Provider == provider) && (registry == "" || m.RegistryName == registry) {
				all = append(all, st.moduleResource(m, c.p))
			}
		}
		doc, err := paginate(c.r, all)
		if err != nil || !inc["no-code-modules"] {
			return doc, err
		}
		for _, r := range doc.Data { // only the page's modules
			if m := st.Modules[r.ID]; m.NoCodeID != "" {
				doc.Included = append(doc.Included, noCodeResource(m))
			}
		}
		return doc, nil
	})
}

// deleteModules deletes every provider of a module (no {provider} in the
// path) or one provider; the deprecated actions/delete form too.
func (s *Service) deleteModules(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		org := c.path("org")
		if _, err := st.requireOrg(c.p, org, manageModules); err != nil {
			return nil, err
		}
		// The deprecated actions/delete path names no registry: it deletes
		// every module of that name in the organization.
		registry, ns := c.path("registry"), c.path("namespace")
		var doomed []string
		for id, m := range st.Modules {
			if m.Org == org && (registry == "" || m.RegistryName == registry && m.Namespace == ns) && m.Name == c.path("name") &&
				(c.path("provider") == "" || m.Provider == c.path("provider")) {
				doomed = append(doomed, id)
			}
		}
		if len(doomed) == 0 {
			return nil, errNotFound
		}
		for _, id := range doomed {
			st.remove("Modules", id) // and its test runs
		}
		st.touch("Modules", doomed...)
		return nil, nil
	})
}
