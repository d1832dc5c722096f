@tfc @seed
Feature: Variable set precedence
  A run sees one value per key. Priority variable sets beat everything,
  then the workspace's own variables, then sets applied to the workspace,
  then to its project, then global sets; between sets of one level the set
  whose name sorts first wins.

  Background:
    When I POST "/api/v2/organizations/my-org/varsets" with:
      """
      {"data": {"type": "varsets", "attributes": {"name": "global-defaults", "global": true}}}
      """
    Then the response status is 201
    And I remember the response JSON at "data.id" as "global_set"
    When I POST "/api/v2/varsets/{global_set}/relationships/vars" with:
      """
      {"data": {"type": "vars", "attributes": {"key": "TFC_WORKLOAD_IDENTITY_AUDIENCE", "value": "from-global", "category": "env"}}}
      """
    Then the response status is 201

  Scenario: A global set reaches every workspace
    When I GET "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/all-vars"
    Then the response status is 200
    And the response JSON at "data.0.attributes.value" is "from-global"

  Scenario: A set applied to the workspace beats a global one, and a workspace variable beats both
    When I POST "/api/v2/organizations/my-org/varsets" with:
      """
      {"data": {"type": "varsets", "attributes": {"name": "workspace-set", "global": false}}}
      """
    And I remember the response JSON at "data.id" as "ws_set"
    And I POST "/api/v2/varsets/{ws_set}/relationships/vars" with:
      """
      {"data": {"type": "vars", "attributes": {"key": "TFC_WORKLOAD_IDENTITY_AUDIENCE", "value": "from-workspace-set", "category": "env"}}}
      """
    And I POST "/api/v2/varsets/{ws_set}/relationships/workspaces" with:
      """
      {"data": [{"type": "workspaces", "id": "ws-mbsd5E3Ktt5Rg2Xm"}]}
      """
    Then the response status is 204
    When I GET "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/all-vars"
    Then the response JSON at "data.0.attributes.value" is "from-workspace-set"
    When I POST "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/vars" with:
      """
      {"data": {"type": "vars", "attributes": {"key": "TFC_WORKLOAD_IDENTITY_AUDIENCE", "value": "from-workspace", "category": "env"}}}
      """
    Then the response status is 201
    When I GET "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/all-vars"
    Then the response JSON at "data.0.attributes.value" is "from-workspace"

  Scenario: A priority set beats the workspace's own variable
    When I POST "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/vars" with:
      """
      {"data": {"type": "vars", "attributes": {"key": "TFC_WORKLOAD_IDENTITY_AUDIENCE", "value": "from-workspace", "category": "env"}}}
      """
    And I POST "/api/v2/organizations/my-org/varsets" with:
      """
      {"data": {"type": "varsets", "attributes": {"name": "enforced", "global": true, "priority": true}}}
      """
    And I remember the response JSON at "data.id" as "priority_set"
    And I POST "/api/v2/varsets/{priority_set}/relationships/vars" with:
      """
      {"data": {"type": "vars", "attributes": {"key": "TFC_WORKLOAD_IDENTITY_AUDIENCE", "value": "from-priority", "category": "env"}}}
      """
    When I GET "/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/all-vars"
    Then the response JSON at "data.0.attributes.value" is "from-priority"

  Scenario: Sensitive variables never echo their value
    When I POST "/api/v2/varsets/{global_set}/relationships/vars" with:
      """
      {"data": {"type": "vars", "attributes": {"key": "VAULT_TOKEN", "value": "s3cr3t", "category": "env", "sensitive": true}}}
      """
    Then the response status is 201
    And the response JSON at "data.attributes.value" is null
    And the response JSON at "data.attributes.sensitive" is true
