package azure

import (
	"net/http"
	"slices"
)

// metadataVersions are the api-versions the metadata document answers.
var metadataVersions = []string{"2022-09-01", "2020-06-01"}

// base is this listener's URL as the client reached it.
func base(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type armError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func armFail(code, msg string) (int, any) {
	var e armError
	e.Error.Code, e.Error.Message = code, msg
	return http.StatusBadRequest, e
}

// metadata is ARM's GET /metadata/endpoints: the public cloud's document with
// the login endpoint pointing at this listener.
func (s *Service) metadata(r *http.Request) (int, any) {
	v := r.URL.Query().Get("api-version")
	if v == "" {
		return armFail("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
	}
	if !slices.Contains(metadataVersions, v) {
		return armFail("InvalidApiVersionParameter", "The api-version '"+v+"' is invalid. The supported versions are '2022-09-01,2020-06-01'.")
	}
	return http.StatusOK, map[string]any{
		"name":   "AzureCloud",
		"portal": "https://portal.azure.com",
		"authentication": map[string]any{
			"loginEndpoint":    base(r),
			"audiences":        []string{"https://management.core.windows.net/", "https://management.azure.com/"},
			"tenant":           "common",
			"identityProvider": "AAD",
		},
		"media":         "https://rest.media.azure.net",
		"graphAudience": "https://graph.windows.net/",
		"graph":         "https://graph.windows.net/",
		"suffixes": map[string]string{
			"azureDataLakeStoreFileSystem":        "azuredatalakestore.net",
			"acrLoginServer":                      "azurecr.io",
			"sqlServerHostname":                   "database.windows.net",
			"azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
			"keyVaultDns":                         "vault.azure.net",
			"storage":                             "core.windows.net",
			"azureFrontDoorEndpointSuffix":        "azurefd.net",
			"storageSyncEndpointSuffix":           "afs.azure.net",
			"mhsmDns":                             "managedhsm.azure.net",
			"mysqlServerEndpoint":                 "mysql.database.azure.com",
			"postgresqlServerEndpoint":            "postgres.database.azure.com",
			"mariadbServerEndpoint":               "mariadb.database.azure.com",
			"synapseAnalytics":                    "dev.azuresynapse.net",
			"attestationEndpoint":                 "attest.azure.net",
		},
		"batch":                                 "https://batch.core.windows.net/",
		"resourceManager":                       "https://management.azure.com/",
		"vmImageAliasDoc":                       "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
		"activeDirectoryDataLake":               "https://datalake.azure.net/",
		"sqlManagement":                         "https://management.core.windows.net:8443/",
		"microsoftGraphResourceId":              "https://graph.microsoft.com/",
		"appInsightsResourceId":                 "https://api.applicationinsights.io",
		"appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
		"attestationResourceId":                 "https://attest.azure.net",
		"synapseAnalyticsResourceId":            "https://dev.azuresynapse.net",
		"logAnalyticsResourceId":                "https://api.loganalytics.io",
		"ossrDbmsResourceId":                    "https://ossrdbms-aad.database.windows.net",
	}
}

// discovery is the tenant's v2.0 OpenID configuration, what MSAL reads for
// its authority (token_endpoint above all).
func (s *Service) discovery(r *http.Request) (int, any) {
	tenant := r.PathValue("tenant")
	if !s.knownTenant(tenant) {
		return s.fail(r, entraError{status: http.StatusBadRequest, err: "invalid_tenant", code: 90002,
			msg: "Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."}, nil)
	}
	b := base(r) + "/" + tenant
	return http.StatusOK, map[string]any{
		"token_endpoint":                        b + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base(r) + "/" + tenant + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                b + "/v2.0",
		"request_uri_parameter_supported":       false,
		"authorization_endpoint":                b + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         b + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  b + "/oauth2/v2.0/logout",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver", "oid"},
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "microsoftonline.com",
	}
}

func (s *Service) knownTenant(t string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.st[t]
	return ok
}
