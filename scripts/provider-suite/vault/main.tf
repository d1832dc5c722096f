# The hashicorp/vault provider against tfcemu's Vault
# (scripts/provider-suite.sh): a policy, the jwt auth method with a role
# for TFC workload identity, and the Terraform Cloud secrets engine with
# two roles. The provider authenticates with VAULT_TOKEN and, as it does by
# default, works through a 20-minute child token.
terraform {
  required_providers {
    vault = {
      source = "hashicorp/vault"
    }
  }
}

variable "vault_addr" { type = string }
variable "tfc_address" { type = string }
variable "tfc_token" {
  type      = string
  sensitive = true
}
variable "issuer" { type = string }

provider "vault" {
  address = var.vault_addr
}

resource "vault_policy" "creds" {
  name   = "provider-suite-creds"
  policy = <<-EOT
    path "terraform/creds/*" {
      capabilities = ["read"]
    }
  EOT
}

resource "vault_jwt_auth_backend" "tfc" {
  path               = "jwt"
  type               = "jwt"
  description        = "TFC workload identity"
  oidc_discovery_url = var.issuer
  bound_issuer       = var.issuer
}

resource "vault_jwt_auth_backend_role" "tfc" {
  backend           = vault_jwt_auth_backend.tfc.path
  role_name         = "tfc"
  role_type         = "jwt"
  bound_audiences   = ["vault.workload.identity"]
  user_claim        = "terraform_full_workspace"
  bound_claims_type = "glob"
  bound_claims = {
    sub = "organization:my-org:project:*:workspace:*:run_phase:*"
  }
  token_policies = [vault_policy.creds.name]
  token_ttl      = 1200
}

resource "vault_terraform_cloud_secret_backend" "tfc" {
  backend     = "terraform"
  description = "TFC tokens"
  address     = var.tfc_address
  token       = var.tfc_token
}

resource "vault_terraform_cloud_secret_role" "user" {
  backend = vault_terraform_cloud_secret_backend.tfc.backend
  name    = "user"
  user_id = "user-12345abcde"
  ttl     = 600
  max_ttl = 3600
  # The engine reads a user role back with credential_type "user"; the
  # provider's attribute is not Computed, so leaving it out plans a
  # replacement on every run, against real Vault too.
  credential_type = "user"
}

resource "vault_terraform_cloud_secret_role" "org" {
  backend      = vault_terraform_cloud_secret_backend.tfc.backend
  name         = "org"
  organization = "my-org"
}
