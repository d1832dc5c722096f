@tfc @seed
Feature: Organization memberships, team members and agent tokens
  Owners invite people by email, optionally onto teams; an address nobody
  has gets an invited account. Removing a membership takes the user off
  the organization's teams. Agent pool tokens register agents and open
  none of the API.

  Scenario: An invited user joins the teams named and leaves them with the membership
    When I GET "/api/v2/organizations/my-org/teams?filter%5Bnames%5D=developers"
    And I remember the response JSON at "data.0.id" as "team"
    When I POST "/api/v2/organizations/my-org/organization-memberships" with:
      """
      {"data": {"type": "organization-memberships", "attributes": {"email": "invitee@example.com"},
        "relationships": {"teams": {"data": [{"type": "teams", "id": "{team}"}]}}}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.status" is "invited"
    And the response JSON at "data.attributes.email" is "invitee@example.com"
    And the response JSON at "data.id" contains "ou-"
    And the response JSON at "data.relationships.teams.data.0.id" is "{team}"
    And I remember the response JSON at "data.id" as "membership"
    When I GET "/api/v2/teams/{team}?include=organization-memberships"
    Then the response JSON at "data.attributes.users-count" is 2
    And the response JSON at "data.relationships.organization-memberships.data.1.id" is "{membership}"
    When I DELETE "/api/v2/organization-memberships/{membership}"
    Then the response status is 204
    When I GET "/api/v2/teams/{team}"
    Then the response JSON at "data.attributes.users-count" is 1
    When I GET "/api/v2/organization-memberships/{membership}"
    Then the response status is 404

  Scenario: Inviting someone who is already a member is refused
    When I POST "/api/v2/organizations/my-org/organization-memberships" with:
      """
      {"data": {"type": "organization-memberships", "attributes": {"email": "member@tfcemu.example"}}}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"invalid attribute","detail":"Email has already been taken","source":{"pointer":"/data/attributes/email"}}]}
      """

  Scenario: A member without manage-membership cannot invite
    Given I authenticate as the member
    When I POST "/api/v2/organizations/my-org/organization-memberships" with:
      """
      {"data": {"type": "organization-memberships", "attributes": {"email": "someone@example.com"}}}
      """
    Then the response status is 404

  Scenario: An agent token shows its secret once and opens none of the API
    When I POST "/api/v2/organizations/my-org/agent-pools" with:
      """
      {"data": {"type": "agent-pools", "attributes": {"name": "token-pool"}}}
      """
    And I remember the response JSON at "data.id" as "pool"
    When I POST "/api/v2/agent-pools/{pool}/authentication-tokens" with:
      """
      {"data": {"type": "agent-tokens", "attributes": {"description": "first agent"}}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.description" is "first agent"
    And I remember the response JSON at "data.attributes.token" as "agent_token"
    And I remember the response JSON at "data.id" as "agent_token_id"
    When I GET "/api/v2/authentication-tokens/{agent_token_id}"
    Then the response status is 200
    And the response JSON at "data.attributes.token" is null
    When I authenticate with "{agent_token}"
    And I GET "/api/v2/account/details"
    Then the response status is 401
    And the response body is exactly:
      """
      {"errors":[{"status":"401","title":"unauthorized"}]}
      """
