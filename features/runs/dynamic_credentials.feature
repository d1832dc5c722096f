@runs @identity @vault @emulator-only @seed
Feature: Dynamic provider credentials in the run environment
  With TFC_<PROVIDER>_PROVIDER_AUTH set, the agent mints the phase's token
  for the provider's audience and turns it into credentials: for Vault a
  real login at TFC_VAULT_ADDR, for AWS, GCP and Azure the files and
  variables their providers read
  (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials).

  Background:
    When I POST "/v1/sys/auth/jwt" to Vault with:
      """
      {"type":"jwt"}
      """
    And I PUT "/v1/auth/jwt/config" to Vault with:
      """
      {"oidc_discovery_url":"{issuer}","bound_issuer":"{issuer}"}
      """
    And I PUT "/v1/auth/jwt/role/tfc-my-workspace" to Vault with:
      """
      {"role_type":"jwt","bound_audiences":"vault.workload.identity","user_claim":"terraform_full_workspace","bound_claims_type":"glob",
       "bound_claims":{"sub":"organization:my-org:project:*:workspace:my-workspace:run_phase:*"},"token_policies":"tfc-policy,reader","token_ttl":"20m"}
      """
    Then the response status is 204

  Scenario: Vault dynamic credentials end in a Vault token with the role's policies
    Given the workspace "my-org/my-workspace" has the environment variable "TFC_VAULT_PROVIDER_AUTH" set to "true"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_VAULT_ADDR" set to "{vault_url_for_runs}"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_VAULT_RUN_ROLE" set to "tfc-my-workspace"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    Then the response JSON at "status" is "running"
    And the response JSON at "env.VAULT_ADDR" is "{vault_url_for_runs}"
    And I remember the response JSON at "env.VAULT_TOKEN" as "run_vault_token"
    When I use the Vault token "{run_vault_token}"
    And I GET "/v1/auth/token/lookup-self" from Vault
    Then the response status is 200
    And the response JSON at "data.policies" is ["default","reader","tfc-policy"]
    And the response JSON at "data.meta.role" is "tfc-my-workspace"

  Scenario: A missing role variable fails the plan with the reason
    Given the workspace "my-org/my-workspace" has the environment variable "TFC_VAULT_PROVIDER_AUTH" set to "true"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_VAULT_ADDR" set to "{vault_url_for_runs}"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    Then the response JSON at "status" is "errored"
    And the response JSON at "run.status" is "errored"
    And the response JSON at "log" has a line containing "Error: dynamic credentials for vault are enabled, but neither TFC_VAULT_RUN_ROLE nor TFC_VAULT_PLAN_ROLE is set"

  Scenario: A login Vault refuses fails the plan with Vault's error
    Given the workspace "my-org/my-workspace" has the environment variable "TFC_VAULT_PROVIDER_AUTH" set to "true"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_VAULT_ADDR" set to "{vault_url_for_runs}"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_VAULT_RUN_ROLE" set to "tfc-my-workspace"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_VAULT_WORKLOAD_IDENTITY_AUDIENCE" set to "wrong-audience"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    Then the response JSON at "status" is "errored"
    And the response JSON at "log" has a line containing "invalid audience (aud) claim: audience claim does not match any expected audience"

  Scenario: AWS credentials as a token file and a shared config, per phase role
    Given the workspace "my-org/my-workspace" has the environment variable "TFC_AWS_PROVIDER_AUTH" set to "true"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_AWS_RUN_ROLE_ARN" set to "arn:aws:iam::123456789012:role/run"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_AWS_APPLY_ROLE_ARN" set to "arn:aws:iam::123456789012:role/apply"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    Then the response JSON at "env.AWS_ROLE_ARN" is "arn:aws:iam::123456789012:role/run"
    And the response JSON at "env.AWS_WEB_IDENTITY_TOKEN_FILE" contains "/{run}/plan/aws/default/token"
    When the run is confirmed
    And I read the apply environment of the run
    Then the response JSON at "env.AWS_ROLE_ARN" is "arn:aws:iam::123456789012:role/apply"
