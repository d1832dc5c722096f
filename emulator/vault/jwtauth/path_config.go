package jwtauth

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// allAlgs is what the method accepts when jwt_supported_algs is empty.
var allAlgs = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"}

type config struct {
	OIDCDiscoveryURL     string
	OIDCDiscoveryCAPEM   string
	OIDCClientID         string
	OIDCClientSecret     string
	JWKSURL              string
	JWKSCAPEM            string
	JWTValidationPubKeys []string
	JWTSupportedAlgs     []string
	BoundIssuer          string
	DefaultRole          string
	NamespaceInState     bool
	pubKeys              []any
}

func (b *backend) readConfig(context.Context, *logical.Request, *logical.FieldData) (*logical.Response, error) {
	b.mu.RLock()
	c := b.config
	b.mu.RUnlock()
	if c == nil {
		return nil, nil
	}
	return &logical.Response{Data: map[string]any{
		"bound_issuer": c.BoundIssuer, "default_role": c.DefaultRole, "jwks_ca_pem": c.JWKSCAPEM, "jwks_pairs": []any{},
		"jwks_url": c.JWKSURL, "jwt_supported_algs": orEmpty(c.JWTSupportedAlgs), "jwt_validation_pubkeys": orEmpty(c.JWTValidationPubKeys),
		"namespace_in_state": c.NamespaceInState, "oidc_client_id": c.OIDCClientID, "oidc_discovery_ca_pem": c.OIDCDiscoveryCAPEM,
		"oidc_discovery_url": c.OIDCDiscoveryURL, "oidc_response_mode": "", "oidc_response_types": []string{},
		"provider_config": map[string]any{}, "unsupported_critical_cert_extensions": []string{},
	}}, nil
}

func nilIfNone(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeConfig validates like the real method: exactly one key source, and
// a discovery URL or JWKS URL that answers now.
func (b *backend) writeConfig(ctx context.Context, _ *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	c := &config{NamespaceInState: true,
		OIDCDiscoveryURL: d.String("oidc_discovery_url"), OIDCDiscoveryCAPEM: d.String("oidc_discovery_ca_pem"),
		OIDCClientID: d.String("oidc_client_id"), OIDCClientSecret: d.String("oidc_client_secret"),
		JWKSURL: d.String("jwks_url"), JWKSCAPEM: d.String("jwks_ca_pem"), BoundIssuer: d.String("bound_issuer"),
		DefaultRole: d.String("default_role"), JWTValidationPubKeys: nilIfNone(d.Strings("jwt_validation_pubkeys")),
		JWTSupportedAlgs: nilIfNone(d.Strings("jwt_supported_algs")),
	}
	// namespace_in_state defaults to true on a new config and keeps its
	// value on a rewrite that does not send it.
	b.mu.RLock()
	if b.config != nil {
		c.NamespaceInState = b.config.NamespaceInState
	}
	b.mu.RUnlock()
	if v, ok := d.GetOk("namespace_in_state"); ok {
		c.NamespaceInState = v.(bool)
	}
	set := 0
	for _, on := range []bool{len(c.JWTValidationPubKeys) > 0, c.JWKSURL != "", c.OIDCDiscoveryURL != ""} {
		if on {
			set++
		}
	}
	if set != 1 {
		return logical.ErrorResponse("exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set"), nil
	}
	if (c.OIDCClientID == "") != (c.OIDCClientSecret == "") {
		return logical.ErrorResponse("both 'oidc_client_id' and 'oidc_client_secret' must be set for OIDC"), nil
	}
	switch {
	case c.OIDCDiscoveryURL != "":
		if _, err := b.discover(ctx, c.OIDCDiscoveryURL); err != nil {
			return logical.ErrorResponse("error checking oidc discovery URL"), nil
		}
	case c.JWKSURL != "":
		if _, err := b.fetchJWKS(ctx, c.JWKSURL); err != nil {
			return logical.ErrorResponse("error checking jwks URL %s", c.JWKSURL), nil
		}
	default:
		for _, p := range c.JWTValidationPubKeys {
			k, err := parsePublicKeyPEM(p)
			if err != nil {
				return logical.ErrorResponse("error parsing public key: %s", err), nil
			}
			c.pubKeys = append(c.pubKeys, k)
		}
	}
	for _, a := range c.JWTSupportedAlgs {
		if !slices.Contains(allAlgs, a) {
			return logical.ErrorResponse("invalid jwt_supported_algs: unsupported signing algorithm %q", a), nil
		}
	}
	b.mu.Lock()
	b.config, b.keys = c, nil
	b.mu.Unlock()
	return nil, nil
}

// discovery is the part of an OIDC discovery document the method reads.
type discovery struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

// discover fetches <url>/.well-known/openid-configuration and requires the
// issuer to equal url exactly.
func (b *backend) discover(ctx context.Context, url string) (*discovery, error) {
	body, err := b.get(ctx, strings.TrimSuffix(url, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return nil, err
	}
	var d discovery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("oidc: failed to decode provider discovery object: %w", err)
	}
	if d.Issuer != url {
		return nil, fmt.Errorf("oidc: issuer did not match the issuer returned by provider, expected %q got %q", url, d.Issuer)
	}
	return &d, nil
}

func (b *backend) fetchJWKS(ctx context.Context, url string) (jwk.Set, error) {
	body, err := b.get(ctx, url)
	if err != nil {
		return nil, err
	}
	return jwk.Parse(body)
}

func (b *backend) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := b.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", resp.Status, body)
	}
	return body, nil
}

func parsePublicKeyPEM(s string) (any, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("data does not contain any valid public keys")
	}
	if k, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		return k, nil
	}
	if cert, err := x509.ParseCertificate(block.Bytes); err == nil {
		return cert.PublicKey, nil
	}
	if k, err := x509.ParsePKCS1PublicKey(block.Bytes); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("data does not contain any valid public keys")
}
