package clouds

import "testing"

func TestMadeOf(t *testing.T) {
	for _, tc := range []struct {
		s, set string
		want   bool
	}{
		{"abc", Lower, true},
		{"", Lower, false},
		{"aBc", Lower, false},
		{"a_B9", Word, true},
		{"a-b", Word, false},
		{"123", Digits, true},
		{"12é", Digits, false},
	} {
		if got := MadeOf(tc.s, tc.set); got != tc.want {
			t.Errorf("MadeOf(%q, %q) = %v, want %v", tc.s, tc.set, got, tc.want)
		}
	}
}
