// Package runs computes the environment an HCP Terraform agent hands to
// Terraform and to agent hooks for one run phase: the standard run
// variables, the workspace's environment variables, workload identity
// tokens for TFC_WORKLOAD_IDENTITY_AUDIENCE[_TAG], and dynamic provider
// credentials for Vault, AWS, GCP and Azure, gated by the agent's version
// (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials
// and its manual-generation page).
package runs
