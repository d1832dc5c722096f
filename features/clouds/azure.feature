@clouds @azure @emulator-only @seed
Feature: Microsoft Entra ID answers a run's workload identity token as Entra would
  The clouds listener is Entra ID's authority (azure_authority_url): the ARM
  metadata document azurerm's metadata_host reads, the tenant's OpenID
  configuration, and the v2.0 token endpoint's client-credentials grant with
  the run's token as the federated client assertion
  (https://learn.microsoft.com/entra/workload-id/workload-identity-federation).
  A federated identity credential matches the assertion's issuer and subject
  exactly (case-sensitive) and its audience (api://AzureADTokenExchange by
  default). The default seed has tenant 00000000-0000-0000-0000-000000000000
  and client 11111111-1111-1111-1111-111111111111 (the module test
  configuration document's example) trusting the emulator's issuer for
  my-org's my-workspace plan and apply runs
  (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/azure-configuration).
  Every decision is explained under /_emulator/azure/decisions.

  Scenario: The metadata document points azurerm at the emulator
    When I GET the Azure metadata endpoints with api-version "2022-09-01"
    Then the response status is 200
    And the response JSON at "authentication.loginEndpoint" is "{azure_authority_url}"
    And the response JSON at "resourceManager" is "https://management.azure.com/"

  Scenario: A plan token signs in as the documented application
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "api://AzureADTokenExchange"
    When the token is presented to Entra for tenant "00000000-0000-0000-0000-000000000000" client "11111111-1111-1111-1111-111111111111" with scope "https://management.azure.com/.default"
    Then Entra issues a Bearer access token expiring in 3599 seconds for "https://management.azure.com"
    And the latest Azure decision is allowed because "federated identity credential "my-workspace-plan" matches issuer, subject and audience"

  Scenario: A subject that differs only in case does not match
    When I PUT "/_emulator/azure/tenants/00000000-0000-0000-0000-000000000000/applications/11111111-1111-1111-1111-111111111111/federated-identity-credentials/my-workspace-plan" on TFC with:
      """
      {"issuer":"{issuer}","subject":"organization:my-org:project:Default Project:workspace:My-Workspace:run_phase:plan"}
      """
    Then the response status is 200
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "api://AzureADTokenExchange"
    When the token is presented to Entra for tenant "00000000-0000-0000-0000-000000000000" client "11111111-1111-1111-1111-111111111111" with scope "https://management.azure.com/.default"
    Then Entra answers 400 invalid_request AADSTS700213: "No matching federated identity record found for presented assertion subject 'organization:my-org:project:Default Project:workspace:my-workspace:run_phase:plan'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"

  Scenario: A token from an issuer no credential names is refused
    When I DELETE "/_emulator/azure/tenants/00000000-0000-0000-0000-000000000000/applications/11111111-1111-1111-1111-111111111111/federated-identity-credentials/my-workspace-plan" on TFC
    And I DELETE "/_emulator/azure/tenants/00000000-0000-0000-0000-000000000000/applications/11111111-1111-1111-1111-111111111111/federated-identity-credentials/my-workspace-apply" on TFC
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "api://AzureADTokenExchange"
    When the token is presented to Entra for tenant "00000000-0000-0000-0000-000000000000" client "11111111-1111-1111-1111-111111111111" with scope "https://management.azure.com/.default"
    Then Entra answers 401 invalid_client AADSTS700211: "No matching federated identity record found for presented assertion issuer '{issuer}'."

  Scenario: A token for another audience is refused
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "azure.workload.identity"
    When the token is presented to Entra for tenant "00000000-0000-0000-0000-000000000000" client "11111111-1111-1111-1111-111111111111" with scope "https://management.azure.com/.default"
    Then Entra answers 400 invalid_request AADSTS700212: "No matching federated identity record found for presented assertion audience 'azure.workload.identity'."

  Scenario: An assertion expired on the virtual clock is refused with the times
    Given the virtual clock is set to "2030-01-01T00:00:00Z"
    And a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "api://AzureADTokenExchange"
    When 7201 seconds pass
    And the token is presented to Entra for tenant "00000000-0000-0000-0000-000000000000" client "11111111-1111-1111-1111-111111111111" with scope "https://management.azure.com/.default"
    Then Entra answers 401 invalid_client AADSTS700024: "Client assertion is not within its valid time range. Current time: 2030-01-01T02:00:01.0000000Z, assertion valid from 2030-01-01T00:00:00.0000000Z, expiry time of assertion 2030-01-01T02:00:00.0000000Z."

  Scenario: An unknown application is refused
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "api://AzureADTokenExchange"
    When the token is presented to Entra for tenant "00000000-0000-0000-0000-000000000000" client "22222222-2222-2222-2222-222222222222" with scope "https://management.azure.com/.default"
    Then Entra answers 400 unauthorized_client AADSTS700016: "Application with identifier '22222222-2222-2222-2222-222222222222' was not found in the directory '00000000-0000-0000-0000-000000000000'."

  Scenario Outline: A bad federated identity credential is refused at PUT and nothing changes
    When I PUT "/_emulator/azure/tenants/00000000-0000-0000-0000-000000000000/applications/11111111-1111-1111-1111-111111111111/federated-identity-credentials/<name>" on TFC with:
      """
      <body>
      """
    Then the response status is 400
    And the response JSON at "error" contains "<message>"
    When I GET "/_emulator/azure/tenants/00000000-0000-0000-0000-000000000000/applications/11111111-1111-1111-1111-111111111111/federated-identity-credentials" on TFC
    Then the response JSON at "0.name" is "my-workspace-apply"
    And the response JSON at "1.name" is "my-workspace-plan"

    Examples:
      | name   | body                                                             | message                                 |
      | ab     | {"issuer":"{issuer}","subject":"x"}                              | must be 3-120 characters                |
      | two    | {"issuer":"{issuer}","subject":"x","audiences":["a","b"]}        | exactly one audience                    |
      | dup    | {"issuer":"{issuer}","subject":"organization:my-org:project:Default Project:workspace:my-workspace:run_phase:plan"} | the same issuer and subject |
      | nosub  | {"issuer":"{issuer}"}                                            | subject is required                     |
      | extra  | {"issuer":"{issuer}","subject":"x","description":"d"}            | unknown field "description"             |

  Scenario Outline: Bad token requests get Entra's own error shape
    When I POST the form "<form>" to Entra for tenant "00000000-0000-0000-0000-000000000000"
    Then Entra answers 400 <error> AADSTS<code>: "<description>"

    Examples:
      | form                                    | error                  | code    | description                                                          |
      | grant_type=client_credentials           | invalid_request        | 900144  | The request body must contain the following parameter: 'client_id'. |
      | grant_type=%zz                          | invalid_request        | 900144  | The request body must be an application/x-www-form-urlencoded form.  |
