// Package azure emulates the Microsoft Entra ID endpoints a workload
// identity federation client calls: the ARM metadata document azurerm's
// metadata_host reads (GET /metadata/endpoints?api-version=2022-09-01), the
// tenant's OpenID configuration MSAL fetches for its authority
// (GET /{tenant}/v2.0/.well-known/openid-configuration) and the v2.0 token
// endpoint's client-credentials grant with a federated client assertion
// (POST /{tenant}/oauth2/v2.0/token,
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow).
// An application's federated identity credentials match the assertion's
// issuer and subject exactly (case-sensitive) and its audience against the
// credential's audiences (api://AzureADTokenExchange by default); the
// assertion is verified against its issuer's discovery document and JWKS
// on the virtual clock. Every exchange is recorded as a Decision.
//
// Errors keep Entra's shape (error, error_description ending in Trace ID,
// Correlation ID and Timestamp, error_codes, timestamp, trace_id,
// correlation_id, error_uri). The correlation id echoes the client's
// client-request-id header, as Entra does. Texts observed in public
// reports: AADSTS700211 (issuer), AADSTS700213 (subject), AADSTS700024
// (expired assertion), AADSTS700016 (unknown application), AADSTS90002
// (unknown tenant), AADSTS900144 (missing parameter), AADSTS1002012 (a
// client-credentials scope without /.default), AADSTS50027 (malformed JWT).
// Choices where the text could not be verified: AADSTS700212 for an
// audience mismatch, AADSTS700027 for a bad signature or unknown key,
// AADSTS50166 when the issuer's discovery/JWKS cannot be fetched,
// AADSTS70003 for another grant type, AADSTS700025 for another
// client_assertion_type, and 400 for invalid_request/invalid_scope/
// invalid_tenant/unauthorized_client but 401 for invalid_client. The access
// token is JWT-shaped (v1 claims: aud, iss, appid, tid, oid, …) with a
// signature nobody can verify; nothing here serves ARM itself, so the
// metadata document points only loginEndpoint at this listener.
package azure
