@identity @emulator-only @seed
Feature: Workload identity tokens for workspace runs and module test runs
  Each plan and apply gets an RS256 token signed by the issuer's key, with
  TFC's claims; module test runs get tokens with a module subject and no
  workspace claims. Source:
  https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens

  Scenario Outline: Claims for the <phase> phase
    Given the virtual clock is frozen
    And a workload identity token for workspace "my-org/my-workspace" phase "<phase>" with audience "my-example-audience"
    Then the token header is RS256 with typ JWT and a kid published in the JWKS
    And the token verifies against the JWKS
    And the token claims include:
      | claim                       | value                                                                               |
      | iss                         | {issuer}                                                                            |
      | aud                         | my-example-audience                                                                 |
      | sub                         | organization:my-org:project:Default Project:workspace:my-workspace:run_phase:<phase> |
      | terraform_organization_id   | org-GRNbCjYNpBB6NEH9                                                                |
      | terraform_organization_name | my-org                                                                              |
      | terraform_project_id        | prj-vegSA59s1XPwMr2t                                                                |
      | terraform_project_name      | Default Project                                                                     |
      | terraform_workspace_id      | ws-mbsd5E3Ktt5Rg2Xm                                                                 |
      | terraform_workspace_name    | my-workspace                                                                        |
      | terraform_full_workspace    | organization:my-org:project:Default Project:workspace:my-workspace                 |
      | terraform_run_phase         | <phase>                                                                             |
    And the token claim "jti" matches "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    And the token claim "terraform_run_id" matches "^run-[1-9A-HJ-NP-Za-km-z]{16}$"
    And the token was issued at the virtual clock's time
    And the token's nbf is 0 seconds before its iat
    And the token expires <lifetime> seconds after it was issued

    Examples:
      | phase | lifetime |
      | plan  | 7200     |
      | apply | 86400    |

  Scenario: A module test token has the module subject and no workspace claims
    Given a module test token for module "my-org/terraform-aws-vpc" with audience "aws.workload.identity"
    Then the token verifies against the JWKS
    And the token claims include:
      | claim                       | value                                                          |
      | iss                         | {issuer}                                                       |
      | aud                         | aws.workload.identity                                          |
      | sub                         | organization:my-org:module:terraform-aws-vpc:operation:test_run |
      | terraform_run_phase         | plan                                                           |
      | terraform_organization_id   | org-GRNbCjYNpBB6NEH9                                           |
      | terraform_organization_name | my-org                                                         |
    And the token claim "terraform_run_id" matches "^trun-[1-9A-HJ-NP-Za-km-z]{16}$"
    And the token has no "terraform_workspace_id" claim
    And the token has no "terraform_project_id" claim
    And the token has no "terraform_full_workspace" claim
    And the token expires 600 seconds after it was issued
    And the token's nbf is 30 seconds before its iat

  Scenario: An independent OIDC verifier accepts the token for its audience only
    Given a workload identity token for workspace "my-org/my-workspace" phase "apply" with audience "vault.workload.identity"
    Then an OIDC verifier using discovery accepts the token for audience "vault.workload.identity"
    And an OIDC verifier using discovery rejects the token for audience "aws.workload.identity" with "expected audience"
