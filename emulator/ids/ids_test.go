package ids

import "testing"

func TestFormats(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := New("ws")
		if !Pattern.MatchString(id) || id[:3] != "ws-" {
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
