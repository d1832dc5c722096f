package reqinfo

import (
	"context"
	"net/http/httptest"
	"testing"
)

type parentKey struct{}

// TestTrack checks that MarkUnmatched reaches the flag Track returned,
// that the tracked request keeps its parent context's values and
// cancellation, and that an untracked request is left alone.
func TestTrack(t *testing.T) {
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), parentKey{}, "parent"))
	r, flag := Track(httptest.NewRequest("GET", "/x", nil).WithContext(ctx))
	if *flag {
		t.Fatal("flag set before MarkUnmatched")
	}
	MarkUnmatched(r)
	if !*flag {
		t.Fatal("MarkUnmatched did not set the flag")
	}
	if v, _ := r.Context().Value(parentKey{}).(string); v != "parent" {
		t.Fatalf("parent value %q lost", v)
	}
	child, stop := context.WithCancel(r.Context())
	defer stop()
	cancel()
	<-child.Done()                                       // a context derived from the tracked one ends with its parent
	MarkUnmatched(httptest.NewRequest("GET", "/y", nil)) // untracked: nothing to set, no panic
}
