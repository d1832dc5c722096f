@emulator-only
Feature: Nothing on the network or in a browser drives the emulator
  Every listener answers only the hosts it is known by, refuses writes a
  browser marks as cross-site, and the admin API needs its token (when the
  emulator has one) except for the health check.

  Scenario: A foreign Host is refused on the TFC listener, in each API's format
    Given the next request has the header "Host": "evil.example"
    When I GET "/_emulator/info"
    Then the response status is 403
    And the response JSON at "error" contains "is not allowed: the emulator answers loopback, its external URLs and issuer, and the hosts given with --allowed-hosts"
    Given the next request has the header "Host": "evil.example:8080"
    When I GET "/api/v2/ping"
    Then the response status is 403
    And the response JSON at "errors.0.title" is "forbidden"
    And the response JSON at "errors.0.detail" contains "--allowed-hosts"

  @emulated-vault
  Scenario: A foreign Host is refused on the Vault listener, in Vault's format
    Given the next request has the header "Host": "evil.example"
    When I GET "/v1/sys/health" from Vault
    Then the response status is 403
    And the response JSON at "errors.0" contains "--allowed-hosts"

  Scenario: A cross-site POST to the clock is refused and the clock stays
    Given the virtual clock is set to "2026-03-01T12:00:00Z"
    And the next request has the header "Origin": "http://evil.example"
    When I POST "/_emulator/clock" with:
      """
      {"advance": "8760h"}
      """
    Then the response status is 403
    And the response JSON at "error" contains "cross-site POST refused"
    Given the next request has the header "Sec-Fetch-Site": "cross-site"
    When I POST "/_emulator/clock" with:
      """
      {"advance": "8760h"}
      """
    Then the response status is 403
    And the virtual clock reads "2026-03-01T12:00:00Z"

  Scenario: The admin API needs its token, but not for the health check
    Given the next request carries no admin token
    When I GET "/_emulator/info"
    Then the response status is 401
    And the response JSON at "error" is "the admin API needs the admin token (--admin-token) in an Authorization: Bearer header"
    Given the next request carries no admin token
    When I GET "/_emulator/health"
    Then the response status is 200

  Scenario: The clock refuses an advance that would overflow it
    Given the virtual clock is set to "2026-03-01T12:00:00Z"
    When I POST "/_emulator/clock" with:
      """
      {"advance": "2562047h"}
      """
    Then the response status is 200
    When I POST "/_emulator/clock" with:
      """
      {"advance": "2562047h"}
      """
    Then the response status is 400
    And the response JSON at "error" contains "would take the clock out of range"
