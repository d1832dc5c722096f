package aws

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/internal/routing"
)

// maxAdminBody bounds admin request bodies, as the emulator's admin API.
const maxAdminBody = 1 << 20

// AdminRoutes configure the service; paths are relative to /_emulator/aws.
func (s *Service) AdminRoutes() []routing.Route {
	return []routing.Route{
		{Method: http.MethodGet, Path: "/openid-connect-providers", Handler: adapt(s.listProviders)},
		{Method: http.MethodPut, Path: "/openid-connect-providers", Handler: adapt(s.putProvider)},
		{Method: http.MethodDelete, Path: "/openid-connect-providers", Handler: adapt(s.deleteProvider)},
		{Method: http.MethodGet, Path: "/roles", Handler: adapt(s.listRoles)},
		{Method: http.MethodGet, Path: "/roles/{name}", Handler: adapt(s.getRole)},
		{Method: http.MethodPut, Path: "/roles/{name}", Handler: adapt(s.putRole)},
		{Method: http.MethodDelete, Path: "/roles/{name}", Handler: adapt(s.deleteRole)},
		{Method: http.MethodGet, Path: "/decisions", Handler: adapt(func(*http.Request) (int, any) { return http.StatusOK, s.Decisions() })},
		{Method: http.MethodDelete, Path: "/decisions", Handler: adapt(func(*http.Request) (int, any) { s.decisions.Clear(); return http.StatusNoContent, nil })},
	}
}

// adminError is the admin API's error body.
type adminError struct {
	Error string `json:"error"`
}

func fail(status int, format string, a ...any) (int, any) {
	return status, adminError{Error: fmt.Sprintf(format, a...)}
}

// adapt turns a pure admin handler into an http.Handler writing JSON.
func adapt(h func(*http.Request) (int, any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := h(r)
		w.Header().Set("Content-Type", "application/json")
		if body == nil {
			w.WriteHeader(status)
			return
		}
		b, err := json.Marshal(body)
		if err != nil {
			status, b = http.StatusInternalServerError, []byte(`{"error":"encode response"}`)
		}
		w.WriteHeader(status)
		_, _ = w.Write(append(b, '\n'))
	})
}

var errTooLarge = errors.New("request bodies are limited to 1048576 bytes")

// decodeBody reads one strict JSON object into v.
func decodeBody(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
	if err != nil {
		return fmt.Errorf("reading body: %v", err)
	}
	if len(b) > maxAdminBody {
		return errTooLarge
	}
	if strings.TrimSpace(string(b)) == "" {
		return errors.New("a JSON object body is required")
	}
	return strictJSON(b, v)
}

func decodeFailed(err error) (int, any) {
	if errors.Is(err, errTooLarge) {
		return fail(http.StatusRequestEntityTooLarge, "%v", err)
	}
	return fail(http.StatusBadRequest, "%v", err)
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
		return fail(http.StatusNotFound, "no OpenID Connect provider for %s", u)
	}
	out := []providerView{}
	for _, k := range slices.Sorted(maps.Keys(s.st.Providers)) {
		out = append(out, s.viewProvider(s.st.Providers[k]))
	}
	return http.StatusOK, out
}

func (s *Service) putProvider(r *http.Request) (int, any) {
	var p Provider
	if err := decodeBody(r, &p); err != nil {
		return decodeFailed(err)
	}
	key, np, err := normalizeProvider(p)
	if err != nil {
		return fail(http.StatusBadRequest, "%v", err)
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
		return fail(http.StatusBadRequest, "name the provider to delete with ?url=")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, p := range s.st.Providers {
		if k == providerKey(u) || providerKey(s.expand(p.URL)) == providerKey(u) {
			delete(s.st.Providers, k)
			return http.StatusNoContent, nil
		}
	}
	return fail(http.StatusNotFound, "no OpenID Connect provider for %s", u)
}

func (s *Service) listRoles(*http.Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := slices.Sorted(maps.Keys(s.st.Roles))
	sort.Strings(names)
	out := []roleView{}
	for _, n := range names {
		out = append(out, s.viewRole(s.st.Roles[n]))
	}
	return http.StatusOK, out
}

func (s *Service) getRole(r *http.Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	role, ok := s.st.Roles[r.PathValue("name")]
	if !ok {
		return fail(http.StatusNotFound, "no role %s", r.PathValue("name"))
	}
	return http.StatusOK, s.viewRole(role)
}

func (s *Service) putRole(r *http.Request) (int, any) {
	var in Role
	if err := decodeBody(r, &in); err != nil {
		return decodeFailed(err)
	}
	role, err := normalizeRole(r.PathValue("name"), in)
	if err != nil {
		return fail(http.StatusBadRequest, "%v", err)
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
		return fail(http.StatusNotFound, "no role %s", name)
	}
	delete(s.st.Roles, name)
	return http.StatusNoContent, nil
}
