@tfc @module-tests @identity @emulator-only @seed
Feature: Module test runs carry an identity token per the test configuration
  A test run's token has the module subject, the configured audience and
  the organization's module-test-token-ttl, with nbf 30 s before iat
  (https://developer.hashicorp.com/terraform/cloud-docs/registry/test/dynamic-credentials).

  Background:
    Given the virtual clock is set to "2026-01-15T10:30:00Z"
    When I PATCH "/api/v2/organizations/my-org" with:
      """
      {"data": {"type": "organizations", "attributes": {"module-test-token-ttl": 900}}}
      """
    Then the response status is 200

  Scenario: The token's lifetime follows the organization's TTL
    When I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": true, "oidc-provider": "aws",
        "oidc-configuration": {"role-arn": "arn:aws:iam::123456789012:role/terraform-module-test-role"}}}}
      """
    And I POST "/api/v2/organizations/my-org/tests/registry-modules/private/my-org/vpc/aws/test-runs" with:
      """
      {"data": {"type": "test-runs"}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.status" is "running"
    And I remember the response JSON at "data.id" as "run"
    When I GET "/_emulator/runs/{run}/environment"
    Then the response status is 200
    And the response JSON at "env.TFC_AWS_PROVIDER_AUTH" is "true"
    And the response JSON at "env.TFC_AWS_RUN_ROLE_ARN" is "arn:aws:iam::123456789012:role/terraform-module-test-role"
    And the response JSON at "env.TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE" is "aws.workload.identity"
    And the response JSON at "env.TFC_OIDC_ISSUER_URL" is "{issuer}"
    And I take the workload identity token from the response JSON at "env.TFC_WORKLOAD_IDENTITY_TOKEN"
    Then the token claims include:
      | claim               | value                                                    |
      | sub                 | organization:my-org:module:terraform-aws-vpc:operation:test_run |
      | aud                 | aws.workload.identity                                    |
      | terraform_run_phase | plan                                                     |
      | terraform_run_id    | {run}                                                    |
    And the token has no "terraform_workspace_id" claim
    And the token expires 900 seconds after it was issued
    And the token's nbf is 30 seconds before its iat
    And an OIDC verifier using discovery accepts the token for audience "aws.workload.identity"
    When 961 seconds pass
    Then an OIDC verifier using discovery rejects the token for audience "aws.workload.identity" with "token is expired"

  Scenario: Without a test configuration a run gets no token
    When I POST "/api/v2/organizations/my-org/tests/registry-modules/private/my-org/vpc/aws/test-runs" with:
      """
      {"data": {"type": "test-runs"}}
      """
    And I remember the response JSON at "data.id" as "run"
    And I GET "/_emulator/runs/{run}/environment"
    Then the response JSON at "env" is {"TFC_RUN_ID":"{run}"}

  @vault
  Scenario: A vault test configuration's token logs in at Vault's jwt auth
    # Vault judges the token by its own clock: a real Vault keeps real time.
    Given the virtual clock runs at the wall clock again
    When I POST "/v1/sys/auth/jwt" to Vault with:
      """
      {"type":"jwt"}
      """
    And I PUT "/v1/auth/jwt/config" to Vault with:
      """
      {"oidc_discovery_url":"{issuer}","bound_issuer":"{issuer}"}
      """
    And I PUT "/v1/auth/jwt/role/module-tests" to Vault with:
      """
      {"role_type":"jwt","bound_audiences":"vault.workload.identity","user_claim":"sub","bound_claims_type":"glob",
       "bound_claims":{"sub":"organization:my-org:module:*:operation:test_run"},"token_policies":"module-tests"}
      """
    And I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": true, "oidc-provider": "vault",
        "oidc-configuration": {"url": "{vault_url_for_runs}", "role-name": "module-tests"}}}}
      """
    And I POST "/api/v2/organizations/my-org/tests/registry-modules/private/my-org/vpc/aws/test-runs" with:
      """
      {"data": {"type": "test-runs"}}
      """
    And I remember the response JSON at "data.id" as "run"
    And I GET "/_emulator/runs/{run}/environment"
    Then the response JSON at "env.TFC_VAULT_AUTH_PATH" is "jwt"
    And the response JSON at "env.TFC_VAULT_RUN_ROLE" is "module-tests"
    And the response JSON at "env.TFC_VAULT_WORKLOAD_IDENTITY_AUDIENCE" is "vault.workload.identity"
    And I take the workload identity token from the response JSON at "env.TFC_WORKLOAD_IDENTITY_TOKEN"
    When I PUT "/v1/auth/jwt/login" to Vault with:
      """
      {"role":"module-tests","jwt":"{jwt}"}
      """
    Then the response status is 200
    And the response JSON at "auth.policies" is ["default","module-tests"]
