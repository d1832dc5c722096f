// Package ids makes the identifiers and secrets TFC and Vault hand out, in
// their real formats: a type prefix and 16 base62 characters for resource IDs
// (ws-, run-, at-, ...), <14>.atlasv1.<67> for TFC API tokens, hvs.<24> for
// Vault service tokens.
package ids

import (
	"crypto/rand"
	"math/big"
	"regexp"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Pattern matches an ID made by New, whatever its prefix.
var Pattern = regexp.MustCompile(`^[a-z]+-[0-9A-Za-z]{16}$`)

// TokenPattern matches a TFC API token secret.
var TokenPattern = regexp.MustCompile(`^[0-9A-Za-z]{14}\.atlasv1\.[0-9A-Za-z]{67}$`)

// Random returns n characters drawn uniformly from the base62 alphabet using
// crypto/rand.
func Random(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(base62)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			// crypto/rand never fails on supported platforms (Go 1.24+ crashes
			// the program instead), so this is unreachable.
			panic(err)
		}
		b[i] = base62[v.Int64()]
	}
	return string(b)
}

// New returns prefix + "-" + 16 base62 characters, e.g. New("ws") = "ws-Ab3...".
func New(prefix string) string { return prefix + "-" + Random(16) }

// TokenSecret returns a TFC API token secret: 14 characters, ".atlasv1.", 67 characters.
func TokenSecret() string { return Random(14) + ".atlasv1." + Random(67) }
