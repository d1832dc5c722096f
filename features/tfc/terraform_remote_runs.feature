@tfc @terraform-cli @remote-runs
Feature: Remote runs: the emulator executes what the Terraform CLI queues
  With the workspace in remote execution, `terraform plan` and `apply`
  with a cloud block upload the configuration as a configuration version,
  create a run and stream its logs. The emulator (in --runs=execute)
  executes the run as HCP Terraform's hosted agent does: the configuration
  is unpacked into a run directory, its cloud block overridden with a
  local backend holding the workspace's current state, and Terraform runs
  with the workspace's variables and the phase's environment (workload
  identity tokens, dynamic credentials). The applied state becomes the
  workspace's new state version.

  Background:
    Given the Terraform CLI against the emulator over TLS executing runs
    And a workspace "app" in remote execution

  Scenario: apply runs remotely, a local-exec provisioner sees the apply token, a speculative plan then has no changes
    Given the workspace "app" has the env variable "TFC_WORKLOAD_IDENTITY_AUDIENCE" = "my-audience"
    And the workspace "app" has the terraform variable "greeting" = "hello"
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

      variable "greeting" {
        type = string
      }

      resource "terraform_data" "greeting" {
        input = var.greeting

        provisioner "local-exec" {
          command = "printf %s \"$TFC_WORKLOAD_IDENTITY_TOKEN\" > {dir}/apply-token"
        }
      }

      output "greeting" {
        value = terraform_data.greeting.output
      }
      """
    When I run "terraform init" and it succeeds
    And I run "terraform apply -auto-approve" and it succeeds
    Then its output contains "Running apply in HCP Terraform"
    And its output contains "Plan: 1 to add, 0 to change, 0 to destroy."
    And its output contains "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
    And the workspace "app" has a current state version created by its latest run managing 1 resource
    And the latest run of the workspace "app" is "applied"
    And the plan log of the latest run of the workspace "app" is JSON lines containing "Plan: 1 to add, 0 to change, 0 to destroy."
    And the apply log of the latest run of the workspace "app" is JSON lines containing "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
    And the file "apply-token" holds a workload identity token for "my-audience" with the claims:
      | aud                      | my-audience |
      | terraform_run_phase      | apply       |
      | terraform_workspace_name | app         |
    When I run "terraform plan" and it succeeds
    Then its output contains "No changes."
    And the latest run of the workspace "app" is "planned_and_finished"
    When I run "terraform plan -var greeting=bye -target=terraform_data.greeting" and it succeeds
    Then its output contains "Plan: 0 to add, 1 to change, 0 to destroy."
    And its output contains "Resource targeting is in effect"
    When I run "terraform output -raw greeting" and it succeeds
    Then its output is "hello"
    When I run "terraform destroy -auto-approve" and it succeeds
    Then its output contains "Plan: 0 to add, 0 to change, 1 to destroy."
    And its output contains "Apply complete! Resources: 0 added, 0 changed, 1 destroyed."
    And the workspace "app" has a current state version created by its latest run managing 0 resources

  Scenario: a failing plan errors the run with its log, and its workspace keeps no state
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

      resource "terraform_data" "broken" {
        input = file("does-not-exist.txt")
      }
      """
    When I run "terraform init" and it succeeds
    And I run "terraform apply -auto-approve"
    Then it fails
    And its output contains "Invalid value for \"path\" parameter"
    And the latest run of the workspace "app" is "errored"
    And the workspace "app" has no state

  Scenario: two runs queue: the second waits while the first waits for confirmation
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
    And I run "terraform plan" and it succeeds
    When I queue 2 runs on the workspace "app" through the API
    Then queued run 1 becomes "planned"
    And queued run 2 is still "pending"
    And the plan log of queued run 1 contains "Plan: 1 to add, 0 to change, 0 to destroy."
    When I discard queued run 1
    Then queued run 2 becomes "planned"
    When I apply queued run 2
    Then queued run 2 becomes "applied"
    And the workspace "app" has a current state version created by its latest run managing 1 resource

  Scenario: canceling an apply stops Terraform and keeps the workspace's state
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

      resource "terraform_data" "slow" {
        provisioner "local-exec" {
          command = "sleep 300"
        }
      }
      """
    And I run "terraform init" and it succeeds
    When I queue 1 runs on the workspace "app" through the API
    Then queued run 1 becomes "planned"
    When I apply queued run 1
    Then queued run 1 becomes "applying"
    When I cancel queued run 1
    Then queued run 1 becomes "canceled"
    And the workspace "app" has no state

  Scenario: a run waits while another user holds the workspace's lock
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
    And the workspace "app" is force-unlocked in 4 seconds
    When I run "terraform apply -auto-approve" and it succeeds
    Then its output contains "queued run(s) to finish before starting"
    And its output contains "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."

  Scenario: with structured run output disabled, the logs are Terraform's plain text, as the CLI prints them
    Given the workspace "app" has structured run output disabled
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

      resource "terraform_data" "plain" {
        input = "text"
      }
      """
    When I run "terraform init" and it succeeds
    And I run "terraform apply -auto-approve" and it succeeds
    Then its output contains "Plan: 1 to add, 0 to change, 0 to destroy."
    And its output contains "terraform_data.plain: Creating..."
    And its output contains "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
    And the plan log of the latest run of the workspace "app" is plain text containing "Plan: 1 to add, 0 to change, 0 to destroy."
    And the apply log of the latest run of the workspace "app" is plain text containing "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
    And the latest run of the workspace "app" is "applied"
