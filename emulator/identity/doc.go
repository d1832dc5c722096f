// Package identity is TFC's OIDC workload-identity issuer: the signing keys,
// the discovery document, the JWKS, and the minting of RS256 tokens with the
// claims HCP Terraform puts in workspace-run and module-test tokens
// (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens).
// It knows nothing of organizations or
// workspaces beyond the names and IDs its callers pass in.
package identity
