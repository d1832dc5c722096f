@tfc @seed
Feature: Key/value tag bindings on projects and workspaces
  A workspace carries its own tag bindings and inherits its project's; its
  own key overrides the project's. An inherited effective binding names
  the project it comes from. A project or a workspace holds at most 10
  bindings, and a refused request changes nothing.

  Background:
    When I POST "/api/v2/organizations/my-org/projects" with:
      """
      {"data": {"type": "projects", "attributes": {"name": "Tagged"},
        "relationships": {"tag-bindings": {"data": [
          {"type": "tag-bindings", "attributes": {"key": "env", "value": "prod"}},
          {"type": "tag-bindings", "attributes": {"key": "cost-center", "value": "42"}}]}}}}
      """
    Then the response status is 201
    And I remember the response JSON at "data.id" as "project"
    When I POST "/api/v2/organizations/my-org/workspaces" with:
      """
      {"data": {"type": "workspaces", "attributes": {"name": "tagged-ws"},
        "relationships": {"project": {"data": {"type": "projects", "id": "{project}"}},
          "tag-bindings": {"data": [{"type": "tag-bindings", "attributes": {"key": "env", "value": "dev"}}]}}}}
      """
    Then the response status is 201
    And I remember the response JSON at "data.id" as "workspace"

  Scenario: A workspace's own binding overrides its project's, and the rest are inherited
    When I GET "/api/v2/workspaces/{workspace}/effective-tag-bindings"
    Then the response status is 200
    And the response JSON at "data.0.type" is "effective-tag-bindings"
    And the response JSON at "data.0.attributes.key" is "env"
    And the response JSON at "data.0.attributes.value" is "dev"
    And the response JSON at "data.1.attributes.key" is "cost-center"
    And the response JSON at "data.1.links.inherited-from" is "/api/v2/projects/{project}"
    When I GET "/api/v2/workspaces/{workspace}/tag-bindings"
    Then the response JSON at "data.0.attributes.key" is "env"
    And the response JSON has no "data.1"

  Scenario: Listing workspaces filters on effective bindings
    When I GET "/api/v2/organizations/my-org/workspaces?filter%5Btagged%5D%5B0%5D%5Bkey%5D=cost-center&filter%5Btagged%5D%5B0%5D%5Bvalue%5D=42"
    Then the response status is 200
    And the response JSON at "meta.pagination.total-count" is 1
    And the response JSON at "data.0.id" is "{workspace}"

  Scenario: More than 10 bindings are refused and nothing changes
    When I PATCH "/api/v2/workspaces/{workspace}/tag-bindings" with:
      """
      {"data": [
        {"type": "tag-bindings", "attributes": {"key": "k0"}}, {"type": "tag-bindings", "attributes": {"key": "k1"}},
        {"type": "tag-bindings", "attributes": {"key": "k2"}}, {"type": "tag-bindings", "attributes": {"key": "k3"}},
        {"type": "tag-bindings", "attributes": {"key": "k4"}}, {"type": "tag-bindings", "attributes": {"key": "k5"}},
        {"type": "tag-bindings", "attributes": {"key": "k6"}}, {"type": "tag-bindings", "attributes": {"key": "k7"}},
        {"type": "tag-bindings", "attributes": {"key": "k8"}}, {"type": "tag-bindings", "attributes": {"key": "k9"}}]}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"invalid attribute","detail":"Tag bindings cannot exceed 10 per resource","source":{"pointer":"/data"}}]}
      """
    When I GET "/api/v2/workspaces/{workspace}/tag-bindings"
    Then the response JSON at "data.0.attributes.key" is "env"
    And the response JSON has no "data.1"

  Scenario: A key with a space is refused with a pointer to it
    When I PATCH "/api/v2/projects/{project}/tag-bindings" with:
      """
      {"data": [{"type": "tag-bindings", "attributes": {"key": "cost center", "value": "42"}}]}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"invalid attribute","detail":"Key must be at most 255 characters and contain only letters, numbers, colons, hyphens, and underscores","source":{"pointer":"/data/0/attributes/key"}}]}
      """
