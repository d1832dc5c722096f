package jwtauth

import (
	"context"
	"errors"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// keyCache holds the JWKS fetched for the config; an unknown kid triggers
// one refetch, as go-oidc's RemoteKeySet does, so rotated keys are found.
type keyCache struct {
	set jwk.Set
}

// verifySignature checks the token's signature with the configured keys.
func (b *backend) verifySignature(ctx context.Context, c *config, token string, hdr map[string]any) error {
	if len(c.pubKeys) > 0 {
		// An unknown alg leaves alg empty, which verifies with no key.
		var alg jwa.SignatureAlgorithm
		_ = alg.Accept(fmt.Sprint(hdr["alg"]))
		for _, k := range c.pubKeys {
			if _, err := jws.Verify([]byte(token), jws.WithKey(alg, k)); err == nil {
				return nil
			}
		}
		return errors.New("error verifying token signature: no known key successfully validated the token signature")
	}
	b.mu.RLock()
	cache := b.keys
	b.mu.RUnlock()
	var alg jwa.SignatureAlgorithm
	_ = alg.Accept(fmt.Sprint(hdr["alg"]))
	kid, _ := hdr["kid"].(string)
	for attempt := 0; attempt < 2; attempt++ {
		if cache == nil || attempt == 1 {
			set, err := b.loadKeys(ctx, c)
			if err != nil {
				return configError{fmt.Errorf("keyset configuration error: %w", err)}
			}
			cache = &keyCache{set: set}
			b.mu.Lock()
			b.keys = cache
			b.mu.Unlock()
		}
		// go-oidc's RemoteKeySet.verify: every key whose kid matches, or
		// every key when the token names none.
		for i := 0; i < cache.set.Len(); i++ {
			k, ok := cache.set.Key(i)
			if !ok || (kid != "" && k.KeyID() != kid) {
				continue
			}
			if _, err := jws.Verify([]byte(token), jws.WithKey(alg, k)); err == nil {
				return nil
			}
		}
	}
	return errors.New("error verifying token signature: failed to verify id token signature")
}

// loadKeys fetches the JWKS from jwks_url, or from the discovery
// document's jwks_uri after checking its issuer again.
func (b *backend) loadKeys(ctx context.Context, c *config) (jwk.Set, error) {
	url := c.JWKSURL
	if c.OIDCDiscoveryURL != "" {
		d, err := b.discover(ctx, c.OIDCDiscoveryURL)
		if err != nil {
			return nil, err
		}
		url = d.JWKSURI
	}
	set, err := b.fetchJWKS(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("fetching keys oidc: get keys failed: %w", err)
	}
	return set, nil
}
