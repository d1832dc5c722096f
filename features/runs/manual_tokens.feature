@runs @identity @emulator-only @seed
Feature: Manually generated workload identity tokens in the run environment
  With TFC_WORKLOAD_IDENTITY_AUDIENCE set (as a workspace variable or
  through a variable set), each plan and apply gets TFC_WORKLOAD_IDENTITY_TOKEN;
  each TFC_WORKLOAD_IDENTITY_AUDIENCE_[TAG] gives TFC_WORKLOAD_IDENTITY_TOKEN_[TAG]
  (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/manual-generation).

  Scenario: A token in the plan and in the apply, each for its phase
    Given the workspace "my-org/my-workspace" has the environment variable "TFC_WORKLOAD_IDENTITY_AUDIENCE" set to "my-audience"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    Then the response JSON at "status" is "running"
    And the response JSON at "env.TFC_RUN_ID" is "{run}"
    And the response JSON at "env.TFC_WORKSPACE_SLUG" is "my-org/my-workspace"
    And I take the workload identity token from the response JSON at "env.TFC_WORKLOAD_IDENTITY_TOKEN"
    And the token claims include:
      | claim               | value                                                                     |
      | aud                 | my-audience                                                               |
      | terraform_run_phase | plan                                                                      |
      | terraform_run_id    | {run}                                                                     |
      | sub                 | organization:my-org:project:Default Project:workspace:my-workspace:run_phase:plan |
    And an OIDC verifier using discovery accepts the token for audience "my-audience"
    When the run is confirmed
    And I read the apply environment of the run
    Then the response JSON at "status" is "running"
    And I take the workload identity token from the response JSON at "env.TFC_WORKLOAD_IDENTITY_TOKEN"
    And the token claims include:
      | claim               | value |
      | terraform_run_phase | apply |
      | aud                 | my-audience |

  Scenario: Without the audience variable no token is injected
    Given a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    Then the response JSON has no "env.TFC_WORKLOAD_IDENTITY_TOKEN"

  Scenario: A workspace variable beats a variable set for the audience
    Given a global variable set "defaults" in "my-org" with the environment variable "TFC_WORKLOAD_IDENTITY_AUDIENCE" set to "from-varset"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    And I take the workload identity token from the response JSON at "env.TFC_WORKLOAD_IDENTITY_TOKEN"
    Then the token claims include:
      | claim | value       |
      | aud   | from-varset |
    Given the workspace "my-org/my-workspace" has the environment variable "TFC_WORKLOAD_IDENTITY_AUDIENCE" set to "from-workspace"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    And I take the workload identity token from the response JSON at "env.TFC_WORKLOAD_IDENTITY_TOKEN"
    Then the token claims include:
      | claim | value          |
      | aud   | from-workspace |

  Scenario: Two tagged audiences give two tokens
    Given the workspace "my-org/my-workspace" has the environment variable "TFC_WORKLOAD_IDENTITY_AUDIENCE_AWS" set to "aws.workload.identity"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_WORKLOAD_IDENTITY_AUDIENCE_PARTNER" set to "partner-api"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    Then the response JSON has no "env.TFC_WORKLOAD_IDENTITY_TOKEN"
    When I take the workload identity token from the response JSON at "env.TFC_WORKLOAD_IDENTITY_TOKEN_AWS"
    Then the token claims include:
      | claim | value                 |
      | aud   | aws.workload.identity |
    When I read the plan environment of the run
    And I take the workload identity token from the response JSON at "env.TFC_WORKLOAD_IDENTITY_TOKEN_PARTNER"
    Then the token claims include:
      | claim | value       |
      | aud   | partner-api |

  Scenario Outline: The tag <tag> is ignored with a warning in the run log
    Given the workspace "my-org/my-workspace" has the environment variable "TFC_WORKLOAD_IDENTITY_AUDIENCE_<tag>" set to "x"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    Then the response JSON has no "env.TFC_WORKLOAD_IDENTITY_TOKEN_<tag>"
    And the response JSON at "log" has a line containing "<warning>"
    And the response JSON at "status" is "running"

    Examples:
      | tag     | warning                                                                |
      | TYPE    | ignoring TFC_WORKLOAD_IDENTITY_AUDIENCE_TYPE: TYPE is a reserved keyword |
      | my-tag  | a tag may contain only letters, numbers and underscores               |

  Scenario Outline: Agent <version> gets <what>
    Given the workspace "my-org/my-workspace" has the environment variable "TFC_WORKLOAD_IDENTITY_AUDIENCE" set to "default-aud"
    And the workspace "my-org/my-workspace" has the environment variable "TFC_WORKLOAD_IDENTITY_AUDIENCE_EXTRA" set to "extra-aud"
    And the workspace "my-org/my-workspace" runs on an agent of version "<version>"
    And a run is queued in the workspace "my-org/my-workspace"
    When I read the plan environment of the run
    Then the response JSON at "run.agent_version" is "<version>"
    And the response JSON <default> "env.TFC_WORKLOAD_IDENTITY_TOKEN"
    And the response JSON <tagged> "env.TFC_WORKLOAD_IDENTITY_TOKEN_EXTRA"

    Examples:
      | version | what                    | default    | tagged     |
      | 1.6.3   | no token                | has no     | has no     |
      | 1.11.2  | only the untagged token | has a      | has no     |
      | 1.12.0  | both tokens             | has a      | has a      |
