package clouds

import "strings"

// Character sets of the clouds' names and identifiers, for MadeOf.
const (
	Digits = "0123456789"
	Lower  = "abcdefghijklmnopqrstuvwxyz"
	Upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	// Word is regexp's \w.
	Word = Digits + Lower + Upper + "_"
)

// MadeOf reports whether s is one or more of the bytes in set. The
// clouds check their names' characters with it instead of a regular
// expression, which a start would have to compile.
func MadeOf(s, set string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}
