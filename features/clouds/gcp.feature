@clouds @gcp @emulator-only @seed
Feature: GCP STS and IAM Credentials answer a run's workload identity token as Google would
  The clouds listener is Google's Security Token Service (gcp_sts_url,
  POST /v1/token) and IAM Credentials (gcp_iamcredentials_url,
  generateAccessToken) for the token a run presents through an
  external_account credential file. The token is verified against the
  workload identity pool provider's issuer, its audience against the
  provider's allowed audiences, then the attribute mapping and the attribute
  condition run in CEL (https://cloud.google.com/iam/docs/workload-identity-federation).
  Impersonation needs a roles/iam.workloadIdentityUser member admitting the
  federated principal. The default seed has the provider
  projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud
  trusting the emulator's issuer for my-org, and the service account
  terraform-module-test-sa@my-project.iam.gserviceaccount.com bound to the
  whole pool (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/gcp-configuration).
  Every decision is explained under /_emulator/gcp/decisions.

  Scenario: An apply token of the seeded organization impersonates the documented service account
    Given a workload identity token for workspace "my-org/my-workspace" phase "apply" with audience "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"
    When the token is exchanged at GCP STS for the provider "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"
    Then GCP STS issues a Bearer access token expiring in 3600 seconds
    When the federated token impersonates "terraform-module-test-sa@my-project.iam.gserviceaccount.com"
    Then IAM Credentials issues an access token expiring 3600 seconds from the virtual clock's now
    And the latest GCP decision is allowed because "principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/subject/organization:my-org:project:Default Project:workspace:my-workspace:run_phase:apply is admitted by roles/iam.workloadIdentityUser member principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/* of terraform-module-test-sa@my-project.iam.gserviceaccount.com"

  Scenario: A module test token with the documented audience is exchanged
    Given a module test token for module "my-org/vpc/aws" with audience "gcp.workload.identity"
    When the token is exchanged at GCP STS for the provider "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"
    Then GCP STS issues a Bearer access token expiring in 3600 seconds

  Scenario: The attribute condition rejects the plan phase
    When I PUT "/_emulator/gcp/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/apply-only" on TFC with:
      """
      {"attribute_mapping":{"google.subject":"assertion.sub","attribute.terraform_run_phase":"assertion.terraform_run_phase"},
       "attribute_condition":"attribute.terraform_run_phase == 'apply'",
       "oidc":{"issuer_uri":"{issuer}"}}
      """
    Then the response status is 201
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/apply-only"
    When the token is exchanged at GCP STS for the provider "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/apply-only"
    Then GCP STS answers 400 unauthorized_client: "The given credential is rejected by the attribute condition."
    And the latest GCP decision is denied because "attribute condition "attribute.terraform_run_phase == 'apply'" is false"

  Scenario: A token for another audience is refused
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "aws.workload.identity"
    When the token is exchanged at GCP STS for the provider "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"
    Then GCP STS answers 400 invalid_grant: "The audience in ID Token [aws.workload.identity] does not match the expected audience."

  Scenario: An audience that is not a provider's full resource name is refused
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "gcp.workload.identity"
    When the token is exchanged at GCP STS with the audience "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"
    Then GCP STS answers 400 invalid_request: "Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats."

  Scenario: A disabled or missing provider is an invalid target
    When I PUT "/_emulator/gcp/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud" on TFC with:
      """
      {"oidc":{"issuer_uri":"{issuer}","allowed_audiences":["gcp.workload.identity"]},"disabled":true}
      """
    Then the response status is 200
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "gcp.workload.identity"
    When the token is exchanged at GCP STS for the provider "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"
    Then GCP STS answers 400 invalid_target: "The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist."
    When the token is exchanged at GCP STS for the provider "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/no-such-one"
    Then GCP STS answers 400 invalid_target: "The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist."

  Scenario: A token expired on the virtual clock is an invalid grant
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "gcp.workload.identity"
    When 7201 seconds pass
    And the token is exchanged at GCP STS for the provider "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"
    Then GCP STS answers 400 invalid_grant: "The ID Token has expired"

  Scenario: Impersonation without a matching binding is denied
    When I PUT "/_emulator/gcp/service-accounts/terraform-module-test-sa@my-project.iam.gserviceaccount.com" on TFC with:
      """
      {"members":["principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/attribute.terraform_run_phase/apply"]}
      """
    Then the response status is 200
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "gcp.workload.identity"
    When the token is exchanged at GCP STS for the provider "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud"
    And the federated token impersonates "terraform-module-test-sa@my-project.iam.gserviceaccount.com"
    Then IAM Credentials answers 403 PERMISSION_DENIED: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."
    And the latest GCP decision is denied because "matches no roles/iam.workloadIdentityUser member"

  Scenario Outline: A malformed provider is refused at PUT and nothing changes
    When I PUT "/_emulator/gcp/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud" on TFC with:
      """
      <body>
      """
    Then the response status is 400
    And the response JSON at "error" contains "<message>"
    When I GET "/_emulator/gcp/projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud" on TFC
    Then the response JSON at "attribute_condition" is "assertion.terraform_organization_name == \"my-org\""

    Examples:
      | body                                                                           | message                                 |
      | {"oidc":{"issuer_uri":"{issuer}"},"attribute_condition":"assertion.sub == "}   | attribute_condition: ERROR: <input>:1:18 |
      | {"oidc":{"issuer_uri":"{issuer}"},"attribute_mapping":{"attribute.x":"assertion.x"}} | must map google.subject           |
      | {"oidc":{"issuer_uri":"{issuer}"},"attribute_condition":"assertion.sub + 'x'"} | not bool                                |
      | {"oidc":{}}                                                                    | oidc.issuer_uri is required             |
      | {"oidc":{"issuer_uri":"{issuer}"},"condition":"true"}                          | unknown field "condition"               |

  Scenario Outline: Bad token requests get STS's own error shape
    When I POST the form "<form>" to GCP STS
    Then GCP STS answers 400 <error>: "<description>"

    Examples:
      | form                                                                                   | error                  | description                                              |
      | grant_type=password                                                                    | unsupported_grant_type | Unsupported grant type "password"                        |
      | grant_type=%zz                                                                         | invalid_request        | The request body is not a valid application/x-www-form-urlencoded form. |
      | grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token_type=urn:ietf:params:oauth:token-type:saml2 | invalid_request | Invalid value for "subject_token_type" |
