package azure

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/clouds"
)

// credentialView is a credential as the admin API shows it.
type credentialView struct {
	Name string `json:"name"`
	FederatedIdentityCredential
	ResolvedIssuer string `json:"resolved_issuer,omitempty"`
}

func (s *Service) view(name string, f FederatedIdentityCredential) credentialView {
	v := credentialView{Name: name, FederatedIdentityCredential: f}
	if f.Issuer == IssuerPlaceholder {
		v.ResolvedIssuer = s.Base.ResolveIssuer(f.Issuer)
	}
	return v
}

func (s *Service) listCredentials(r *http.Request) (int, any) {
	tenant, client := r.PathValue("tenant"), r.PathValue("client_id")
	s.mu.Lock()
	fics, ok := s.st[tenant][client]
	fics = maps.Clone(fics)
	s.mu.Unlock()
	if !ok {
		return clouds.AdminFail(http.StatusNotFound, "no application %s in tenant %s", client, tenant)
	}
	out := []credentialView{}
	for _, name := range slices.Sorted(maps.Keys(fics)) {
		out = append(out, s.view(name, fics[name]))
	}
	return http.StatusOK, out
}

func (s *Service) getCredential(r *http.Request) (int, any) {
	tenant, client, name := r.PathValue("tenant"), r.PathValue("client_id"), r.PathValue("name")
	s.mu.Lock()
	f, ok := s.st[tenant][client][name]
	s.mu.Unlock()
	if !ok {
		return clouds.AdminFail(http.StatusNotFound, "no federated identity credential %s on application %s in tenant %s", name, client, tenant)
	}
	return http.StatusOK, s.view(name, f)
}

// putCredential creates or replaces a credential (and its tenant and
// application); Entra's limits are enforced on the application as it
// would be after the change.
func (s *Service) putCredential(r *http.Request) (int, any) {
	tenant, client, name := r.PathValue("tenant"), r.PathValue("client_id"), r.PathValue("name")
	var f FederatedIdentityCredential
	if err := clouds.ReadAdmin(r, &f); err != nil {
		return clouds.AdminFail(http.StatusBadRequest, "%v", err)
	}
	f.Audiences = defaultAudiences(f.Audiences)
	if problems := validateCredential(tenant, client, name, f); len(problems) > 0 {
		return clouds.AdminFail(http.StatusBadRequest, "%s", strings.Join(problems, "; "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fics := maps.Clone(s.st[tenant][client])
	if fics == nil {
		fics = map[string]FederatedIdentityCredential{}
	}
	_, existed := fics[name]
	fics[name] = f
	if problems := checkApp(tenant, client, fics, s.Base.ResolveIssuer); len(problems) > 0 {
		return clouds.AdminFail(http.StatusBadRequest, "%s", strings.Join(problems, "; "))
	}
	if s.st[tenant] == nil {
		s.st[tenant] = map[string]map[string]FederatedIdentityCredential{}
	}
	s.st[tenant][client] = fics
	status := http.StatusOK
	if !existed {
		status = http.StatusCreated
	}
	v := credentialView{Name: name, FederatedIdentityCredential: f}
	if f.Issuer == IssuerPlaceholder && s.cfg.Issuer != nil {
		v.ResolvedIssuer = s.cfg.Issuer()
	}
	return status, v
}

func (s *Service) deleteCredential(r *http.Request) (int, any) {
	tenant, client, name := r.PathValue("tenant"), r.PathValue("client_id"), r.PathValue("name")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st[tenant][client][name]; !ok {
		return clouds.AdminFail(http.StatusNotFound, "no federated identity credential %s on application %s in tenant %s", name, client, tenant)
	}
	fics := maps.Clone(s.st[tenant][client])
	delete(fics, name)
	s.st[tenant][client] = fics
	return http.StatusNoContent, nil
}
