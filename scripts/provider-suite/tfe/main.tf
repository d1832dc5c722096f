# The hashicorp/tfe provider against tfcemu (scripts/provider-suite.sh):
# one resource of each kind the emulator serves, in the seeded
# organization my-org. apply, plan (no changes) and destroy must all pass.
terraform {
  required_providers {
    tfe = {
      source = "hashicorp/tfe"
    }
  }
}

variable "hostname" {
  type        = string
  description = "tfcemu's TFC host:port (the suite sets TF_VAR_hostname)"
}

variable "organization" {
  type    = string
  default = "my-org"
}

provider "tfe" {
  hostname = var.hostname
}

data "tfe_organization" "org" {
  name = var.organization
}

resource "tfe_project" "suite" {
  organization = data.tfe_organization.org.name
  name         = "provider-suite"
  description  = "made by the tfe provider"
}

resource "tfe_workspace" "suite" {
  organization      = data.tfe_organization.org.name
  project_id        = tfe_project.suite.id
  name              = "provider-suite-ws"
  description       = "made by the tfe provider"
  terraform_version = "1.11.4"
  working_directory = "infra"
  queue_all_runs    = false
}

resource "tfe_workspace_settings" "suite" {
  workspace_id   = tfe_workspace.suite.id
  execution_mode = "remote"
  auto_apply     = true
}

resource "tfe_variable" "region" {
  workspace_id = tfe_workspace.suite.id
  key          = "region"
  value        = "eu-west-1"
  category     = "terraform"
  description  = "a terraform variable"
}

resource "tfe_variable" "secret" {
  workspace_id = tfe_workspace.suite.id
  key          = "SUITE_SECRET"
  value        = "s3cr3t"
  category     = "env"
  sensitive    = true
}

resource "tfe_variable_set" "suite" {
  organization = data.tfe_organization.org.name
  name         = "provider-suite-varset"
  description  = "made by the tfe provider"
}

resource "tfe_variable" "in_set" {
  variable_set_id = tfe_variable_set.suite.id
  key             = "TF_LOG"
  value           = "info"
  category        = "env"
}

resource "tfe_workspace_variable_set" "suite" {
  workspace_id    = tfe_workspace.suite.id
  variable_set_id = tfe_variable_set.suite.id
}

resource "tfe_team" "suite" {
  organization = data.tfe_organization.org.name
  name         = "provider-suite-team"
  visibility   = "organization"
}

resource "tfe_team_access" "suite" {
  team_id      = tfe_team.suite.id
  workspace_id = tfe_workspace.suite.id
  access       = "write"
}

resource "tfe_team_project_access" "suite" {
  team_id    = tfe_team.suite.id
  project_id = tfe_project.suite.id
  access     = "maintain"
}

resource "tfe_team_token" "suite" {
  team_id     = tfe_team.suite.id
  description = "provider-suite"
}

resource "tfe_organization_token" "suite" {
  organization = data.tfe_organization.org.name
}

resource "tfe_agent_pool" "suite" {
  organization        = data.tfe_organization.org.name
  name                = "provider-suite-pool"
  organization_scoped = true
}

resource "tfe_agent_token" "suite" {
  agent_pool_id = tfe_agent_pool.suite.id
  description   = "provider-suite"
}

resource "tfe_registry_module" "suite" {
  organization    = data.tfe_organization.org.name
  module_provider = "aws"
  name            = "provider-suite"
  registry_name   = "private"
}
