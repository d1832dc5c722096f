package aws

import (
	"regexp"
	"strings"
	"testing"
)

// The role and account checks agree with IAM's documented patterns.
func TestNamesAgreeWithIAMPatterns(t *testing.T) {
	role := regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	account := regexp.MustCompile(`^\d{12}$`)
	for _, in := range []string{"", "a", "my-role_1+=,.@", strings.Repeat("r", 64), strings.Repeat("r", 65), "role/x", "rôle", "a b",
		"123456789012", "12345678901", "1234567890123", "12345678901a"} {
		if got, want := isRoleName(in), role.MatchString(in); got != want {
			t.Errorf("role name %q: %v, IAM's pattern says %v", in, got, want)
		}
		if got, want := isAccountID(in), account.MatchString(in); got != want {
			t.Errorf("account %q: %v, the pattern says %v", in, got, want)
		}
	}
}
