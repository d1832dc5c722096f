@clouds @aws @emulator-only @seed
Feature: AWS STS answers a run's workload identity token as AWS would
  The emulator's clouds listener (aws_sts_url) is AWS STS for the token a
  run presents: AssumeRoleWithWebIdentity validates the token against the
  registered IAM OIDC providers and the role's trust policy and answers in
  AWS's XML, with AWS's error codes and texts
  (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).
  The default seed registers the emulator's issuer with the audience
  aws.workload.identity and the role terraform-module-test-role, trusting
  the runs and module tests of my-org
  (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration).
  Every decision is explained under /_emulator/aws/decisions.

  Scenario: A plan token of the seeded organization assumes the documented role
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "aws.workload.identity"
    When the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/terraform-module-test-role" with session name "tfc-plan"
    Then STS issues credentials for "arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/tfc-plan" expiring 3600 seconds from the virtual clock's now
    And the STS answer's SubjectFromWebIdentityToken is "organization:my-org:project:Default Project:workspace:my-workspace:run_phase:plan"
    And the STS answer's Audience is "aws.workload.identity"
    And the STS answer's Provider is "arn:aws:iam::123456789012:oidc-provider/{issuer_host}"
    And GetCallerIdentity signed with those credentials answers "arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/tfc-plan"
    And the latest AWS decision is allowed because "StringEquals on {issuer_host}:aud: "aws.workload.identity" matches "aws.workload.identity""

  Scenario: An apply token is refused by a trust policy that allows the plan phase only
    When I PUT "/_emulator/aws/roles/plan-only" on TFC with:
      """
      {"account_id":"123456789012","assume_role_policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/{issuer_host}"},
        "Action":"sts:AssumeRoleWithWebIdentity",
        "Condition":{"StringEquals":{"{issuer_host}:aud":"aws.workload.identity"},
                     "StringLike":{"{issuer_host}:sub":"organization:my-org:project:*:workspace:my-workspace:run_phase:plan"}}}]}}
      """
    Then the response status is 201
    Given a workload identity token for workspace "my-org/my-workspace" phase "apply" with audience "aws.workload.identity"
    When the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/plan-only"
    Then STS answers 403 AccessDenied: "Not authorized to perform sts:AssumeRoleWithWebIdentity"
    And the latest AWS decision is denied because "StringLike on {issuer_host}:sub: "organization:my-org:project:Default Project:workspace:my-workspace:run_phase:apply" does not match "organization:my-org:project:*:workspace:my-workspace:run_phase:plan""

  Scenario: An explicit Deny wins over an Allow
    When I PUT "/_emulator/aws/roles/deny-apply" on TFC with:
      """
      {"assume_role_policy":{"Statement":[
        {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/{issuer_host}"},"Action":"sts:AssumeRoleWithWebIdentity"},
        {"Sid":"NoApply","Effect":"Deny","Principal":"*","Action":"sts:*","Condition":{"StringLike":{"{issuer_host}:sub":"*:run_phase:apply"}}}]}}
      """
    Then the response status is 201
    Given a workload identity token for workspace "my-org/my-workspace" phase "apply" with audience "aws.workload.identity"
    When the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/deny-apply"
    Then STS answers 403 AccessDenied: "Not authorized to perform sts:AssumeRoleWithWebIdentity"
    And the latest AWS decision is denied because "an explicit Deny applies"

  Scenario: A token for another audience is refused
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "sts.amazonaws.com"
    When the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/terraform-module-test-role"
    Then STS answers 400 InvalidIdentityToken: "Incorrect token audience"
    And the latest AWS decision is denied because "token aud "sts.amazonaws.com" is not in the provider's client_id_list "aws.workload.identity""

  Scenario: A token from an issuer no OIDC provider registers is refused
    When I DELETE "/_emulator/aws/openid-connect-providers?url={issuer}" on TFC
    Then the response status is 204
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "aws.workload.identity"
    When the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/terraform-module-test-role"
    Then STS answers 400 InvalidIdentityToken: "No OpenIDConnect provider found in your account for {issuer}"

  Scenario: A token expired on the virtual clock is refused with the two times
    Given the virtual clock is set to "2030-01-01T00:00:00Z"
    And a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "aws.workload.identity"
    When 7201 seconds pass
    And the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/terraform-module-test-role"
    Then STS answers 400 ExpiredTokenException: "Token expired: current date/time 1893463201 must be before the expiration date/time 1893463200"

  Scenario: Session credentials expire on the virtual clock
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "aws.workload.identity"
    When the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/terraform-module-test-role" for 900 seconds
    Then STS issues credentials for "arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/tfcemu-features" expiring 900 seconds from the virtual clock's now
    When 900 seconds pass
    Then GetCallerIdentity signed with those credentials answers "ExpiredToken: The security token included in the request is expired"

  Scenario: Parameters are validated as STS validates them
    Given a workload identity token for workspace "my-org/my-workspace" phase "plan" with audience "aws.workload.identity"
    When the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/terraform-module-test-role" with session name "a b"
    Then STS answers 400 ValidationError: "1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*"
    When the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/terraform-module-test-role" for 7200 seconds
    Then STS answers 400 ValidationError: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    When I POST the form "Action=AssumeRole&Version=2011-06-15" to AWS STS
    Then STS answers 400 InvalidAction: "Could not find operation AssumeRole for version 2011-06-15"

  Scenario: A malformed trust policy is refused with its position and changes nothing
    When I PUT "/_emulator/aws/roles/terraform-module-test-role" on TFC with:
      """
      {"assume_role_policy":{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringMatches":{"a":"b"}}}]}}
      """
    Then the response status is 400
    And the response JSON at "error" contains "Statement[0].Condition.StringMatches: unsupported condition operator"
    Given a workload identity token for workspace "my-org/my-workspace" phase "apply" with audience "aws.workload.identity"
    When the token is exchanged at AWS STS for the role "arn:aws:iam::123456789012:role/terraform-module-test-role"
    Then STS issues credentials for "arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/tfcemu-features" expiring 3600 seconds from the virtual clock's now
