package identity

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

// BenchmarkRSASign is the raw limit: one RS256 signature with crypto/rsa on a
// key of the size the issuer uses. Compare BenchmarkMintToken against it.
func BenchmarkRSASign(b *testing.B) {
	key := sharedKey(b)
	digest := sha256.Sum256([]byte("header.payload of a typical token, about this long"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMintToken mints complete workspace-run tokens: claims, JSON,
// base64 and the RS256 signature.
func BenchmarkMintToken(b *testing.B) {
	i, _ := newTestIssuer(b)
	r := exampleRun
	r.Phase = PhasePlan
	b.ReportAllocs()
	for b.Loop() {
		if _, err := i.MintWorkspaceRun(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMintTokenParallel shows minting scales across cores: the key ring
// takes only a read lock.
func BenchmarkMintTokenParallel(b *testing.B) {
	i, _ := newTestIssuer(b)
	r := exampleRun
	r.Phase = PhaseApply
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := i.MintWorkspaceRun(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
