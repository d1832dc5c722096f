package terraform

// The engine's help texts, verbatim from hashicorp/vault-plugin-secrets-terraform
// v0.13.0 (the version Vault 1.21.0 builds in), trailing spaces included:
// path-help prints them as they are.
const (
	backendHelp = `
The Terraform Cloud secrets backend dynamically generates organization
and user tokens.

After mounting this backend, credentials to manage Terraform Cloud or
Enterprise tokens must be configured with the "config/" endpoints.
`
	pathConfigHelpSynopsis    = `Configure the Terraform Cloud / Enterprise backend.`
	pathConfigHelpDescription = `
The Terraform Cloud / Enterprise secret backend requires credentials for managing
organization and team tokens for Terraform Cloud or Enterprise. This endpoint
is used to configure those credentials and the default values for the backend in general.

You must specify a Terraform Cloud or Enterprise token with organization access
to allow Vault to create tokens.

If you are running Terraform Enterprise, you can specify the address and base path
for your instance and API endpoint.
`
	pathRoleHelpSynopsis    = `Manages the Vault role for generating Terraform Cloud / Enterprise tokens.`
	pathRoleHelpDescription = `
This path allows you to read and write roles used to generate Terraform Cloud /
Enterprise tokens. You can configure a role to manage an organization's token, a
team's token, legacy team's token, or a user's dynamic tokens, based on the 
credential_type. The credential_type is used to determine the type of token
to be generated. The credential_type can be one of the following:
- user: A user token. 
- organization: An organization token. 
- team: A team token. This is the recommend team token credential type.
- team_legacy: A legacy team token. This is the default credential type if
  team_id is set but credential_type is left empty.

credential_type "user" can have multiple API tokens. To manage a user token, you 
can user_id and credential_type "user". When issuing a call to create creds, this role
will be used to generate the token. 

credential_type "team" can have multiple API tokens. This is the recommended 
team token credential type. To manage a team token, you can set a team_id 
and set credential_type to "team". When issuing a call to create creds, this role 
will be used to generate the token. You can set a ttl and max_ttl. Max_ttl will 
also set an expiration timer on the terraform token (including the system max ttl).

credential_type "organization" or "team_legacy" can only have one active token at a
time. When a new token is created, the old token will be revoked. This is
because Terraform Cloud/Enterprise does not support multiple active tokens for these
types.

`
	pathRoleListHelpSynopsis    = `List the existing roles in Terraform Cloud / Enterprise backend`
	pathRoleListHelpDescription = `Roles will be listed by the role name.`
	pathCredentialsHelpSyn      = `
Generate a Terraform Cloud or Enterprise API token from a specific Vault role.
`
	pathCredentialsHelpDesc = `
This path generates Terraform Cloud or Enterprise API Organization, Team, or
User Tokens based on a particular role. A role can only represent a single type
of Token; Organization, Team, or User, and so can only contain one parameter for
organization, team_id, or user_id.

If the role has the team ID configured, this path generates a team token.

If this role only has the organization configured, this path generates an
organization token.

If this role has a user ID configured, this path generates a user token.
`
	pathRotateRoleHelpSyn = `
Request to rotate the credentials for a team or organization.
`
	pathRotateRoleHelpDesc = `
This path attempts to rotate the credentials for the given team or organization role. 
This endpoint returns an error if attempting to rotate a user role.
`
)
