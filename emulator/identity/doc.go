// Package identity is TFC's OIDC workload-identity issuer: the signing keys,
// the discovery document, the JWKS, and the minting of RS256 tokens with the
// claims HCP Terraform puts in workspace-run and module-test tokens
// (shared/spec/workload-identity.md §1). It knows nothing of organizations or
// workspaces beyond the names and IDs its callers pass in.
package identity
