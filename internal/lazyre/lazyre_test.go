package lazyre

import (
	"sync"
	"testing"
)

func TestRegexpCompilesOnFirstUse(t *testing.T) {
	re := New(`^(a+)-([0-9]{2})$`)
	if re.re != nil {
		t.Fatal("compiled before its first use")
	}
	if re.String() != `^(a+)-([0-9]{2})$` || re.re != nil {
		t.Fatalf("String() = %q, or it compiled", re.String())
	}
	tests := []struct {
		in   string
		want bool
	}{{"aa-12", true}, {"aa-1", false}, {"b-12", false}, {"", false}}
	for _, tt := range tests {
		if got := re.MatchString(tt.in); got != tt.want {
			t.Errorf("MatchString(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if m := re.FindStringSubmatch("aaa-42"); len(m) != 3 || m[1] != "aaa" || m[2] != "42" {
		t.Errorf("FindStringSubmatch = %q", m)
	}
	if got := New(`[^a-z]`).ReplaceAllString("a.b c", "-"); got != "a-b-c" {
		t.Errorf("ReplaceAllString = %q", got)
	}
}

func TestRegexpConcurrentFirstUse(t *testing.T) {
	re := New(`^x{3}$`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !re.MatchString("xxx") {
				t.Error("xxx did not match")
			}
		}()
	}
	wg.Wait()
}

func TestInvalidExpressionPanicsAtFirstUse(t *testing.T) {
	re := New(`(`)
	defer func() {
		if recover() == nil {
			t.Error("an invalid expression did not panic")
		}
	}()
	re.MatchString("x")
}
