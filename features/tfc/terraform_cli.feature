@tfc @terraform-cli
Feature: The Terraform CLI's cloud block against the emulator
  Terraform (1.6 and newer) with a `cloud` block keeps its state in an HCP
  Terraform workspace. With the workspace in local execution, plan and
  apply run on this machine: Terraform locks the workspace, reads the
  current state version, uploads a new one (a pending state version, then
  PUTs of the raw and JSON state to its archivist URLs) and unlocks.
  Terraform only speaks https to a cloud hostname, so each scenario starts
  its own emulator with --tls, points SSL_CERT_FILE at its CA and gives
  the token in a CLI config `credentials "127.0.0.1:PORT"` block.
  The configurations use only Terraform's builtin provider (no registry).

  Background:
    Given the Terraform CLI against the emulator over TLS
    And a workspace "app" in local execution

  Scenario: init, apply, plan, output and destroy keep the state in the workspace
    Given this Terraform configuration:
      """
      terraform {
        cloud {
          hostname     = "{hostname}"
          organization = "my-org"
          workspaces {
            name = "app"
          }
        }
      }

      resource "terraform_data" "greeting" {
        input = "hello"
      }

      output "greeting" {
        value = terraform_data.greeting.output
      }

      output "secret" {
        value     = "s3cr3t"
        sensitive = true
      }
      """
    When I run "terraform init" and it succeeds
    Then its output contains "has been successfully initialized!"
    And the workspace "app" has no state
    When I run "terraform apply -auto-approve" and it succeeds
    Then its output contains "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
    And the workspace "app" has a current state version with serial 1 managing 1 resource
    When I run "terraform plan -detailed-exitcode" and it succeeds
    Then its output contains "No changes."
    When I run "terraform output -raw greeting" and it succeeds
    Then its output is "hello"
    When I run "terraform output -raw secret" and it succeeds
    Then its output is "s3cr3t"
    When I run "terraform destroy -auto-approve" and it succeeds
    Then its output contains "Destroy complete! Resources: 1 destroyed."
    And the workspace "app" has a current state version with serial 2 managing 0 resources

  Scenario: terraform state pull and state push
    Given this Terraform configuration:
      """
      terraform {
        cloud {
          hostname     = "{hostname}"
          organization = "my-org"
          workspaces {
            name = "app"
          }
        }
      }

      resource "terraform_data" "one" {
        input = 1
      }
      """
    And I run "terraform init" and it succeeds
    And I run "terraform apply -auto-approve" and it succeeds
    When I run "terraform state pull" and it succeeds
    Then its output contains "\"serial\": 1"
    And I keep its output as the pulled state with serial 7
    # Terraform writes a pushed state that differs from the stored one as
    # the next serial.
    When I run "terraform state push {pulled}" and it succeeds
    Then the workspace "app" has a current state version with serial 8 managing 1 resource
    When I run "terraform plan -detailed-exitcode" and it succeeds
    Then its output contains "No changes."

  Scenario Outline: terraform_remote_state reads a workspace that shares its state <how>
    Given a workspace "network" in local execution
    And the workspace "network" has a state with the output "vpc_id" = "vpc-0123"
    And <sharing>
    And this Terraform configuration:
      """
      terraform {
        cloud {
          hostname     = "{hostname}"
          organization = "my-org"
          workspaces {
            name = "app"
          }
        }
      }

      data "terraform_remote_state" "network" {
        backend = "remote"
        config = {
          hostname     = "{hostname}"
          organization = "my-org"
          workspaces = {
            name = "network"
          }
        }
      }

      output "vpc_id" {
        value = data.terraform_remote_state.network.outputs.vpc_id
      }
      """
    When I run "terraform init" and it succeeds
    And I run "terraform apply -auto-approve" and it succeeds
    And I run "terraform output -raw vpc_id" and it succeeds
    Then its output is "vpc-0123"

    Examples:
      | how                        | sharing                                                            |
      | as a remote state consumer | the workspace "network" lists "app" as a remote state consumer    |
      | with the organization      | the workspace "network" shares its state with the whole organization |

  Scenario: terraform_remote_state is refused a workspace that does not share its state
    Given a workspace "network" in local execution
    And the workspace "network" has a state with the output "vpc_id" = "vpc-0123"
    And this Terraform configuration:
      """
      terraform {
        cloud {
          hostname     = "{hostname}"
          organization = "my-org"
          workspaces {
            name = "app"
          }
        }
      }

      data "terraform_remote_state" "network" {
        backend = "remote"
        config = {
          hostname     = "{hostname}"
          organization = "my-org"
          workspaces = {
            name = "network"
          }
        }
      }

      output "vpc_id" {
        value = data.terraform_remote_state.network.outputs.vpc_id
      }
      """
    When I run "terraform init" and it succeeds
    And I run "terraform apply -auto-approve"
    Then it fails
    And its output contains "Unable to find remote state"
    And the workspace "app" has no state

  Scenario: apply fails while someone else holds the workspace lock
    Given this Terraform configuration:
      """
      terraform {
        cloud {
          hostname     = "{hostname}"
          organization = "my-org"
          workspaces {
            name = "app"
          }
        }
      }

      resource "terraform_data" "one" {
        input = 1
      }
      """
    And I run "terraform init" and it succeeds
    And the workspace "app" is locked by another user
    When I run "terraform apply -auto-approve"
    Then it fails
    And its output contains "Error acquiring the state lock"
    And its output contains "workspace already locked (lock ID: \"my-org/app\")"
    And the workspace "app" has no state
