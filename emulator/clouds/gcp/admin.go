package gcp

import (
	"net/http"
	"slices"

	"github.com/tfcemu/tfcemu/emulator/clouds"
)

func providerOf(r *http.Request) string {
	return ProviderName(r.PathValue("project"), r.PathValue("pool"), r.PathValue("provider"))
}

// providerView is a provider as the admin API shows it: the stored
// configuration, the default mapping filled in, and the issuer resolved.
type providerView struct {
	Name string `json:"name"`
	Provider
	ResolvedIssuerURI string `json:"resolved_issuer_uri,omitempty"`
}

func (s *Service) view(name string, c *compiled) providerView {
	p := c.Provider
	p.AttributeMapping = c.AttributeMapping
	v := providerView{Name: name, Provider: p}
	if p.OIDC.IssuerURI == IssuerPlaceholder {
		v.ResolvedIssuerURI = s.Base.ResolveIssuer(IssuerPlaceholder)
	}
	return v
}

func (s *Service) getProvider(r *http.Request) (int, any) {
	name := providerOf(r)
	s.mu.Lock()
	c := s.st.providers[name]
	s.mu.Unlock()
	if c == nil {
		return clouds.AdminFail(http.StatusNotFound, "no workload identity pool provider %s", name)
	}
	return http.StatusOK, s.view(name, c)
}

// putProvider creates or replaces a provider; CEL is compiled here and a
// malformed expression is refused with its position.
func (s *Service) putProvider(r *http.Request) (int, any) {
	name := providerOf(r)
	var p Provider
	if err := clouds.ReadAdmin(r, &p); err != nil {
		return clouds.AdminFail(http.StatusBadRequest, "%v", err)
	}
	c, err := compileProvider(name, p)
	if err != nil {
		return clouds.AdminFail(http.StatusBadRequest, "%v", err)
	}
	s.mu.Lock()
	_, existed := s.st.providers[name]
	s.st.providers[name] = c
	s.mu.Unlock()
	status := http.StatusOK
	if !existed {
		status = http.StatusCreated
	}
	return status, s.view(name, c)
}

func (s *Service) deleteProvider(r *http.Request) (int, any) {
	name := providerOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.providers[name]; !ok {
		return clouds.AdminFail(http.StatusNotFound, "no workload identity pool provider %s", name)
	}
	delete(s.st.providers, name)
	return http.StatusNoContent, nil
}

type accountView struct {
	Email   string   `json:"email"`
	Role    string   `json:"role"`
	Members []string `json:"members"`
}

func (s *Service) getServiceAccount(r *http.Request) (int, any) {
	email := r.PathValue("email")
	s.mu.Lock()
	sa, ok := s.st.accounts[email]
	s.mu.Unlock()
	if !ok {
		return clouds.AdminFail(http.StatusNotFound, "no service account %s", email)
	}
	return http.StatusOK, accountView{email, "roles/iam.workloadIdentityUser", slices.Clone(sa.Members)}
}

func (s *Service) putServiceAccount(r *http.Request) (int, any) {
	email := r.PathValue("email")
	var sa ServiceAccount
	if err := clouds.ReadAdmin(r, &sa); err != nil {
		return clouds.AdminFail(http.StatusBadRequest, "%v", err)
	}
	if sa.Members == nil {
		sa.Members = []string{}
	}
	if err := validateAccount(email, sa); err != nil {
		return clouds.AdminFail(http.StatusBadRequest, "%v", err)
	}
	s.mu.Lock()
	_, existed := s.st.accounts[email]
	s.st.accounts[email] = ServiceAccount{Members: slices.Clone(sa.Members)}
	s.mu.Unlock()
	status := http.StatusOK
	if !existed {
		status = http.StatusCreated
	}
	return status, accountView{email, "roles/iam.workloadIdentityUser", sa.Members}
}

func (s *Service) deleteServiceAccount(r *http.Request) (int, any) {
	email := r.PathValue("email")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.accounts[email]; !ok {
		return clouds.AdminFail(http.StatusNotFound, "no service account %s", email)
	}
	delete(s.st.accounts, email)
	return http.StatusNoContent, nil
}
