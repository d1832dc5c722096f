package jwtauth

import "github.com/tfcemu/tfcemu/emulator/vault/logical"

// backendHelp and the path tables below are the jwt method's help texts and field schemas,
// verbatim as vault-plugin-auth-jwt v0.25.0 (built into Vault 1.21.0)
// declares them: path-help renders them with the framework's templates.
const backendHelp = "The JWT backend plugin allows authentication using JWTs (including OIDC)."

// pathConfig is the pattern, fields and help of one path of the method.
func pathConfig() *logical.Path {
	return &logical.Path{Pattern: "^config$", HelpSynopsis: "Configures the JWT authentication backend.", HelpDescription: "The JWT authentication backend validates JWTs (or OIDC) using the configured\ncredentials. If using OIDC Discovery, the URL must be provided, along\nwith (optionally) the CA cert to use for the connection. If performing JWT\nvalidation locally, a set of public keys must be provided.", Fields: map[string]*logical.FieldSchema{
		"bound_issuer":                         {Type: logical.TypeString, Description: "The value against which to match the 'iss' claim in a JWT. Optional."},
		"default_role":                         {Type: logical.TypeLowerCaseString, Description: "The default role to use if none is provided during login. If not set, a role is required during login."},
		"jwks_ca_pem":                          {Type: logical.TypeString, Description: "The CA certificate or chain of certificates, in PEM format, to use to validate connections to the JWKS URL. If not set, system certificates are used."},
		"jwks_pairs":                           {Type: logical.TypeSlice, Description: "Set of JWKS Url and CA certificate (or chain of certificates) pairs. CA certificates must be in PEM format. Cannot be used with \"jwks_url\" or \"jwks_ca_pem\"."},
		"jwks_url":                             {Type: logical.TypeString, Description: "JWKS URL to use to authenticate signatures. Cannot be used with \"oidc_discovery_url\" or \"jwt_validation_pubkeys\"."},
		"jwt_supported_algs":                   {Type: logical.TypeCommaStringSlice, Description: "A list of supported signing algorithms. Defaults to RS256."},
		"jwt_validation_pubkeys":               {Type: logical.TypeCommaStringSlice, Description: "A list of PEM-encoded public keys to use to authenticate signatures locally. Cannot be used with \"jwks_url\" or \"oidc_discovery_url\"."},
		"namespace_in_state":                   {Type: logical.TypeBool, Description: "Pass namespace in the OIDC state parameter instead of as a separate query parameter. With this setting, the allowed redirect URL(s) in Vault and on the provider side should not contain a namespace query parameter. This means only one redirect URL entry needs to be maintained on the provider side for all vault namespaces that will be authenticating against it. Defaults to true for new configs."},
		"oidc_client_id":                       {Type: logical.TypeString, Description: "The OAuth Client ID configured with your OIDC provider."},
		"oidc_client_secret":                   {Type: logical.TypeString, Description: "The OAuth Client Secret configured with your OIDC provider."},
		"oidc_discovery_ca_pem":                {Type: logical.TypeString, Description: "The CA certificate or chain of certificates, in PEM format, to use to validate connections to the OIDC Discovery URL. If not set, system certificates are used."},
		"oidc_discovery_url":                   {Type: logical.TypeString, Description: "OIDC Discovery URL, without any .well-known component (base path). Cannot be used with \"jwks_url\" or \"jwt_validation_pubkeys\"."},
		"oidc_response_mode":                   {Type: logical.TypeString, Description: "The response mode to be used in the OAuth2 request. Allowed values are 'query' and 'form_post'."},
		"oidc_response_types":                  {Type: logical.TypeCommaStringSlice, Description: "The response types to request. Allowed values are 'code' and 'id_token'. Defaults to 'code'."},
		"provider_config":                      {Type: logical.TypeMap, Description: "Provider-specific configuration. Optional."},
		"unsupported_critical_cert_extensions": {Type: logical.TypeCommaStringSlice, Description: "A list of ASN1 OIDs of certificate extensions marked Critical that are unsupported by Vault and should be ignored.  This option should very rarely be needed except in specialized PKI environments."},
	}}
}

// pathLogin is the pattern, fields and help of one path of the method.
func pathLogin() *logical.Path {
	return &logical.Path{Pattern: "^login$", HelpSynopsis: "Authenticates to Vault using a JWT (or OIDC) token.", HelpDescription: "Authenticates JWTs.", Fields: map[string]*logical.FieldSchema{
		"distributed_claim_access_token": {Type: logical.TypeString, Description: "An optional token used to fetch group memberships specified by the distributed claim source in the jwt. This is supported only on Azure/Entra ID"},
		"jwt":                            {Type: logical.TypeString, Description: "The signed JWT to validate."},
		"role":                           {Type: logical.TypeLowerCaseString, Description: "The role to log in against."},
	}}
}

// helpOIDCAuthURL is a path the method's help lists and the emulator does not serve.
var helpOIDCAuthURL = logical.PathHelp{Route: "^oidc/auth_url$", Synopsis: "", Description: "", Fields: []logical.HelpField{
	{Name: "client_nonce", Type: "string", Description: "Optional client-provided nonce that must match during callback, if present."},
	{Name: "redirect_uri", Type: "string", Description: "The OAuth redirect_uri to use in the authorization URL."},
	{Name: "role", Type: "lowercase string", Description: "The role to issue an OIDC authorization URL against."},
}}

// helpOIDCCallback is a path the method's help lists and the emulator does not serve.
var helpOIDCCallback = logical.PathHelp{Route: "^oidc/callback$", Synopsis: "", Description: "", Fields: []logical.HelpField{
	{Name: "client_nonce", Type: "string", Description: "<no description>"},
	{Name: "code", Type: "string", Description: "<no description>"},
	{Name: "id_token", Type: "string", Description: "<no description>"},
	{Name: "state", Type: "string", Description: "<no description>"},
}}

// pathRole is the pattern, fields and help of one path of the method.
func pathRole() *logical.Path {
	return &logical.Path{Pattern: "^role/(?P<name>\\w(([\\w-.]+)?\\w)?)$", HelpSynopsis: "Register an role with the backend.", HelpDescription: "A role is required to authenticate with this backend. The role binds\n\t\tJWT token information with token policies and settings.\n\t\tThe bindings, token polices and token settings can all be configured\n\t\tusing this endpoint", Fields: map[string]*logical.FieldSchema{
		"allowed_redirect_uris":   {Type: logical.TypeCommaStringSlice, Description: "Comma-separated list of allowed values for redirect_uri"},
		"bound_audiences":         {Type: logical.TypeCommaStringSlice, Description: "Comma-separated list of 'aud' claims that are valid for login; any match is sufficient"},
		"bound_cidrs":             {Type: logical.TypeCommaStringSlice, Description: "Use \"token_bound_cidrs\" instead. If this and \"token_bound_cidrs\" are both specified, only \"token_bound_cidrs\" will be used.", Deprecated: true},
		"bound_claims":            {Type: logical.TypeMap, Description: "Map of claims/values which must match for login"},
		"bound_claims_type":       {Type: logical.TypeString, Description: "How to interpret values in the map of claims/values (which must match for login): allowed values are 'string' or 'glob'"},
		"bound_subject":           {Type: logical.TypeString, Description: "The 'sub' claim that is valid for login. Optional."},
		"claim_mappings":          {Type: logical.TypeKVPairs, Description: "Mappings of claims (key) that will be copied to a metadata field (value)"},
		"clock_skew_leeway":       {Type: logical.TypeDurationSecond, Description: "Duration in seconds of leeway when validating all claims to account for clock skew. \nDefaults to 60 (1 minute) if set to 0 and can be disabled if set to -1."},
		"expiration_leeway":       {Type: logical.TypeDurationSecond, Description: "Duration in seconds of leeway when validating expiration of a token to account for clock skew. \nDefaults to 150 (2.5 minutes) if set to 0 and can be disabled if set to -1."},
		"groups_claim":            {Type: logical.TypeString, Description: "The claim to use for the Identity group alias names"},
		"max_age":                 {Type: logical.TypeDurationSecond, Description: "Specifies the allowable elapsed time in seconds since the last time the \nuser was actively authenticated."},
		"max_ttl":                 {Type: logical.TypeDurationSecond, Description: "Use \"token_max_ttl\" instead. If this and \"token_max_ttl\" are both specified, only \"token_max_ttl\" will be used.", Deprecated: true},
		"name":                    {Type: logical.TypeLowerCaseString, Description: "Name of the role."},
		"not_before_leeway":       {Type: logical.TypeDurationSecond, Description: "Duration in seconds of leeway when validating not before values of a token to account for clock skew. \nDefaults to 150 (2.5 minutes) if set to 0 and can be disabled if set to -1."},
		"num_uses":                {Type: logical.TypeInt, Description: "Use \"token_num_uses\" instead. If this and \"token_num_uses\" are both specified, only \"token_num_uses\" will be used.", Deprecated: true},
		"oidc_scopes":             {Type: logical.TypeCommaStringSlice, Description: "Comma-separated list of OIDC scopes"},
		"period":                  {Type: logical.TypeDurationSecond, Description: "Use \"token_period\" instead. If this and \"token_period\" are both specified, only \"token_period\" will be used.", Deprecated: true},
		"policies":                {Type: logical.TypeCommaStringSlice, Description: "Use \"token_policies\" instead. If this and \"token_policies\" are both specified, only \"token_policies\" will be used.", Deprecated: true},
		"role_type":               {Type: logical.TypeString, Description: "Type of the role, either 'jwt' or 'oidc'."},
		"token_bound_cidrs":       {Type: logical.TypeCommaStringSlice, Description: "Comma separated string or JSON list of CIDR blocks. If set, specifies the blocks of IP addresses which are allowed to use the generated token."},
		"token_explicit_max_ttl":  {Type: logical.TypeDurationSecond, Description: "If set, tokens created via this role\ncarry an explicit maximum TTL. During renewal,\nthe current maximum TTL values of the role\nand the mount are not checked for changes,\nand any updates to these values will have\nno effect on the token being renewed."},
		"token_max_ttl":           {Type: logical.TypeDurationSecond, Description: "The maximum lifetime of the generated token"},
		"token_no_default_policy": {Type: logical.TypeBool, Description: "If true, the 'default' policy will not automatically be added to generated tokens"},
		"token_num_uses":          {Type: logical.TypeInt, Description: "The maximum number of times a token may be used, a value of zero means unlimited"},
		"token_period":            {Type: logical.TypeDurationSecond, Description: "If set, tokens created via this role\nwill have no max lifetime; instead, their\nrenewal period will be fixed to this value.\nThis takes an integer number of seconds,\nor a string duration (e.g. \"24h\")."},
		"token_policies":          {Type: logical.TypeCommaStringSlice, Description: "Comma-separated list of policies"},
		"token_ttl":               {Type: logical.TypeDurationSecond, Description: "The initial ttl of the token to generate"},
		"token_type":              {Type: logical.TypeString, Description: "The type of token to generate, service or batch"},
		"ttl":                     {Type: logical.TypeDurationSecond, Description: "Use \"token_ttl\" instead. If this and \"token_ttl\" are both specified, only \"token_ttl\" will be used.", Deprecated: true},
		"user_claim":              {Type: logical.TypeString, Description: "The claim to use for the Identity entity alias name"},
		"user_claim_json_pointer": {Type: logical.TypeBool, Description: "If true, the user_claim value will use JSON pointer syntax \nfor referencing claims."},
		"verbose_oidc_logging":    {Type: logical.TypeBool, Description: "Log received OIDC tokens and claims when debug-level logging is active. \nNot recommended in production since sensitive information may be present \nin OIDC responses."},
	}}
}

// pathRoleList is the pattern, fields and help of one path of the method.
func pathRoleList() *logical.Path {
	return &logical.Path{Pattern: "^role/?$", HelpSynopsis: "Lists all the roles registered with the backend.\n", HelpDescription: "The list will contain the names of the roles.", Fields: map[string]*logical.FieldSchema{}}
}
