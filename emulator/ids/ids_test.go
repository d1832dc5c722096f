package ids

import (
	"strings"
	"testing"
)

func TestFormats(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := New("ws")
		if !Pattern.MatchString(id) || id[:3] != "ws-" || strings.ContainsAny(id[3:], "0OIl") {
			t.Fatalf("New(ws) = %q, not a TFC ID", id)
		}
		if seen[id] {
			t.Fatalf("New returned %q twice", id)
		}
		seen[id] = true
	}
	if s := TokenSecret(); !TokenPattern.MatchString(s) {
		t.Fatalf("TokenSecret() = %q, not <14>.atlasv1.<67>", s)
	}
}

func TestPattern(t *testing.T) {
	for id, want := range map[string]bool{
		"ws-mbsd5E3Ktt5Rg2Xm":  true,
		"ou-123456789ABCDEFG":  true,
		"ws-0bsd5E3Ktt5Rg2Xm":  false, // 0 is not base58
		"ws-Obsd5E3Ktt5Rg2Xm":  false,
		"ws-Ibsd5E3Ktt5Rg2Xm":  false,
		"ws-lbsd5E3Ktt5Rg2Xm":  false,
		"ws-mbsd5E3Ktt5Rg2X":   false, // 15 characters
		"ws-mbsd5E3Ktt5Rg2Xmm": false,
		"user-12345abcde":      false,
		"WS-mbsd5E3Ktt5Rg2Xm":  false,
	} {
		if got := Pattern.MatchString(id); got != want {
			t.Errorf("Pattern(%q) = %v, want %v", id, got, want)
		}
	}
}

// draw is uniform over its alphabet: every character comes up about as
// often as the others (each within 20% of its expected count: more than
// nine standard deviations).
func TestDrawIsUniform(t *testing.T) {
	for _, alphabet := range []string{base58, base62} {
		const per = 2000
		counts := map[rune]int{}
		for _, c := range draw(alphabet, per*len(alphabet)) {
			counts[c]++
		}
		if len(counts) != len(alphabet) {
			t.Fatalf("%d distinct characters drawn from %d", len(counts), len(alphabet))
		}
		for c, n := range counts {
			if !strings.ContainsRune(alphabet, c) || n < per*8/10 || n > per*12/10 {
				t.Errorf("%q drawn %d times, want about %d", c, n, per)
			}
		}
	}
}
