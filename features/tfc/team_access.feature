@tfc @seed
Feature: Team access to workspaces and projects
  A team's access to a workspace (team-workspaces) or to a project and its
  workspaces (team-projects) decides what its members and its token may do
  there, on top of the organization access. What a caller may not see is a
  404; so is a change it may see but not make.

  Scenario: A team with read access lets its member read a workspace but not change it
    Given I authenticate as the owner
    When I POST "/api/v2/team-workspaces" with:
      """
      {"data": {"type": "team-workspaces", "attributes": {"access": "read"},
        "relationships": {"team": {"data": {"type": "teams", "id": "team-tfcemuDevsMyorg1"}},
                          "workspace": {"data": {"type": "workspaces", "id": "ws-mbsd5E3Ktt5Rg2Xm"}}}}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.runs" is "read"
    And the response JSON at "data.attributes.variables" is "read"
    And the response JSON at "data.attributes.workspace-locking" is false
    Given I authenticate as the member
    When I GET "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm"
    Then the response status is 200
    And the response JSON at "data.attributes.permissions.can-read-variable" is true
    And the response JSON at "data.attributes.permissions.can-update" is false
    And the response JSON at "data.attributes.permissions.can-queue-run" is false
    When I POST "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/actions/lock" with:
      """
      {}
      """
    Then the response status is 404
    When I PATCH "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm" with:
      """
      {"data": {"type": "workspaces", "attributes": {"description": "mine now"}}}
      """
    Then the response status is 404
    And the response body is exactly:
      """
      {"errors":[{"status":"404","title":"not found"}]}
      """

  Scenario: Permissions other than the level's own need the custom level
    Given I authenticate as the owner
    When I POST "/api/v2/team-workspaces" with:
      """
      {"data": {"type": "team-workspaces", "attributes": {"access": "read", "runs": "apply"},
        "relationships": {"team": {"data": {"type": "teams", "id": "team-tfcemuDevsMyorg1"}},
                          "workspace": {"data": {"type": "workspaces", "id": "ws-mbsd5E3Ktt5Rg2Xm"}}}}}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"invalid attribute","detail":"Runs is read-only when access level is 'read'; use the 'custom' access level to set this attribute.","source":{"pointer":"/data/attributes/runs"}}]}
      """

  Scenario: Write access to a project reaches its workspaces' variables but not their settings
    Given I authenticate as the owner
    When I POST "/api/v2/team-projects" with:
      """
      {"data": {"type": "team-projects", "attributes": {"access": "write"},
        "relationships": {"team": {"data": {"type": "teams", "id": "team-tfcemuDevsMyorg1"}},
                          "project": {"data": {"type": "projects", "id": "prj-vegSA59s1XPwMr2t"}}}}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.workspace-access.variables" is "write"
    And the response JSON at "data.attributes.project-access.settings" is "read"
    Given I authenticate as the member
    When I GET "/api/v2/projects/prj-vegSA59s1XPwMr2t"
    Then the response status is 200
    When I POST "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/vars" with:
      """
      {"data": {"type": "vars", "attributes": {"key": "region", "value": "eu-west-1", "category": "terraform"}}}
      """
    Then the response status is 201
    When I PATCH "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm" with:
      """
      {"data": {"type": "workspaces", "attributes": {"description": "mine now"}}}
      """
    Then the response status is 404
