package azure

import (
	"net/http"

	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
)

// Paths of the cloud API, mounted at the root of the clouds listener.
const (
	MetadataPath  = "/metadata/endpoints"
	DiscoveryPath = "/{tenant}/v2.0/.well-known/openid-configuration"
	TokenPath     = "/{tenant}/oauth2/v2.0/token"
)

func adapt(h clouds.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := h(r)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store, no-cache")
		clouds.WriteJSON(w, status, body, `{"error":"server_error"}`, false)
	})
}

// Routes is the cloud API: the ARM metadata document, the tenant's OpenID
// configuration and the token endpoint.
func (s *Service) Routes() []routing.Route {
	return []routing.Route{
		{Method: http.MethodGet, Path: MetadataPath, Handler: adapt(s.metadata)},
		{Method: http.MethodGet, Path: DiscoveryPath, Handler: adapt(s.discovery)},
		{Method: http.MethodPost, Path: TokenPath, Handler: adapt(s.token)},
		// Entra's access tokens are not verifiable offline: an empty key set.
		{Method: http.MethodGet, Path: "/{tenant}/discovery/v2.0/keys", Handler: adapt(func(*http.Request) (int, any) { return http.StatusOK, map[string][]any{"keys": {}} })},
	}
}

// AdminRoutes is the configuration API, relative to /_emulator/azure.
func (s *Service) AdminRoutes() []routing.Route {
	const fic = "/tenants/{tenant}/applications/{client_id}/federated-identity-credentials/{name}"
	return append([]routing.Route{
		{Method: http.MethodGet, Path: "/tenants/{tenant}/applications/{client_id}/federated-identity-credentials", Handler: adapt(s.listCredentials)},
		{Method: http.MethodGet, Path: fic, Handler: adapt(s.getCredential)},
		{Method: http.MethodPut, Path: fic, Handler: adapt(s.putCredential)},
		{Method: http.MethodDelete, Path: fic, Handler: adapt(s.deleteCredential)},
	}, s.Base.DecisionRoutes(adapt)...)
}
