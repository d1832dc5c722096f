package gcp

import (
	"net/http"

	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
)

// Paths of the cloud API, mounted at the root of the clouds listener.
const (
	TokenPath               = "/v1/token"
	GenerateAccessTokenPath = "/v1/projects/{project}/serviceAccounts/{email}:generateAccessToken"
)

func adapt(h clouds.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := h(r)
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		clouds.WriteJSON(w, status, body, `{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}`, true)
	})
}

// Routes is the cloud API: STS token exchange and IAM Credentials
// generateAccessToken.
func (s *Service) Routes() []routing.Route {
	return []routing.Route{
		{Method: http.MethodPost, Path: TokenPath, Handler: adapt(s.token)},
		{Method: http.MethodPost, Path: GenerateAccessTokenPath, Handler: adapt(s.generateAccessToken)},
	}
}

// AdminRoutes is the configuration API, relative to /_emulator/gcp.
func (s *Service) AdminRoutes() []routing.Route {
	const provider = "/projects/{project}/locations/global/workloadIdentityPools/{pool}/providers/{provider}"
	return append([]routing.Route{
		{Method: http.MethodGet, Path: provider, Handler: adapt(s.getProvider)},
		{Method: http.MethodPut, Path: provider, Handler: adapt(s.putProvider)},
		{Method: http.MethodDelete, Path: provider, Handler: adapt(s.deleteProvider)},
		{Method: http.MethodGet, Path: "/service-accounts/{email}", Handler: adapt(s.getServiceAccount)},
		{Method: http.MethodPut, Path: "/service-accounts/{email}", Handler: adapt(s.putServiceAccount)},
		{Method: http.MethodDelete, Path: "/service-accounts/{email}", Handler: adapt(s.deleteServiceAccount)},
	}, s.Base.DecisionRoutes(adapt)...)
}

// stsError is STS's OAuth error body (always 400).
type stsError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// googleError is the Google API error body of IAM Credentials.
type googleError struct {
	Error googleStatus `json:"error"`
}

type googleStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Details []any  `json:"details,omitempty"`
}
