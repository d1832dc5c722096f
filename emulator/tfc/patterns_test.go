package tfc

import (
	"testing"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// The validation patterns compile on first use, not at init: each must
// still compile and keep its meaning.
func TestLazyPatterns(t *testing.T) {
	for _, tc := range []struct {
		name      string
		re        *lazyre.Regexp
		good, bad string
	}{
		{"AgentVersionPattern", AgentVersionPattern, "1.2.3", "1.2"},
		{"namePattern", namePattern, "my-org_1", "my org"},
		{"autoDestroyDuration", autoDestroyDuration, "14d", "14m"},
		{"moduleNamePattern", moduleNamePattern, "vpc", "v/pc"},
		{"variableKey", variableKey, "region", "1region"},
		{"tagKey", tagKey, "env:prod", "env prod"},
		{"tagName", tagName, "prod", "-prod"},
		{"terraformKey", terraformKey, "region", "re gion"},
		{"envKey", envKey, "AWS_REGION", "A=B"},
		{"terraformVersion", terraformVersion, "~> 1.6", "one"},
	} {
		if !tc.re.MatchString(tc.good) || tc.re.MatchString(tc.bad) {
			t.Errorf("%s: %q should match and %q not", tc.name, tc.good, tc.bad)
		}
	}
}
