@identity @emulator-only @seed
Feature: The admin API refuses bad input and changes nothing
  /_emulator/ is strict: unknown fields, bad durations, unknown phases and
  empty audiences get a 400 with a clear message, and the state stays as it
  was.

  Background:
    Given the virtual clock is set to "2026-01-15T10:30:00Z"

  Scenario: Advancing the clock
    When I POST "/_emulator/clock" with:
      """
      {"advance": "10m"}
      """
    Then the response status is 200
    And the response JSON at "frozen" is true
    And the virtual clock reads "2026-01-15T10:40:00Z"

  Scenario Outline: A bad clock request is refused and the clock does not move
    When I POST "/_emulator/clock" with:
      """
      <body>
      """
    Then the response status is 400
    And the response JSON at "error" contains "<message>"
    And the virtual clock reads "2026-01-15T10:30:00Z"

    Examples:
      | body                                   | message                   |
      | {"advance": "10m", "speed": 2}         | unknown field "speed"     |
      | {"advance": "ten minutes"}             | is not a duration         |
      | {"advance": "-5m"}                     | is negative               |
      | {"advance": 600}                       | must be string            |
      | {"set": "yesterday"}                   | is not an RFC 3339 time   |
      | {"advance": "1m", "set": "not-a-time"} | is not an RFC 3339 time   |
      | {}                                     | nothing to do             |
      | {"advance": "1m"                       | invalid JSON body         |

  Scenario Outline: A bad token request is refused
    When I POST "/_emulator/workload-identity-tokens" with:
      """
      <body>
      """
    Then the response status is <status>
    And the response JSON at "error" contains "<message>"

    Examples:
      | body                                                                                                  | status | message                                  |
      | {"organization": "my-org", "workspace": "my-workspace", "phase": "destroy", "audience": "a"}          | 400    | phase must be "plan" or "apply"          |
      | {"organization": "my-org", "workspace": "my-workspace", "phase": "plan", "audience": ""}              | 400    | "audience" is required                   |
      | {"organization": "my-org", "workspace": "my-workspace", "phase": "plan", "audience": "a", "ttl": 5}   | 400    | unknown field "ttl"                      |
      | {"organization": "my-org", "workspace": "nope", "phase": "plan", "audience": "a"}                     | 404    | workspace "nope" in organization "my-org" |
      | {"organization": "nope", "workspace": "my-workspace", "phase": "plan", "audience": "a"}               | 404    | organization "nope"                      |
      | {"organization": "my-org", "workspace": "my-workspace", "module": "vpc", "audience": "a"}             | 400    | exactly one of                           |
      | {"organization": "my-org", "project": "Other", "workspace": "my-workspace", "phase": "plan", "audience": "a"} | 400 | is in project "Default Project" |
      | {"organization": "my-org", "module": "vpc", "phase": "apply", "audience": "a"}                        | 400    | always for phase "plan"                  |

  Scenario: A bad rotation request does not add a key
    When I POST "/_emulator/keys/rotate" with:
      """
      {"bits": 4096}
      """
    Then the response status is 400
    And the JWKS has 1 key
