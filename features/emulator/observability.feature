@emulator-only @seed
Feature: The admin API's journal, faults and snapshots
  /_emulator/requests shows what clients sent (unmatched requests flagged),
  /_emulator/faults injects errors and latency per route, and
  /_emulator/snapshot saves and restores the whole state.

  Scenario: The journal flags a request no route matched
    When I GET "/api/v2/no-such-endpoint"
    Then the response status is 404
    When I GET "/_emulator/requests?unmatched=true"
    Then the response JSON at "requests.0.path" is "/api/v2/no-such-endpoint"
    And the response JSON at "requests.0.unmatched" is true
    And the response JSON at "requests.0.status" is 404

  Scenario: A fault answers once with the injected status, then the route works again
    When I POST "/_emulator/faults" with:
      """
      {"path_prefix": "/api/v2/account", "status": 503, "count": 1}
      """
    Then the response status is 201
    And the response JSON at "id" contains "fault-"
    When I GET "/api/v2/account/details"
    Then the response status is 503
    And the response JSON at "errors.0.status" is "503"
    When I GET "/api/v2/account/details"
    Then the response status is 200

  Scenario: A 429 fault carries the rate-limit headers go-tfe backs off on
    When I POST "/_emulator/faults" with:
      """
      {"path_prefix": "/api/v2/organizations", "method": "GET", "status": 429, "count": 1}
      """
    And I GET "/api/v2/organizations"
    Then the response status is 429
    And the response header "X-RateLimit-Reset" is "1.000"

  Scenario Outline: A bad fault is refused
    When I POST "/_emulator/faults" with:
      """
      <body>
      """
    Then the response status is 400
    And the response JSON at "error" contains "<message>"
    When I GET "/_emulator/faults"
    Then the response JSON at "faults" is []

    Examples:
      | body                                                  | message                         |
      | {"path_prefix": "/api/v2", "status": 200}             | must be an error status         |
      | {"path_prefix": "/_emulator/health", "status": 500}   | cannot be injected into the admin API |
      | {"path_prefix": "api/v2", "status": 500}              | must start with /               |
      | {"path_prefix": "/api/v2", "latency": "2h"}           | must be a duration between 0 and 30s |
      | {"path_prefix": "/api/v2"}                            | give "status", "latency" or both |

  Scenario: A snapshot restores the state it was taken in
    When I GET "/_emulator/snapshot"
    Then the response status is 200
    And I remember the response body as "before"
    When I POST "/api/v2/organizations/my-org/workspaces" with:
      """
      {"data": {"type": "workspaces", "attributes": {"name": "temporary"}}}
      """
    Then the response status is 201
    When I PUT "/_emulator/snapshot" with:
      """
      {before}
      """
    Then the response status is 204
    When I GET "/api/v2/organizations/my-org/workspaces/temporary"
    Then the response status is 404

  Scenario: A bad snapshot is refused and changes nothing
    When I PUT "/_emulator/snapshot" with:
      """
      {"version": 1, "services": {"tfc": {"Orgs": "not a list"}}}
      """
    Then the response status is 400
    And the response JSON at "error" contains "state unchanged"
    When I GET "/api/v2/organizations/my-org"
    Then the response status is 200
