@tfc @seed
Feature: Authentication and permissions
  Every /api/v2 call needs a bearer token; 401 is only for a bad token.
  A valid token without access gets 404, as for a resource that does not
  exist (https://developer.hashicorp.com/terraform/cloud-docs/api-docs).

  Scenario: No token is a 401
    Given I send no token
    When I GET "/api/v2/organizations/my-org"
    Then the response status is 401
    And the response body is exactly:
      """
      {"errors":[{"status":"401","title":"unauthorized"}]}
      """

  Scenario: Ping needs no token and tells go-tfe it talks to HCP Terraform
    Given I send no token
    When I GET "/api/v2/ping"
    Then the response status is 204
    And the response header "TFP-AppName" is "HCP Terraform"

  Scenario: A member who is not an owner cannot manage the organization token
    Given I authenticate as the member
    When I POST "/api/v2/organizations/my-org/authentication-token" with:
      """
      {"data": {"type": ""}}
      """
    Then the response status is 404
    And the response body is exactly:
      """
      {"errors":[{"status":"404","title":"not found"}]}
      """

  Scenario: A member sees the organization but not workspaces their team has no access to
    Given I authenticate as the member
    When I GET "/api/v2/organizations/my-org"
    Then the response status is 200
    And the response JSON at "data.attributes.permissions.can-update" is false
    When I GET "/api/v2/organizations/my-org/workspaces/my-workspace"
    Then the response status is 404

  Scenario: A user cannot mint tokens for someone else
    Given I authenticate as the member
    When I POST "/api/v2/users/user-12345abcde/authentication-tokens" with:
      """
      {"data": {"type": ""}}
      """
    Then the response status is 404

  @emulator-only
  Scenario: Thirty requests a second per user, then 429 until the clock moves
    Given the virtual clock is set to "2026-01-15T10:30:00Z"
    And 30 GET requests to "/api/v2/account/details" all succeed
    When I GET "/api/v2/account/details"
    Then the response status is 429
    And the response header "X-RateLimit-Reset" is "1.000"
    When 1 second passes
    And I GET "/api/v2/account/details"
    Then the response status is 200
