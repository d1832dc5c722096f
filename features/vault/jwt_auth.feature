@vault @identity @emulator-only @seed
Feature: Vault jwt auth with the emulator's workload identity tokens
  Vault's jwt auth method trusts the emulated TFC issuer through OIDC
  discovery and accepts its tokens exactly as the real method would: the
  audience bound, the subject glob-matched, the expiry checked on the
  virtual clock with the 60 s leeway
  (https://developer.hashicorp.com/vault/docs/auth/jwt and the method's
  source, https://github.com/hashicorp/vault-plugin-auth-jwt/blob/main/path_login.go).

  Background:
    When I POST "/v1/sys/auth/jwt" to Vault with:
      """
      {"type":"jwt"}
      """
    Then the response status is 204
    When I PUT "/v1/auth/jwt/config" to Vault with:
      """
      {"oidc_discovery_url":"{issuer}","bound_issuer":"{issuer}"}
      """
    Then the response status is 204
    When I PUT "/v1/auth/jwt/role/tfc-workspace" to Vault with:
      """
      {"role_type":"jwt","bound_audiences":"vault.workload.identity","user_claim":"terraform_full_workspace",
       "bound_claims_type":"glob","bound_claims":{"sub":"organization:my-org:project:*:workspace:my-workspace:run_phase:*"},
       "token_policies":"tfc-policy","token_ttl":"20m"}
      """
    Then the response status is 204

  Scenario: A plan token logs in and gets the role's policies
    Given the virtual clock is frozen
    And a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "vault.workload.identity"
    When I PUT "/v1/auth/jwt/login" to Vault with:
      """
      {"role":"tfc-workspace","jwt":"{jwt}"}
      """
    Then the response status is 200
    And the response JSON at "auth.policies" is ["default","tfc-policy"]
    And the response JSON at "auth.token_policies" is ["default","tfc-policy"]
    And the response JSON at "auth.metadata" is {"role":"tfc-workspace"}
    And the response JSON at "auth.lease_duration" is 1200
    And the response JSON at "auth.renewable" is true
    And the response JSON at "auth.client_token" contains "hvs."

  Scenario Outline: Login refusals
    Given the virtual clock is frozen
    And a workload identity token for workspace "<workspace>" phase "apply" with audience "<audience>"
    When <change>
    And I PUT "/v1/auth/jwt/login" to Vault with:
      """
      {"role":"tfc-workspace","jwt":"{jwt}"}
      """
    Then the response status is 400
    And the response JSON at "errors.0" contains "<error>"

    Examples:
      | workspace                           | audience                | change                                                 | error                                                                                                   |
      | my-org/my-workspace                 | aws.workload.identity   | 0 seconds pass                                         | error validating token: invalid audience (aud) claim: audience claim does not match any expected audience |
      | my-org/my-workspace                 | vault.workload.identity | the token is forged with alg none                      | error validating token: error verifying token signature: oidc: malformed jwt: unexpected signature algorithm "none"; expected ["RS256" "RS384" "RS512" "ES256" "ES384" "ES512" "PS256" "PS384" "PS512" "EdDSA"] |
      | my-org/my-workspace                 | vault.workload.identity | the token is forged by an unknown key under the published kid | error validating token: error verifying token signature: failed to verify id token signature |
      | hashicorp-vault-testing/vault-testing | vault.workload.identity | 0 seconds pass                                       | error validating claims: claim "sub" does not match any associated bound claim values                 |

    @vault-clock
    Examples: the virtual clock moves past exp
      | workspace                           | audience                | change                                                 | error                                                                                                   |
      | my-org/my-workspace                 | vault.workload.identity | 86461 seconds pass                                     | error validating token: invalid expiration time (exp) claim: token is expired                          |

  Scenario: A token that expired by the wall clock is refused
    Given the virtual clock is set to 86461 seconds before the wall clock
    And a workload identity token for workspace "my-org/my-workspace" phase "apply" with audience "vault.workload.identity"
    When the virtual clock runs at the wall clock again
    And I PUT "/v1/auth/jwt/login" to Vault with:
      """
      {"role":"tfc-workspace","jwt":"{jwt}"}
      """
    Then the response status is 400
    And the response JSON at "errors.0" contains "error validating token: invalid expiration time (exp) claim: token is expired"

  Scenario Outline: The 60 s clock skew leeway after exp, by the wall clock
    Given the virtual clock is set to <before> seconds before the wall clock
    And a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "vault.workload.identity"
    When the virtual clock runs at the wall clock again
    And I PUT "/v1/auth/jwt/login" to Vault with:
      """
      {"role":"tfc-workspace","jwt":"{jwt}"}
      """
    Then the response status is <status>

    Examples: a plan token lives 7200 s, so exp was 30 s or 90 s ago
      | before | status |
      | 7230   | 200    |
      | 7290   | 400    |

  @vault-clock
  Scenario: The 60 s clock skew leeway after exp is honoured
    Given the virtual clock is set to "2026-01-15T10:30:00Z"
    And a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "vault.workload.identity"
    When 7260 seconds pass
    And I PUT "/v1/auth/jwt/login" to Vault with:
      """
      {"role":"tfc-workspace","jwt":"{jwt}"}
      """
    Then the response status is 200
    When 1 second passes
    And I PUT "/v1/auth/jwt/login" to Vault with:
      """
      {"role":"tfc-workspace","jwt":"{jwt}"}
      """
    Then the response status is 400

  Scenario: A discovery URL whose issuer differs is refused at config time
    When I PUT "/v1/auth/jwt/config" to Vault with:
      """
      {"oidc_discovery_url":"{issuer}/","bound_issuer":"{issuer}"}
      """
    Then the response status is 400
    And the response body is exactly:
      """
      {"errors":["error checking oidc discovery URL"]}
      """

  Scenario: A login token reads the terraform engine only as its role's policy allows
    # vault secrets enable terraform; vault write terraform/config token=...; a user role
    When I POST "/v1/sys/mounts/terraform" to Vault with:
      """
      {"type":"terraform"}
      """
    And I PUT "/v1/terraform/config" to Vault with:
      """
      {"token":"{owner_token}","address":"{tfc_url_for_vault}"}
      """
    And I PUT "/v1/terraform/role/my-user" to Vault with:
      """
      {"user_id":"user-12345abcde"}
      """
    Then the response status is 204
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "vault.workload.identity"
    When I PUT "/v1/auth/jwt/login" to Vault with:
      """
      {"role":"tfc-workspace","jwt":"{jwt}"}
      """
    Then the response status is 200
    And I remember the response JSON at "auth.client_token" as "login_token"
    # No tfc-policy yet: the default policy alone does not reach the engine.
    When I use the Vault token "{login_token}"
    And I GET "/v1/terraform/creds/my-user" from Vault
    Then the response status is 403
    And the response JSON at "errors" is ["1 error occurred:\n\t* permission denied\n\n"]
    When I GET "/v1/auth/token/lookup-self" from Vault
    Then the response status is 200
    # vault policy write tfc-policy - (as root)
    When I use the Vault token "{vault_token}"
    And I PUT "/v1/sys/policies/acl/tfc-policy" to Vault with:
      """
      {"policy":"path \"terraform/creds/my-user\" {\n  capabilities = [\"read\"]\n}\n"}
      """
    Then the response status is 204
    When I use the Vault token "{login_token}"
    And I GET "/v1/terraform/creds/my-user" from Vault
    Then the response status is 200
    And the response JSON at "lease_id" contains "terraform/creds/my-user/"
    When I POST "/v1/sys/capabilities-self" to Vault with:
      """
      {"paths":["terraform/creds/my-user","terraform/role/my-user"]}
      """
    Then the response status is 200
    And the response JSON at "data" is {"terraform/creds/my-user":["read"],"terraform/role/my-user":["deny"]}

  Scenario: A role reads back as the method shows it, deprecated names only when used
    When I PUT "/v1/auth/jwt/role/legacy" to Vault with:
      """
      {"role_type":"jwt","user_claim":"sub","bound_subject":"x","policies":"p1","ttl":"1h","bound_cidrs":"127.0.0.1/32"}
      """
    Then the response status is 204
    # vault read auth/jwt/role/legacy
    When I GET "/v1/auth/jwt/role/legacy" from Vault
    Then the response status is 200
    And the response JSON at "data.policies" is ["p1"]
    And the response JSON at "data.token_policies" is ["p1"]
    And the response JSON at "data.ttl" is 3600
    And the response JSON at "data.bound_cidrs" is ["127.0.0.1"]
    And the response JSON at "data.token_type" is "default"
    And the response JSON at "data.allowed_redirect_uris" is null
    And the response JSON at "data.oidc_scopes" is null
    And the response JSON at "data.bound_audiences" is null
    And the response JSON has no "data.max_ttl"
    And the response JSON has no "data.num_uses"
    And the response JSON has no "data.period"
    When I GET "/v1/auth/jwt/role/tfc-workspace" from Vault
    Then the response status is 200
    And the response JSON has no "data.policies"
    And the response JSON has no "data.ttl"
    And the response JSON has no "data.bound_cidrs"

  Scenario: bound_claims given as a string is refused before the role is looked at
    # vault write auth/jwt/role/bad role_type=jwt user_claim=sub bound_claims=sub=foo
    When I PUT "/v1/auth/jwt/role/bad" to Vault with:
      """
      {"role_type":"jwt","user_claim":"sub","bound_claims":"sub=foo"}
      """
    Then the response status is 400
    And the response body is exactly:
      """
      {"errors":["error converting input for field \"bound_claims\": '' expected a map, got 'string'"]}
      """
