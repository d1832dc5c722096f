@tfc @module-tests @seed
Feature: Registry module test configuration API
  Every request, response and error example of the product document
  (https://developer.hashicorp.com/terraform/cloud-docs/api-docs/private-registry/test-configuration), compared
  structurally with only ids and timestamps ignored.

  Scenario: Configure AWS dynamic credentials (the document's sample)
    When I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": true, "oidc-provider": "aws",
        "oidc-configuration": {"role-arn": "arn:aws:iam::123456789012:role/terraform-module-test-role", "audience": "aws.workload.identity"}}}}
      """
    Then the response status is 200
    And the response JSON matches, ignoring ids and timestamps:
      """
      {"data": {"id": "modconf-abc123xyz", "type": "test-configurations",
        "attributes": {"oidc-enabled": true, "oidc-provider": "aws", "created-at": "2025-01-15T10:30:00.000Z", "updated-at": "2025-01-15T10:30:00.000Z"},
        "relationships": {"registry-module": {"data": {"id": "mod-abc123xyz", "type": "registry-modules"}}},
        "links": {"self": "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration"}}}
      """
    And the response JSON at "data.id" contains "modconf-"
    And the response JSON at "data.relationships.registry-module.data.id" is "mod-tfcemuVpcAwsMod1"

  Scenario Outline: Configure <provider> dynamic credentials
    When I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": true, "oidc-provider": "<provider>", "oidc-configuration": <configuration>}}}
      """
    Then the response status is 200
    And the response JSON at "data.attributes.oidc-provider" is "<provider>"
    And the response JSON at "data.attributes.oidc-enabled" is true

    Examples:
      | provider | configuration                                                                                                                                                                                                            |
      | gcp      | {"service-account-email": "terraform-module-test-sa@my-project.iam.gserviceaccount.com", "workload-provider-name": "projects/123456789/locations/global/workloadIdentityPools/terraform-module-tests/providers/terraform-cloud", "audience": "gcp.workload.identity"} |
      | azure    | {"tenant-id": "00000000-0000-0000-0000-000000000000", "client-id": "11111111-1111-1111-1111-111111111111", "subscription-id": "22222222-2222-2222-2222-222222222222", "audience": "azure.workload.identity"} |
      | vault    | {"url": "https://vault.example.com:8200", "role-name": "module-tests", "namespace": "terraform-tests", "auth-path": "jwt", "audience": "vault.workload.identity"} |

  Scenario: Retrieve the test configuration (the document's sample)
    When I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": true, "oidc-provider": "aws", "oidc-configuration": {"role-arn": "arn:aws:iam::123456789012:role/terraform-module-test-role"}}}}
      """
    And I GET "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration"
    Then the response status is 200
    And the response JSON matches, ignoring ids and timestamps:
      """
      {"data": {"id": "modconf-abc123xyz", "type": "test-configurations",
        "attributes": {"oidc-enabled": true, "oidc-provider": "aws", "created-at": "2025-01-15T10:30:00.000Z", "updated-at": "2025-01-15T10:30:00.000Z"},
        "relationships": {"registry-module": {"data": {"id": "mod-abc123xyz", "type": "registry-modules"}}},
        "links": {"self": "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration"}}}
      """

  Scenario: Disable dynamic credentials with oidc-enabled false alone, then GET
    When I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": true, "oidc-provider": "aws", "oidc-configuration": {"role-arn": "arn:aws:iam::123456789012:role/r"}}}}
      """
    And I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": false}}}
      """
    Then the response status is 200
    When I GET "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration"
    Then the response JSON at "data.attributes.oidc-enabled" is false
    And the response JSON at "data.attributes.oidc-provider" is null

  Scenario: Update the organization's module test token TTL (the document's sample)
    When I PATCH "/api/v2/organizations/my-org" with:
      """
      {"data": {"type": "organizations", "attributes": {"module-test-token-ttl": 900}}}
      """
    Then the response status is 200
    And the response JSON includes, ignoring ids and timestamps:
      """
      {"data": {"id": "org-abc123xyz", "type": "organizations", "attributes": {"name": "my-org", "module-test-token-ttl": 900}}}
      """
    When I GET "/api/v2/organizations/my-org"
    Then the response JSON at "data.attributes.module-test-token-ttl" is 900

  Scenario Outline: The token TTL bounds: <ttl> seconds
    When I PATCH "/api/v2/organizations/my-org" with:
      """
      {"data": {"type": "organizations", "attributes": {"module-test-token-ttl": <ttl>}}}
      """
    Then the response status is <status>
    When I GET "/api/v2/organizations/my-org"
    Then the response JSON at "data.attributes.module-test-token-ttl" is <stored>

    Examples:
      | ttl  | status | stored |
      | 299  | 422    | 600    |
      | 300  | 200    | 300    |
      | 1800 | 200    | 1800   |
      | 1801 | 422    | 600    |

  Scenario: Invalid token TTL (the document's error)
    When I PATCH "/api/v2/organizations/my-org" with:
      """
      {"data": {"type": "organizations", "attributes": {"module-test-token-ttl": 60}}}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"Invalid Attribute","detail":"Module test token TTL must be between 300 and 1800 seconds","source":{"pointer":"/data/attributes/module-test-token-ttl"}}]}
      """

  Scenario: Invalid provider (the document's error)
    When I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": true, "oidc-provider": "digitalocean", "oidc-configuration": {"token": "x"}}}}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"Invalid Attribute","detail":"OIDC provider must be one of: aws, gcp, azure, vault","source":{"pointer":"/data/attributes/oidc-provider"}}]}
      """

  Scenario: Missing configuration (the document's error)
    When I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": true, "oidc-provider": "aws"}}}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"Invalid Attribute","detail":"OIDC configuration is required when OIDC is enabled","source":{"pointer":"/data/attributes/oidc-configuration"}}]}
      """

  Scenario: Module not found (the document's error)
    When I GET "/api/v2/registry-modules/private/my-org/nope/aws/test-configuration"
    Then the response status is 404
    And the response body is exactly:
      """
      {"errors":[{"status":"404","title":"Not Found","detail":"Registry module not found"}]}
      """

  Scenario: A member without module permissions (the document's 403)
    Given I authenticate as the member
    When I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": false}}}
      """
    Then the response status is 403
    And the response body is exactly:
      """
      {"errors":[{"status":"403","title":"Forbidden","detail":"You do not have permission to modify this module's test configuration"}]}
      """

  Scenario: Where the document is silent: missing, mistyped and unknown provider attributes
    When I PATCH "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration" with:
      """
      {"data": {"type": "test-configurations", "attributes": {"oidc-enabled": true, "oidc-provider": "gcp",
        "oidc-configuration": {"service-account-email": 42, "region": "eu"}}}}
      """
    Then the response status is 422
    And the response body is exactly:
      """
      {"errors":[{"status":"422","title":"Invalid Attribute","detail":"region is not an attribute of the gcp provider's configuration","source":{"pointer":"/data/attributes/oidc-configuration/region"}},{"status":"422","title":"Invalid Attribute","detail":"service-account-email must be a string","source":{"pointer":"/data/attributes/oidc-configuration/service-account-email"}},{"status":"422","title":"Invalid Attribute","detail":"workload-provider-name is required for the gcp provider","source":{"pointer":"/data/attributes/oidc-configuration/workload-provider-name"}}]}
      """
    When I GET "/api/v2/registry-modules/private/my-org/vpc/aws/test-configuration"
    Then the response JSON at "data.attributes.oidc-enabled" is false
