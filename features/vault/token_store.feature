@vault @token-store
Feature: Vault's token store: limited-use tokens
  A token created with num_uses may serve that many requests, its own
  lookups included; the request that takes its last use is served, and the
  token is revoked after it (https://developer.hashicorp.com/vault/docs/concepts/tokens,
  "Token use limits"; the API: https://developer.hashicorp.com/vault/api-docs/auth/token).
  A limited-use token cannot create child tokens, which would escape its
  limit. Every answer here is a real Vault 1.21's, compared side by side.

  Scenario: Every request takes a use, lookup-self included, and the last use shows -1
    # vault token create -policy=default -use-limit=2 (as root)
    When I POST "/v1/auth/token/create" to Vault with:
      """
      {"policies":["default"],"num_uses":2}
      """
    Then the response status is 200
    And the response JSON at "auth.num_uses" is 2
    And I remember the response JSON at "auth.client_token" as "limited_token"
    # Another token's lookup of it takes no use.
    When I POST "/v1/auth/token/lookup" to Vault with:
      """
      {"token":"{limited_token}"}
      """
    Then the response status is 200
    And the response JSON at "data.num_uses" is 2
    When I use the Vault token "{limited_token}"
    And I GET "/v1/auth/token/lookup-self" from Vault
    Then the response status is 200
    And the response JSON at "data.num_uses" is 1
    # The last use is served; in it the token shows Vault's revocation
    # pending, -1.
    When I GET "/v1/auth/token/lookup-self" from Vault
    Then the response status is 200
    And the response JSON at "data.num_uses" is -1
    When I GET "/v1/auth/token/lookup-self" from Vault
    Then the response status is 403
    And the response JSON at "errors" is ["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]
    # The token is gone: root's lookup of it finds nothing.
    When I use the Vault token "{vault_token}"
    And I POST "/v1/auth/token/lookup" to Vault with:
      """
      {"token":"{limited_token}"}
      """
    Then the response status is 403
    And the response JSON at "errors" is ["bad token"]

  Scenario: A limited-use token cannot create a child token, its last use not even finding itself as the parent
    # vault policy write token-creator - (as root)
    When I PUT "/v1/sys/policies/acl/token-creator" to Vault with:
      """
      {"policy":"path \"auth/token/create\" {\n  capabilities = [\"update\"]\n}\n"}
      """
    Then the response status is 204
    When I POST "/v1/auth/token/create" to Vault with:
      """
      {"policies":["token-creator"],"num_uses":2}
      """
    Then the response status is 200
    And I remember the response JSON at "auth.client_token" as "limited_token"
    When I use the Vault token "{limited_token}"
    And I POST "/v1/auth/token/create" to Vault with:
      """
      {"policies":["default"]}
      """
    Then the response status is 400
    And the response JSON at "errors" is ["restricted use token cannot generate child tokens"]
    # The refusal took a use: this request is the last one, and the token
    # store's lookup of the parent does not find a token pending revocation.
    When I POST "/v1/auth/token/create" to Vault with:
      """
      {"policies":["default"]}
      """
    Then the response status is 400
    And the response JSON at "errors" is ["parent token lookup failed: no parent found"]
    When I GET "/v1/auth/token/lookup-self" from Vault
    Then the response status is 403
    And the response JSON at "errors" is ["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]

  Scenario: A request the token's policies deny takes a use too, and on the last use revokes it
    When I POST "/v1/auth/token/create" to Vault with:
      """
      {"policies":["default"],"num_uses":2}
      """
    Then the response status is 200
    And I remember the response JSON at "auth.client_token" as "limited_token"
    When I use the Vault token "{limited_token}"
    # The default policy does not reach sys/mounts: refused, and a use
    # taken all the same.
    And I GET "/v1/sys/mounts" from Vault
    Then the response status is 403
    And the response JSON at "errors" is ["1 error occurred:\n\t* permission denied\n\n"]
    When I GET "/v1/auth/token/lookup-self" from Vault
    Then the response status is 200
    And the response JSON at "data.num_uses" is -1
    When I POST "/v1/auth/token/create" to Vault with:
      """
      {"policies":["default"],"num_uses":1}
      """
    Then the response status is 403
    And the response JSON at "errors" is ["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]
    # A refused last use ends the token as a served one does.
    When I use the Vault token "{vault_token}"
    And I POST "/v1/auth/token/create" to Vault with:
      """
      {"policies":["default"],"num_uses":1}
      """
    Then the response status is 200
    And I remember the response JSON at "auth.client_token" as "one_use_token"
    When I use the Vault token "{one_use_token}"
    And I GET "/v1/sys/mounts" from Vault
    Then the response status is 403
    And the response JSON at "errors" is ["1 error occurred:\n\t* permission denied\n\n"]
    # A real Vault revokes it in the background (a root lookup right after
    # may still find it, num_uses -1), so what is checked is its next use.
    When I GET "/v1/auth/token/lookup-self" from Vault
    Then the response status is 403
    And the response JSON at "errors" is ["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]

  Scenario: A negative num_uses is refused
    When I POST "/v1/auth/token/create" to Vault with:
      """
      {"policies":["default"],"num_uses":-1}
      """
    Then the response status is 400
    And the response JSON at "errors" is ["number of uses cannot be negative"]
