@vault @seed
Feature: Vault's Terraform Cloud secrets engine
  Every command of the product document
  (https://developer.hashicorp.com/vault/docs/secrets/terraform), as the
  Vault HTTP API receives it from the vault CLI, with Vault's envelopes and
  the engine's own errors
  (https://github.com/hashicorp/vault-plugin-secrets-terraform, v0.14.1).

  Background:
    # vault secrets enable terraform
    When I POST "/v1/sys/mounts/terraform" to Vault with:
      """
      {"type":"terraform","description":"","config":{"options":null,"default_lease_ttl":"0s","max_lease_ttl":"0s","force_no_cache":false},"local":false,"seal_wrap":false,"external_entropy_access":false,"options":null}
      """
    Then the response status is 204
    # vault write terraform/config token=Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4
    When I PUT "/v1/terraform/config" to Vault with:
      """
      {"token":"Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}
      """
    Then the response status is 204

  Scenario: The config reads back its address and base path, never its token
    When I GET "/v1/terraform/config" from Vault
    Then the response status is 200
    And the response JSON at "data" is {"address":"https://app.terraform.io","base_path":"/api/v2/"}
    And the response JSON at "mount_type" is "terraform"

  Scenario: A user role issues a new leased token on every read, revoked in TFC with its lease
    # vault write terraform/role/my-role user_id=user-12345abcde
    When I PUT "/v1/terraform/role/my-role" to Vault with:
      """
      {"user_id":"user-12345abcde"}
      """
    Then the response status is 204
    # vault read terraform/creds/my-role
    When I GET "/v1/terraform/creds/my-role" from Vault
    Then the response status is 200
    And the response JSON at "renewable" is true
    And the response JSON at "lease_duration" is 2764800
    And the response JSON at "lease_id" contains "terraform/creds/my-role/"
    # A user token's creds are its token and id only: the engine drops
    # the user token's expired-at and description (plugin v0.13.0).
    And the response JSON has no "data.expired_at"
    And the response JSON has no "data.description"
    And I remember the response JSON at "lease_id" as "lease"
    And I remember the response JSON at "data.token" as "tfc_token"
    When I authenticate with "{tfc_token}"
    And I GET "/api/v2/account/details"
    Then the response status is 200
    When I PUT "/v1/sys/leases/revoke" to Vault with:
      """
      {"lease_id":"{lease}"}
      """
    Then the response status is 204
    When I GET "/api/v2/account/details"
    Then the response status is 401

  @token-store
  Scenario: Credentials read on a token's last use are withheld, and revoked with the token
    # https://developer.hashicorp.com/vault/docs/concepts/tokens#token-use-limits
    When I PUT "/v1/terraform/role/my-role" to Vault with:
      """
      {"user_id":"user-12345abcde"}
      """
    Then the response status is 204
    When I PUT "/v1/sys/policies/acl/terraform-creds" to Vault with:
      """
      {"policy":"path \"terraform/creds/my-role\" {\n  capabilities = [\"read\"]\n}\n"}
      """
    Then the response status is 204
    When I POST "/v1/auth/token/create" to Vault with:
      """
      {"policies":["terraform-creds"],"num_uses":2}
      """
    Then the response status is 200
    And I remember the response JSON at "auth.client_token" as "limited_token"
    When I use the Vault token "{limited_token}"
    And I GET "/v1/terraform/creds/my-role" from Vault
    Then the response status is 200
    And the response JSON at "lease_id" contains "terraform/creds/my-role/"
    # The last use's credentials are leased to a token revoked after the
    # request, so Vault revokes them (and the first's) and answers this.
    When I GET "/v1/terraform/creds/my-role" from Vault
    Then the response status is 400
    And the response JSON at "errors" is ["Secret cannot be returned; token had one use left, so leased credentials were immediately revoked."]

  Scenario: An organization role returns its stored token until the role is rotated
    # vault write terraform/role/testing organization="${TF_ORGANIZATION}"
    When I PUT "/v1/terraform/role/testing" to Vault with:
      """
      {"organization":"hashicorp-vault-testing"}
      """
    Then the response status is 204
    When I GET "/v1/terraform/creds/testing" from Vault
    Then the response JSON at "lease_id" is ""
    And the response JSON at "data.organization" is "hashicorp-vault-testing"
    And the response JSON at "data.role" is "testing"
    And I remember the response JSON at "data.token" as "first"
    When I GET "/v1/terraform/creds/testing" from Vault
    Then the response JSON at "data.token" is "{first}"
    # vault write -f terraform/rotate-role/testing
    When I PUT "/v1/terraform/rotate-role/testing" to Vault with:
      """
      {}
      """
    Then the response status is 204
    When I GET "/v1/terraform/creds/testing" from Vault
    And I remember the response JSON at "data.token" as "second"
    And I authenticate with "{first}"
    And I GET "/api/v2/account/details"
    Then the response status is 401
    When I authenticate with "{second}"
    And I GET "/api/v2/account/details"
    Then the response status is 200

  Scenario: A legacy team role stores its token; the read shows team_legacy
    When I PUT "/v1/terraform/role/team" to Vault with:
      """
      {"team_id":"team-tfcemuHVTeam1234"}
      """
    Then the response status is 204
    When I GET "/v1/terraform/role/team" from Vault
    Then the response JSON at "data" is {"credential_type":"team_legacy","max_ttl":0,"name":"team","team_id":"team-tfcemuHVTeam1234","ttl":0}

  @emulator-only
  @vault-clock
  Scenario: A team token lease expires on the virtual clock and its token is revoked in TFC
    Given the virtual clock is frozen
    When I PUT "/v1/terraform/role/multi" to Vault with:
      """
      {"team_id":"team-tfcemuHVTeam1234","credential_type":"team","description":"ci","ttl":"2m"}
      """
    And I GET "/v1/terraform/creds/multi" from Vault
    Then the response JSON at "lease_duration" is 120
    And the response JSON at "data.description" contains "ci("
    And I remember the response JSON at "data.token" as "tfc_token"
    When 119 seconds pass
    And I authenticate with "{tfc_token}"
    And I GET "/api/v2/account/details"
    Then the response status is 200
    When 1 second passes
    And I GET "/api/v2/account/details"
    Then the response status is 401

  Scenario Outline: Role writes the engine refuses
    When I PUT "/v1/terraform/role/bad" to Vault with:
      """
      <body>
      """
    Then the response status is 400
    And the response body is exactly:
      """
      {"errors":["<error>"]}
      """

    Examples:
      | body                                                  | error                                                                                                      |
      | {"organization":"o","credential_type":"org"}          | unrecognized credential type: org                                                                          |
      | {"user_id":"user-12345abcde","organization":"my-org"} | cannot provide a user_id in combination with organization or team_id                                       |
      | {"description":"nothing to make a token for"}         | must provide an organization name, team id, or user id                                                     |
      | {"user_id":"user-12345abcde","ttl":600,"max_ttl":60}  | ttl cannot be greater than max_ttl                                                                         |
      | {"team_id":"team-tfcemuHVTeam1234","ttl":60}          | cannot provide description, ttl, or max_ttl with credential_type = team_legacy, try credential_type = team. |

  Scenario: Reading creds of a role that does not exist is the engine's 500
    When I GET "/v1/terraform/creds/nope" from Vault
    Then the response status is 500
    And the response JSON at "errors.0" is "1 error occurred:\n\t* error retrieving role: role is nil\n\n"

  Scenario: Listing roles when there are none is a 404 with no errors
    When I LIST "/v1/terraform/role" from Vault
    Then the response status is 404
    And the response body is exactly:
      """
      {"errors":[]}
      """

  Scenario: Path help describes the engine's paths
    When I GET "/v1/terraform/creds/my-role?help=1" from Vault
    Then the response status is 200
    And the response JSON at "help" contains "Generate a Terraform Cloud or Enterprise API token from a specific Vault role."

  Scenario: A request without a token is denied
    Given I use the Vault token ""
    When I GET "/v1/terraform/config" from Vault
    Then the response status is 403
    And the response body is exactly:
      """
      {"errors":["permission denied"]}
      """

  Scenario: A write to a path ending in "/" is refused, under sys/ too
    When I POST "/v1/sys/mounts/other/" to Vault with:
      """
      {"type":"terraform"}
      """
    Then the response status is 400
    And the response body is exactly:
      """
      {"errors":["cannot write to a path ending in '/'"]}
      """
    When I GET "/v1/sys/mounts/other" from Vault
    Then the response status is 400
    And the response body is exactly:
      """
      {"errors":["No secret engine mount at other/"]}
      """

  Scenario: Disabling the engine stops at a lease it cannot revoke, and the mount stays
    When I PUT "/v1/terraform/role/my-role" to Vault with:
      """
      {"user_id":"user-12345abcde"}
      """
    And I GET "/v1/terraform/creds/my-role" from Vault
    Then the response status is 200
    And I remember the response JSON at "lease_id" as "lease"
    And I remember the response JSON at "data.token" as "tfc_token"
    And I remember the response JSON at "data.token_id" as "tfc_token_id"
    # The token is deleted in TFC behind Vault's back.
    When I authenticate with "{tfc_token}"
    And I DELETE "/api/v2/authentication-tokens/{tfc_token_id}"
    Then the response status is 204
    # vault secrets disable terraform
    When I DELETE "/v1/sys/mounts/terraform" on Vault
    Then the response status is 400
    And the response body is exactly:
      """
      {"errors":["failed to revoke \"{lease}\" (1 / 1): failed to revoke entry: resp: (*logical.Response)(nil) err: error revoking user token: resource not found"]}
      """
    When I GET "/v1/sys/mounts/terraform" from Vault
    Then the response status is 200
    And the response JSON at "data.type" is "terraform"
    # ... tainted: it serves nothing more.
    When I GET "/v1/terraform/role/my-role" from Vault
    Then the response status is 404
    And the response body is exactly:
      """
      {"errors":["no handler for route \"terraform/role/my-role\". route entry is tainted."]}
      """
    # vault lease revoke -force -prefix terraform, then the disable succeeds
    When I PUT "/v1/sys/leases/revoke-force/terraform" to Vault with:
      """
      {}
      """
    Then the response status is 204
    When I DELETE "/v1/sys/mounts/terraform" on Vault
    Then the response status is 204

  Scenario: The mount tables are a dev server's, the engine at its plugin version
    # vault secrets list -detailed
    When I GET "/v1/sys/mounts" from Vault
    Then the response status is 200
    And the response JSON at "data.terraform/.running_plugin_version" is "v0.13.0+builtin"
    And the response JSON at "data.terraform/.deprecation_status" is "supported"
    # The vault CLI enables with "options": null, which stays null.
    And the response JSON at "data.terraform/.options" is null
    And the response JSON at "data.sys/.seal_wrap" is true
    And the response JSON at "data.sys/.running_plugin_version" is "v1.21.0+builtin.vault"
    And the response JSON at "data.secret/.options" is {"version":"2"}
    And the response JSON at "data.cubbyhole/.local" is true
    And the response JSON at "data.identity/.type" is "identity"
    # Old clients read the mounts at the top level too.
    And the response JSON at "terraform/.type" is "terraform"
    # vault read sys/mounts/terraform
    When I GET "/v1/sys/mounts/terraform" from Vault
    Then the response status is 200
    And the response JSON at "type" is "terraform"
    And the response JSON at "data.running_plugin_version" is "v0.13.0+builtin"
    And the response JSON at "mount_type" is "system"

  Scenario: vault status reads the seal status and the leader
    Given I send no token
    When I GET "/v1/sys/leader" from Vault
    Then the response status is 200
    And the response body is exactly:
      """
      {"ha_enabled":false,"is_self":false,"active_time":"0001-01-01T00:00:00Z","leader_address":"","leader_cluster_address":"","performance_standby":false,"performance_standby_last_remote_wal":0}
      """
    When I GET "/v1/sys/seal-status" from Vault
    Then the response status is 200
    And the response JSON at "version" is "1.21.0"
