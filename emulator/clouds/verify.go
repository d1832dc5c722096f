package clouds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// TokenErrorKind classifies why a token was refused; each cloud maps it
// onto its own error code and text.
type TokenErrorKind int

// The kinds of TokenError.
const (
	// Malformed: not a compact JWS, or claims that are not a JWT's
	// (no iss, no exp, a non-numeric date).
	Malformed TokenErrorKind = iota + 1
	// KeyUnavailable: the issuer's discovery document or JWKS could not be
	// fetched or parsed.
	KeyUnavailable
	// BadSignature: no key of the issuer's JWKS verifies the signature.
	BadSignature
	// Expired: exp is not after the virtual clock's now.
	Expired
	// NotYetValid: nbf (or iat) is after now.
	NotYetValid
)

// String names the kind, for decisions' reasons.
func (k TokenErrorKind) String() string {
	switch k {
	case Malformed:
		return "malformed token"
	case KeyUnavailable:
		return "issuer discovery or JWKS unreachable"
	case BadSignature:
		return "signature does not verify"
	case Expired:
		return "token is expired"
	case NotYetValid:
		return "token is not valid yet"
	}
	return "token refused"
}

// TokenError is a token refused by ParseUnverified or Verifier.Verify.
type TokenError struct {
	Kind   TokenErrorKind
	Detail string
	// Expiry and Now are set for Expired and NotYetValid (Expiry then
	// holds nbf or iat).
	Expiry, Now time.Time
}

func (e *TokenError) Error() string { return e.Detail }

// Kind is the TokenErrorKind of err, or 0 when err is no *TokenError.
func Kind(err error) TokenErrorKind {
	var te *TokenError
	if errors.As(err, &te) {
		return te.Kind
	}
	return 0
}

// Token is a parsed JWT: its registered claims and every claim as JSON
// decodes it.
type Token struct {
	Raw       string
	KeyID     string
	Issuer    string
	Subject   string
	Audience  []string
	Expiry    time.Time
	NotBefore time.Time
	IssuedAt  time.Time
	Claims    map[string]any
}

// MaxTokenBytes bounds the tokens ParseUnverified reads.
const MaxTokenBytes = 64 << 10

// ParseUnverified parses raw without checking its signature or times: a
// cloud first reads iss to find the identity provider it registered.
func ParseUnverified(raw string) (*Token, error) {
	if len(raw) > MaxTokenBytes {
		return nil, &TokenError{Kind: Malformed, Detail: fmt.Sprintf("the token is longer than %d bytes", MaxTokenBytes)}
	}
	msg, err := jws.Parse([]byte(raw), jws.WithCompact())
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, &TokenError{Kind: Malformed, Detail: "the token is not a signed JWT (compact JWS)"}
	}
	var claims map[string]any
	if err := json.Unmarshal(msg.Payload(), &claims); err != nil {
		return nil, &TokenError{Kind: Malformed, Detail: "the token's payload is not a JSON object"}
	}
	t, err := jwt.ParseInsecure([]byte(raw))
	if err != nil {
		return nil, &TokenError{Kind: Malformed, Detail: "the token's claims are not a JWT's: " + err.Error()}
	}
	tok := &Token{Raw: raw, KeyID: msg.Signatures()[0].ProtectedHeaders().KeyID(), Issuer: t.Issuer(), Subject: t.Subject(),
		Audience: t.Audience(), Expiry: t.Expiration(), NotBefore: t.NotBefore(), IssuedAt: t.IssuedAt(), Claims: claims}
	if tok.Issuer == "" {
		return nil, &TokenError{Kind: Malformed, Detail: "the token has no iss claim"}
	}
	if tok.Expiry.IsZero() {
		return nil, &TokenError{Kind: Malformed, Detail: "the token has no exp claim"}
	}
	return tok, nil
}

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	// HTTPClient fetches discovery documents and JWKS; nil means
	// http.DefaultClient. The emulator passes its in-process client, so
	// its own issuer is reached without a socket.
	HTTPClient *http.Client
	// Now is the virtual clock.
	Now func() time.Time
	// CacheTTL is how long an issuer's keys are reused (on the virtual
	// clock); 0 means DefaultKeyCacheTTL. A token whose kid is not in the
	// cached set fetches the keys again at once, so a rotation is seen.
	CacheTTL time.Duration
	// Leeway tolerates clock skew on exp, nbf and iat; 0 means none.
	Leeway time.Duration
}

// DefaultKeyCacheTTL is how long a Verifier reuses an issuer's JWKS.
const DefaultKeyCacheTTL = time.Minute

// maxDocumentBytes bounds a discovery document or JWKS.
const maxDocumentBytes = 1 << 20

// Verifier validates tokens against their issuers' published keys.
type Verifier struct {
	cfg   VerifierConfig
	mu    sync.Mutex
	cache map[string]cachedKeys
}

type cachedKeys struct {
	set     jwk.Set
	fetched time.Time
}

// NewVerifier returns a Verifier for cfg.
func NewVerifier(cfg VerifierConfig) *Verifier {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = DefaultKeyCacheTTL
	}
	return &Verifier{cfg: cfg, cache: map[string]cachedKeys{}}
}

// Verify checks tok's signature with the keys issuer publishes (its
// /.well-known/openid-configuration's jwks_uri) and its exp, nbf and iat
// on the virtual clock. tok.Issuer must equal issuer (trailing slashes
// aside). Errors are *TokenError.
func (v *Verifier) Verify(ctx context.Context, tok *Token, issuer string) error {
	if strings.TrimRight(tok.Issuer, "/") != strings.TrimRight(issuer, "/") {
		return &TokenError{Kind: Malformed, Detail: fmt.Sprintf("the token's iss %q is not %q", tok.Issuer, issuer)}
	}
	set, err := v.keys(ctx, issuer, tok.KeyID)
	if err != nil {
		return err
	}
	if _, err := jws.Verify([]byte(tok.Raw), jws.WithKeySet(set, jws.WithInferAlgorithmFromKey(true), jws.WithRequireKid(false))); err != nil {
		return &TokenError{Kind: BadSignature, Detail: "no key of " + issuer + "'s JWKS verifies the token's signature"}
	}
	now := v.cfg.Now()
	if !now.Before(tok.Expiry.Add(v.cfg.Leeway)) {
		return &TokenError{Kind: Expired, Detail: fmt.Sprintf("the token expired at %s (now %s)", tok.Expiry.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)), Expiry: tok.Expiry, Now: now}
	}
	for name, at := range map[string]time.Time{"nbf": tok.NotBefore, "iat": tok.IssuedAt} {
		if !at.IsZero() && at.After(now.Add(v.cfg.Leeway)) {
			return &TokenError{Kind: NotYetValid, Detail: fmt.Sprintf("the token's %s %s is after now %s", name, at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)), Expiry: at, Now: now}
		}
	}
	return nil
}

// keys returns issuer's key set, from the cache unless it is stale or
// lacks kid.
func (v *Verifier) keys(ctx context.Context, issuer, kid string) (jwk.Set, error) {
	now := v.cfg.Now()
	v.mu.Lock()
	c, ok := v.cache[issuer]
	v.mu.Unlock()
	if ok && now.Sub(c.fetched) < v.cfg.CacheTTL && now.Sub(c.fetched) >= 0 {
		if _, found := c.set.LookupKeyID(kid); found || kid == "" {
			return c.set, nil
		}
	}
	set, err := v.fetch(ctx, issuer)
	if err != nil {
		return nil, &TokenError{Kind: KeyUnavailable, Detail: err.Error()}
	}
	v.mu.Lock()
	v.cache[issuer] = cachedKeys{set: set, fetched: now}
	v.mu.Unlock()
	return set, nil
}

// Forget drops every cached key set (a cloud's Reset calls it).
func (v *Verifier) Forget() {
	v.mu.Lock()
	v.cache = map[string]cachedKeys{}
	v.mu.Unlock()
}

func (v *Verifier) fetch(ctx context.Context, issuer string) (jwk.Set, error) {
	discoveryURL := strings.TrimRight(issuer, "/") + "/.well-known/openid-configuration"
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	body, err := v.get(ctx, discoveryURL)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &disc); err != nil || disc.JWKSURI == "" {
		return nil, fmt.Errorf("%s is not an OpenID discovery document with a jwks_uri", discoveryURL)
	}
	body, err = v.get(ctx, disc.JWKSURI)
	if err != nil {
		return nil, err
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("%s is not a JWK set: %v", disc.JWKSURI, err)
	}
	return set, nil
}

func (v *Verifier) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", url, err)
	}
	resp, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	if len(body) > maxDocumentBytes {
		return nil, fmt.Errorf("GET %s: more than %d bytes", url, maxDocumentBytes)
	}
	return body, nil
}
