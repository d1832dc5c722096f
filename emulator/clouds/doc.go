// Package clouds holds what the emulated clouds (emulator/clouds/aws, gcp,
// azure) share: the Decision every token exchange records and explains, a
// bounded DecisionLog, and TokenVerifier, which validates a JWT against its
// OIDC issuer's discovery document and JWKS on the virtual clock.
//
// Each cloud maps a TokenError's Kind onto its own wire error: this package
// knows nothing of XML, OAuth error bodies or AADSTS codes.
package clouds
