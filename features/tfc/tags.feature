@tfc @seed
Feature: Single-name workspace tags
  A workspace tag is a name the organization keeps, with an id, from the
  first time a workspace gets it. Names begin and end with a letter or
  number and hold only letters, numbers, colons, hyphens and underscores;
  a request with one bad name changes nothing.

  Scenario: Tags added to a workspace become organization tags the workspace list can search
    When I POST "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/relationships/tags" with:
      """
      {"data": [{"type": "tags", "attributes": {"name": "prod"}}, {"type": "tags", "attributes": {"name": "team:net"}}]}
      """
    Then the response status is 204
    When I GET "/api/v2/organizations/my-org/tags?q=team"
    Then the response status is 200
    And the response JSON at "data.0.type" is "tags"
    And the response JSON at "data.0.attributes.name" is "team:net"
    And the response JSON at "data.0.attributes.instance-count" is 1
    When I GET "/api/v2/organizations/my-org/workspaces?search%5Btags%5D=prod%2Cteam%3Anet"
    Then the response JSON at "meta.pagination.total-count" is 1
    And the response JSON at "data.0.attributes.tag-names" lists, in order:
      | prod | team:net |

  Scenario: A bad tag name is refused and no tag is added
    When I POST "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/relationships/tags" with:
      """
      {"data": [{"type": "tags", "attributes": {"name": "good"}}, {"type": "tags", "attributes": {"name": "-bad"}}]}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"invalid attribute","detail":"Name must begin and end with a letter or number, contain only letters, numbers, colons, hyphens, and underscores, and be at most 255 characters","source":{"pointer":"/data/1/attributes/name"}}]}
      """
    When I GET "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/relationships/tags"
    Then the response JSON at "meta.pagination.total-count" is 0
