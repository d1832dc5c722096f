package aws

import (
	"errors"
	"maps"
	"net/http"
	"slices"

	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
)

// AdminRoutes configure the service; paths are relative to /_emulator/aws.
func (s *Service) AdminRoutes() []routing.Route {
	return append([]routing.Route{
		{Method: http.MethodGet, Path: "/openid-connect-providers", Handler: adapt(s.listProviders)},
		{Method: http.MethodPut, Path: "/openid-connect-providers", Handler: adapt(s.putProvider)},
		{Method: http.MethodDelete, Path: "/openid-connect-providers", Handler: adapt(s.deleteProvider)},
		{Method: http.MethodGet, Path: "/roles", Handler: adapt(s.listRoles)},
		{Method: http.MethodGet, Path: "/roles/{name}", Handler: adapt(s.getRole)},
		{Method: http.MethodPut, Path: "/roles/{name}", Handler: adapt(s.putRole)},
		{Method: http.MethodDelete, Path: "/roles/{name}", Handler: adapt(s.deleteRole)},
	}, s.Base.DecisionRoutes(adapt)...)
}

// adapt turns a pure admin handler into an http.Handler writing JSON.
func adapt(h clouds.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := h(r)
		w.Header().Set("Content-Type", "application/json")
		clouds.WriteJSON(w, status, body, `{"error":"encode response"}`, true)
	})
}

// decodeFailed refuses a body that did not read (413) or decode (400).
func decodeFailed(err error) (int, any) {
	if errors.Is(err, clouds.ErrBodyUnreadable) {
		return clouds.AdminFail(http.StatusRequestEntityTooLarge, "%v", err)
	}
	return clouds.AdminFail(http.StatusBadRequest, "%v", err)
}

func (s *Service) listProviders(r *http.Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := r.URL.Query().Get("url"); u != "" {
		for _, p := range s.st.Providers {
			if providerKey(s.expand(p.URL)) == providerKey(u) || p.URL == u {
				return http.StatusOK, s.viewProvider(p)
			}
		}
		return clouds.AdminFail(http.StatusNotFound, "no OpenID Connect provider for %s", u)
	}
	out := []providerView{}
	for _, k := range slices.Sorted(maps.Keys(s.st.Providers)) {
		out = append(out, s.viewProvider(s.st.Providers[k]))
	}
	return http.StatusOK, out
}

func (s *Service) putProvider(r *http.Request) (int, any) {
	var p Provider
	if err := clouds.ReadAdmin(r, &p); err != nil {
		return decodeFailed(err)
	}
	key, np, err := normalizeProvider(p)
	if err != nil {
		return clouds.AdminFail(http.StatusBadRequest, "%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, existed := s.st.Providers[key]
	s.st.Providers[key] = np
	if existed {
		return http.StatusOK, s.viewProvider(np)
	}
	return http.StatusCreated, s.viewProvider(np)
}

func (s *Service) deleteProvider(r *http.Request) (int, any) {
	u := r.URL.Query().Get("url")
	if u == "" {
		return clouds.AdminFail(http.StatusBadRequest, "name the provider to delete with ?url=")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, p := range s.st.Providers {
		if k == providerKey(u) || providerKey(s.expand(p.URL)) == providerKey(u) {
			delete(s.st.Providers, k)
			return http.StatusNoContent, nil
		}
	}
	return clouds.AdminFail(http.StatusNotFound, "no OpenID Connect provider for %s", u)
}

func (s *Service) listRoles(*http.Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []roleView{}
	for _, n := range slices.Sorted(maps.Keys(s.st.Roles)) {
		out = append(out, s.viewRole(s.st.Roles[n]))
	}
	return http.StatusOK, out
}

func (s *Service) getRole(r *http.Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	role, ok := s.st.Roles[r.PathValue("name")]
	if !ok {
		return clouds.AdminFail(http.StatusNotFound, "no role %s", r.PathValue("name"))
	}
	return http.StatusOK, s.viewRole(role)
}

func (s *Service) putRole(r *http.Request) (int, any) {
	var in Role
	if err := clouds.ReadAdmin(r, &in); err != nil {
		return decodeFailed(err)
	}
	role, err := normalizeRole(r.PathValue("name"), in)
	if err != nil {
		return clouds.AdminFail(http.StatusBadRequest, "%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, existed := s.st.Roles[role.Name]
	s.st.Roles[role.Name] = role
	if existed {
		return http.StatusOK, s.viewRole(role)
	}
	return http.StatusCreated, s.viewRole(role)
}

func (s *Service) deleteRole(r *http.Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.PathValue("name")
	if _, ok := s.st.Roles[name]; !ok {
		return clouds.AdminFail(http.StatusNotFound, "no role %s", name)
	}
	delete(s.st.Roles, name)
	return http.StatusNoContent, nil
}
