// Package gcp emulates the two Google Cloud endpoints a workload-identity
// federation client calls: Security Token Service token exchange
// (POST /v1/token, https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token)
// and IAM Credentials service-account impersonation
// (POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken,
// https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken).
// Workload identity pool providers are evaluated as Google does: the
// subject token is verified against the provider's OIDC issuer (discovery
// and JWKS), its audience against the allowed audiences, then the
// attribute mapping and attribute condition run in CEL with the variables
// assertion, google and attribute. Impersonation is allowed by the
// service account's roles/iam.workloadIdentityUser members
// (principal://…/subject/S, principalSet://…/attribute.NAME/VALUE,
// principalSet://…/group/G, principalSet://…/*). Every exchange is recorded
// as a Decision explaining what matched or failed.
//
// Answers whose exact text was observed in Google's responses (quoted in
// public issues): the attribute-condition refusal (unauthorized_client
// "The given credential is rejected by the attribute condition."), the bad
// audience (invalid_request "Invalid value for \"audience\". …"), the
// missing or disabled pool/provider (invalid_target "The target service
// indicated by the \"audience\" parameters is invalid. …"), the token
// audience mismatch (invalid_grant "The audience in ID Token […] does not
// match the expected audience."), impersonation refusals (403
// PERMISSION_DENIED "Permission 'iam.serviceAccounts.getAccessToken' denied
// on resource (or it may not exist).") and the unauthenticated 401.
//
// Choices made where Google's text could not be verified (all keep Google's
// error shape and status): the invalid_grant descriptions for an
// unparseable, wrongly issued, badly signed, unverifiable, expired or
// not-yet-valid subject token and for an empty google.subject;
// unsupported_grant_type for another grant type; invalid_request texts for
// a wrong subject_token_type or requested_token_type, a missing
// subject_token, a subject token over 16 KiB and an unreadable body; the
// 400 INVALID_ARGUMENT texts of generateAccessToken for a bad lifetime or
// an empty scope. Federated access tokens last 3600 s and live in memory
// only (a snapshot keeps providers and service accounts, not tokens or
// decisions). An attribute mapping that fails to evaluate leaves the
// attribute out (google.subject excepted), and a condition that fails to
// evaluate rejects the credential, as a false condition does.
package gcp
