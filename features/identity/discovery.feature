@identity
Feature: OIDC discovery document and JWKS
  HCP Terraform is an OIDC token issuer. It publishes standard metadata at
  /.well-known/openid-configuration and its public keys at /.well-known/jwks
  (not jwks.json). The issuer is the root address with the scheme and no
  trailing slash. Source: https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens
  and app.terraform.io's own https://app.terraform.io/.well-known/openid-configuration

  Scenario: The discovery document carries TFC's fields
    When I GET "/.well-known/openid-configuration" from the issuer
    Then the response status is 200
    And the response JSON at "issuer" is {issuer}
    And the response JSON at "jwks_uri" is {issuer}/.well-known/jwks
    And the response JSON at "id_token_signing_alg_values_supported" is ["RS256"]
    And the response JSON at "response_types_supported" is ["id_token"]
    And the response JSON at "scopes_supported" is ["openid"]
    And the response JSON at "subject_types_supported" is ["public"]
    And the response JSON at "claims_supported" lists, in order:
      | sub | aud | exp | iat | iss | jti | nbf | ref | terraform_run_phase | terraform_workspace_id | terraform_workspace_name | terraform_organization_id | terraform_organization_name | terraform_project_id | terraform_project_name | terraform_run_id | terraform_full_workspace |

  Scenario: The JWKS publishes RS256 signature keys with an RFC 7638 kid
    When I GET "/.well-known/jwks" from the issuer
    Then the response status is 200
    And the response JSON at "keys.0.kty" is "RSA"
    And the response JSON at "keys.0.alg" is "RS256"
    And the response JSON at "keys.0.use" is "sig"
    And the response JSON at "keys.0.e" is "AQAB"

  Scenario: There is no jwks.json alias
    When I GET "/.well-known/jwks.json" from the issuer
    Then the response status is 404
