package identity

// ClaimsSupported is claims_supported of TFC's discovery document, in the
// order of app.terraform.io's own document
// (https://app.terraform.io/.well-known/openid-configuration), "ref" included.
var ClaimsSupported = []string{
	"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref",
	"terraform_run_phase", "terraform_workspace_id", "terraform_workspace_name",
	"terraform_organization_id", "terraform_organization_name",
	"terraform_project_id", "terraform_project_name", "terraform_run_id", "terraform_full_workspace",
}

// Discovery is the body of /.well-known/openid-configuration. Fields are in
// the order TFC serves them. TFC only issues tokens, so there is no
// authorization or token endpoint.
type Discovery struct {
	ClaimsSupported                  []string `json:"claims_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	ScopesSupported                  []string `json:"scopes_supported"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
}

// Discovery returns the discovery document for this issuer.
func (i *Issuer) Discovery() Discovery {
	url := i.URL()
	return Discovery{
		ClaimsSupported:                  ClaimsSupported,
		IDTokenSigningAlgValuesSupported: []string{"RS256"},
		Issuer:                           url,
		JWKSURI:                          url + JWKSPath,
		ResponseTypesSupported:           []string{"id_token"},
		ScopesSupported:                  []string{"openid"},
		SubjectTypesSupported:            []string{"public"},
	}
}
