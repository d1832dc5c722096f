package azure

import (
	"regexp"
	"strings"
	"testing"
)

// isGUID and isCredentialName agree with Entra's counted patterns.
func TestNamesAgreeWithCountedPatterns(t *testing.T) {
	guid := regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	cred := regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$`)
	for _, in := range []string{
		"00000000-0000-0000-0000-000000000000", "aBcDeF01-2345-6789-abcd-ABCDEF012345", "g0000000-0000-0000-0000-000000000000",
		"00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000", "00000000x0000-0000-0000-000000000000",
		"000000000-000-0000-0000-000000000000", "", "contoso.onmicrosoft.com",
	} {
		if got, want := isGUID(in), guid.MatchString(in); got != want {
			t.Errorf("isGUID(%q) = %v, want %v", in, got, want)
		}
	}
	for _, k := range []int{0, 1, 2, 3, 118, 119, 120, 121} {
		for _, in := range []string{strings.Repeat("a", k), "_" + strings.Repeat("a", k), "a" + strings.Repeat("-_", k/2), "a" + strings.Repeat(".", k)} {
			if got, want := isCredentialName(in), cred.MatchString(in); got != want {
				t.Errorf("isCredentialName(%q) = %v, want %v", in, got, want)
			}
		}
	}
}
