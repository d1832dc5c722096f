// Package ids makes the identifiers and secrets TFC and Vault hand out, in
// their real formats: a type prefix and 16 base58 characters for resource
// IDs (ws-, run-, at-, ...), <14>.atlasv1.<67> for TFC API tokens, hvs.<24>
// for Vault service tokens.
package ids

import (
	"crypto/rand"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

const (
	base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	// base58 is Bitcoin's alphabet, the one TFC's ids are drawn from: no
	// 0, O, I or l.
	base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
)

// Pattern matches an ID in TFC's form, as New makes it, whatever its prefix.
var Pattern = lazyre.New(`^[a-z]+-[1-9A-HJ-NP-Za-km-z]{16}$`)

// TokenPattern matches a TFC API token secret.
var TokenPattern = lazyre.New(`^[0-9A-Za-z]{14}\.atlasv1\.[0-9A-Za-z]{67}$`)

// Random returns n characters drawn uniformly from the base62 alphabet using
// crypto/rand.
func Random(n int) string { return draw(base62, n) }

// draw returns n characters drawn uniformly from alphabet (at most 256
// characters) with crypto/rand: random bytes in batches, each byte below
// the largest multiple of the alphabet's size taken modulo it, the others
// dropped (rejection sampling, so no character is likelier than another).
func draw(alphabet string, n int) string {
	k := len(alphabet)
	limit := 256 - 256%k
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		rand.Read(buf) // never fails (Go 1.24+ crashes the program instead)
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%k])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

// New returns prefix + "-" + 16 base58 characters, e.g. New("ws") =
// "ws-Ab3...", as TFC makes its ids.
func New(prefix string) string { return prefix + "-" + draw(base58, 16) }

// TokenSecret returns a TFC API token secret: 14 characters, ".atlasv1.", 67 characters.
func TokenSecret() string { return Random(14) + ".atlasv1." + Random(67) }
