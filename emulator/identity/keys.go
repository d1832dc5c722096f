package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// KeyBits is the size of generated signing keys, as TFC's published keys.
const KeyBits = 2048

// signingKey is one RSA key with its RFC 7638 thumbprint as kid.
type signingKey struct {
	kid    string
	priv   *rsa.PrivateKey
	public jwk.Key
	// pem is priv encoded, once (a state file save snapshots the ring).
	pem     []byte
	pemErr  error
	pemOnce sync.Once
}

// privatePEM is the key's PKCS #8 PEM, encoded the first time.
func (k *signingKey) privatePEM() ([]byte, error) {
	k.pemOnce.Do(func() { k.pem, k.pemErr = EncodePrivateKeyPEM(k.priv) })
	return k.pem, k.pemErr
}

func newSigningKey(priv *rsa.PrivateKey) (*signingKey, error) {
	pub, err := jwk.FromRaw(priv.Public())
	if err != nil {
		return nil, fmt.Errorf("identity: import public key: %w", err)
	}
	if err := jwk.AssignKeyID(pub); err != nil {
		return nil, fmt.Errorf("identity: key thumbprint: %w", err)
	}
	for k, v := range map[string]any{jwk.AlgorithmKey: jwa.RS256, jwk.KeyUsageKey: "sig"} {
		if err := pub.Set(k, v); err != nil {
			return nil, fmt.Errorf("identity: set %s: %w", k, err)
		}
	}
	kid := pub.KeyID()
	return &signingKey{kid: kid, priv: priv, public: pub}, nil
}

// keyRing holds the issuer's keys. The newest key signs; every key stays in
// the JWKS so tokens signed before a rotation still verify.
type keyRing struct {
	mu   sync.RWMutex
	keys []*signingKey
	// gen counts the ring's changes (Issuer.Generation).
	gen atomic.Uint64
}

func (r *keyRing) active() *signingKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.keys[len(r.keys)-1]
}

func (r *keyRing) add(k *signingKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = append(r.keys, k)
	r.gen.Add(1)
}

// reset keeps only the first key, the one the issuer started with.
func (r *keyRing) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = r.keys[:1:1]
	r.gen.Add(1)
}

func (r *keyRing) jwks() ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := jwk.NewSet()
	for _, k := range r.keys {
		if err := set.AddKey(k.public); err != nil {
			return nil, err
		}
	}
	return json.Marshal(set)
}

func (r *keyRing) kids() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, len(r.keys))
	for i, k := range r.keys {
		out[i] = k.kid
	}
	return out
}

// GenerateKey makes a fresh RSA signing key of KeyBits bits.
func GenerateKey() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, KeyBits)
}

// ParsePrivateKeyPEM reads an RSA private key in PKCS#1 ("RSA PRIVATE KEY")
// or PKCS#8 ("PRIVATE KEY") PEM form, as --signing-key accepts.
func ParsePrivateKeyPEM(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("identity: signing key: no PEM block found")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("identity: signing key is %T, want RSA (TFC signs RS256)", k)
		}
		return rk, nil
	default:
		return nil, fmt.Errorf("identity: signing key: unsupported PEM block %q", block.Type)
	}
}

// EncodePrivateKeyPEM writes key as a PKCS#8 PEM block.
func EncodePrivateKeyPEM(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// keySnapshot is the persisted form of the key ring: PEM keys, oldest first.
type keySnapshot struct {
	Keys []string `json:"keys"`
}

// Snapshot returns the key ring, private keys included, for --state-file.
func (i *Issuer) Snapshot() (json.RawMessage, error) {
	i.ring.mu.RLock()
	defer i.ring.mu.RUnlock()
	var s keySnapshot
	for _, k := range i.ring.keys {
		p, err := k.privatePEM()
		if err != nil {
			return nil, err
		}
		s.Keys = append(s.Keys, string(p))
	}
	return json.Marshal(s)
}

// Restore replaces the key ring with a snapshot, so tokens issued before a
// restart still verify.
func (i *Issuer) Restore(raw json.RawMessage) error {
	var s keySnapshot
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	if len(s.Keys) == 0 {
		return errors.New("identity: snapshot has no keys")
	}
	keys := make([]*signingKey, 0, len(s.Keys))
	for _, p := range s.Keys {
		priv, err := ParsePrivateKeyPEM([]byte(p))
		if err != nil {
			return err
		}
		k, err := newSigningKey(priv)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	i.ring.mu.Lock()
	i.ring.keys = keys
	i.ring.gen.Add(1)
	i.ring.mu.Unlock()
	return nil
}

// Generation counts the key ring's changes (a rotation, a reset, a
// restore): while it stays the same, so does Snapshot's document, and the
// state file does not take it again.
func (i *Issuer) Generation() uint64 { return i.ring.gen.Load() }
