@identity @emulator-only @seed
Feature: Token expiry on the virtual clock, key rotation and forged tokens
  Issuance and validation share one virtual clock: moving it moves both. A
  rotated key stays published so tokens already issued still verify. A
  verifier refuses what production refuses.

  Scenario: A plan token expires when the virtual clock passes its exp
    Given the virtual clock is frozen
    And a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "aws.workload.identity"
    Then an OIDC verifier using discovery accepts the token for audience "aws.workload.identity"
    When 7199 seconds pass
    Then an OIDC verifier using discovery accepts the token for audience "aws.workload.identity"
    When 2 seconds pass
    Then an OIDC verifier using discovery rejects the token for audience "aws.workload.identity" with "token is expired"

  Scenario: A module test token lives for the organization's module-test-token-ttl
    Given the virtual clock is frozen
    And a module test token for module "my-org/vpc" with audience "aws.workload.identity"
    When 599 seconds pass
    Then an OIDC verifier using discovery accepts the token for audience "aws.workload.identity"
    When 2 seconds pass
    Then an OIDC verifier using discovery rejects the token for audience "aws.workload.identity" with "token is expired"

  Scenario: A token signed before a key rotation still verifies
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "aws.workload.identity"
    When the signing key is rotated
    Then the JWKS has 2 keys
    And the token's kid is the first key of the JWKS
    And the token verifies against the JWKS
    And an OIDC verifier using discovery accepts the token for audience "aws.workload.identity"
    Given a workload identity token for workspace "my-org/my-workspace" phase "apply" with audience "aws.workload.identity"
    Then the token's kid is the last key of the JWKS
    And an OIDC verifier using discovery accepts the token for audience "aws.workload.identity"

  Scenario: Reset returns to the starting key
    Given the signing key is rotated
    When I POST "/_emulator/reset" with:
      """
      {}
      """
    Then the JWKS has 1 key

  Scenario Outline: A forged token is refused <how>
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "aws.workload.identity"
    When the token is forged <how>
    Then an OIDC verifier using discovery rejects the token for audience "aws.workload.identity" with "<error>"

    Examples:
      | how                                         | error                        |
      | with alg none                               | unexpected signature algorithm |
      | by an unknown key under the published kid   | failed to verify signature   |
      | by an unknown key with an unknown kid       | failed to verify signature   |
