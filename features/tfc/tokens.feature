@tfc @seed
Feature: API token lifecycles
  An organization and a legacy team token are single: creating one revokes
  the one before. Every token expires at its expired-at (created-at + 2
  years by default) on the emulator's virtual clock, and a revoked,
  replaced or expired token gets 401 on its next call
  (https://developer.hashicorp.com/terraform/cloud-docs/api-docs/organization-tokens
  and the team-tokens and user-tokens pages beside it).

  Scenario: Regenerating the organization token revokes the old one
    When I POST "/api/v2/organizations/my-org/authentication-token" with:
      """
      {"data": {"type": ""}}
      """
    Then the response status is 201
    And the response JSON at "data.type" is "authentication-tokens"
    And the response JSON at "data.relationships.created-by.data.type" is "users"
    And I remember the response JSON at "data.attributes.token" as "first"
    When I POST "/api/v2/organizations/my-org/authentication-token" with:
      """
      {"data": {"type": ""}}
      """
    Then the response status is 201
    And I remember the response JSON at "data.attributes.token" as "second"
    When I authenticate with "{first}"
    And I GET "/api/v2/account/details"
    Then the response status is 401
    And the response body is exactly:
      """
      {"errors":[{"status":"401","title":"unauthorized"}]}
      """
    When I authenticate with "{second}"
    And I GET "/api/v2/account/details"
    Then the response status is 200
    And the response JSON at "data.attributes.is-service-account" is true
    And the response JSON at "data.relationships.authenticated-resource.data" is {"id":"my-org","type":"organizations"}

  Scenario: Reading a token never shows its secret
    When I POST "/api/v2/users/user-12345abcde/authentication-tokens" with:
      """
      {"data": {"type": "", "attributes": {"description": "ci"}}}
      """
    Then the response status is 201
    And I remember the response JSON at "data.id" as "token_id"
    When I GET "/api/v2/authentication-tokens/{token_id}"
    Then the response status is 200
    And the response JSON at "data.attributes.token" is null
    And the response JSON at "data.attributes.description" is "ci"

  Scenario: A deleted user token is refused on its next call
    When I POST "/api/v2/users/user-12345abcde/authentication-tokens" with:
      """
      {"data": {"type": "", "attributes": {"description": "short-lived"}}}
      """
    Then the response status is 201
    And I remember the response JSON at "data.id" as "token_id"
    And I remember the response JSON at "data.attributes.token" as "secret"
    When I DELETE "/api/v2/authentication-tokens/{token_id}"
    Then the response status is 204
    When I DELETE "/api/v2/authentication-tokens/{token_id}"
    Then the response status is 404
    When I authenticate with "{secret}"
    And I GET "/api/v2/account/details"
    Then the response status is 401

  Scenario: A duplicate team token description is refused with TFC's exact error
    When I POST "/api/v2/teams/team-tfcemuDevsMyorg1/authentication-tokens" with:
      """
      {"data": {"type": "", "attributes": {"description": "deploy"}}}
      """
    Then the response status is 201
    When I POST "/api/v2/teams/team-tfcemuDevsMyorg1/authentication-tokens" with:
      """
      {"data": {"type": "", "attributes": {"description": "deploy"}}}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"invalid attributes","detail":"Validation failed: Description has already been taken"}]}
      """

  @emulator-only
  Scenario: A token expires on the virtual clock
    Given the virtual clock is set to "2026-01-15T10:30:00Z"
    When I POST "/api/v2/users/user-12345abcde/authentication-tokens" with:
      """
      {"data": {"type": "", "attributes": {"expired-at": "2026-01-15T11:30:00Z"}}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.expired-at" is "2026-01-15T11:30:00.000Z"
    And I remember the response JSON at "data.attributes.token" as "secret"
    When I authenticate with "{secret}"
    And 3599 seconds pass
    And I GET "/api/v2/account/details"
    Then the response status is 200
    When 1 second passes
    And I GET "/api/v2/account/details"
    Then the response status is 401

  @emulator-only
  Scenario: Without expired-at a token lives two calendar years
    Given the virtual clock is set to "2026-01-15T10:30:00Z"
    When I POST "/api/v2/teams/team-tfcemuDevsMyorg1/authentication-token" with:
      """
      {"data": {"type": ""}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.created-at" is "2026-01-15T10:30:00.000Z"
    And the response JSON at "data.attributes.expired-at" is "2028-01-15T10:30:00.000Z"
    And the response JSON at "data.attributes.description" is null
    And the response JSON at "data.relationships.team.data.id" is "team-tfcemuDevsMyorg1"

  @emulator-only
  Scenario: An expiry in the past is refused and nothing is created
    Given the virtual clock is set to "2026-01-15T10:30:00Z"
    When I POST "/api/v2/organizations/my-org/authentication-token" with:
      """
      {"data": {"type": "", "attributes": {"expired-at": "2026-01-15T10:00:00Z"}}}
      """
    Then the response status is 422
    And the response JSON at "errors.0.source.pointer" is "/data/attributes/expired-at"
    When I GET "/api/v2/organizations/my-org/authentication-token"
    Then the response status is 404
