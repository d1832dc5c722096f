@tfc @seed
Feature: Project settings and plans
  A project's auto-destroy activity duration is up to 4 digits and d or h,
  and its workspaces inherit it unless they set their own. A project in
  agent mode names its agent pool. go-tfe's tests move an organization onto
  a plan through the admin subscription API first.

  Scenario: A workspace inherits its project's auto-destroy duration until it sets its own
    When I POST "/api/v2/organizations/my-org/projects" with:
      """
      {"data": {"type": "projects", "attributes": {"name": "Ephemeral", "auto-destroy-activity-duration": "3d"}}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.auto-destroy-activity-duration" is "3d"
    And I remember the response JSON at "data.id" as "project"
    When I POST "/api/v2/organizations/my-org/workspaces" with:
      """
      {"data": {"type": "workspaces", "attributes": {"name": "ephemeral-ws"},
        "relationships": {"project": {"data": {"type": "projects", "id": "{project}"}}}}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.auto-destroy-activity-duration" is "3d"
    And the response JSON at "data.attributes.inherits-project-auto-destroy" is true
    And I remember the response JSON at "data.id" as "workspace"
    When I PATCH "/api/v2/workspaces/{workspace}" with:
      """
      {"data": {"type": "workspaces", "attributes": {"auto-destroy-activity-duration": "12h"}}}
      """
    Then the response status is 200
    And the response JSON at "data.attributes.auto-destroy-activity-duration" is "12h"
    And the response JSON at "data.attributes.inherits-project-auto-destroy" is false

  Scenario Outline: A bad project setting is refused: <case>
    When I POST "/api/v2/organizations/my-org/projects" with:
      """
      {"data": {"type": "projects", "attributes": <attributes>}}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"invalid attribute","detail":"<detail>","source":{"pointer":"<pointer>"}}]}
      """
    When I GET "/api/v2/organizations/my-org/projects?filter%5Bnames%5D=Refused"
    Then the response JSON at "meta.pagination.total-count" is 0

    Examples:
      | case                       | attributes                                                                                  | detail                                                                                                      | pointer                                         |
      | a duration in minutes      | {"name": "Refused", "auto-destroy-activity-duration": "20m"}                               | Auto destroy activity duration has an incorrect format, we expect up to 4 numeric digits and 1 unit ('d' or 'h') | /data/attributes/auto-destroy-activity-duration |
      | agent mode without a pool  | {"name": "Refused", "default-execution-mode": "agent"}                                      | Default agent pool must be specified when using 'agent' execution mode                                      | /data/attributes/default-agent-pool-id          |
      | overwrites that disagree   | {"name": "Refused", "setting-overwrites": {"default-execution-mode": true, "default-agent-pool": false}} | If agent-pool and execution-mode are both included in setting-overwrites, their values must be the same.   | /data/attributes/setting-overwrites             |

  Scenario: An owner moves the organization onto a plan
    When I GET "/api/v2/admin/feature-sets?q=free"
    Then the response status is 200
    And the response JSON at "data.0.attributes.name" is "Free"
    And I remember the response JSON at "data.0.id" as "free"
    When I POST "/api/v2/admin/organizations/my-org/subscription" with:
      """
      {"data": {"type": "subscription", "attributes": {"runs-ceiling": 1},
        "relationships": {"feature-set": {"data": {"type": "feature-sets", "id": "{free}"}}}}}
      """
    Then the response status is 201
    And I remember the response JSON at "data.id" as "subscription"
    When I GET "/api/v2/subscriptions/{subscription}"
    Then the response JSON at "data.relationships.feature-set.data.id" is "{free}"
    And the response JSON at "data.attributes.runs-ceiling" is 1
