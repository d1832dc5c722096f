package reqinfo

import (
	"context"
	"net/http/httptest"
	"reflect"
	"testing"
)

type parentKey struct{}

// TestTrack checks that MarkUnmatched reaches the Info that tracks the
// request, that the tracked request keeps its parent context's values and
// cancellation, and that an untracked request is left alone.
func TestTrack(t *testing.T) {
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), parentKey{}, "parent"))
	var info Info
	r := info.Track(httptest.NewRequest("GET", "/x", nil).WithContext(ctx), nil)
	if info.Unmatched() {
		t.Fatal("flag set before MarkUnmatched")
	}
	MarkUnmatched(r)
	if !info.Unmatched() {
		t.Fatal("MarkUnmatched did not set the flag")
	}
	if v, _ := r.Context().Value(parentKey{}).(string); v != "parent" {
		t.Fatalf("parent value %q lost", v)
	}
	Note(r, "dropped") // tracked without notes: nothing to add to, no panic
	child, stop := context.WithCancel(r.Context())
	defer stop()
	cancel()
	<-child.Done()                                       // a context derived from the tracked one ends with its parent
	MarkUnmatched(httptest.NewRequest("GET", "/y", nil)) // untracked: nothing to set, no panic
	Note(httptest.NewRequest("GET", "/y", nil), "x")     // likewise
}

// TestNotes checks that Note adds to the Notes the request is tracked
// with, in order, through a context derived from the tracked one, and
// that an Info tracked again starts over.
func TestNotes(t *testing.T) {
	var info Info
	var notes Notes
	r := info.Track(httptest.NewRequest("GET", "/x", nil), &notes)
	Note(r, "one")
	Note(r.WithContext(context.WithValue(r.Context(), parentKey{}, 1)), "two")
	MarkUnmatched(r)
	if got := notes.List(); !reflect.DeepEqual(got, []string{"one", "two"}) || !info.Unmatched() {
		t.Fatalf("notes %q, unmatched %v", got, info.Unmatched())
	}
	info.Track(httptest.NewRequest("GET", "/y", nil), nil)
	if info.Unmatched() {
		t.Fatal("a new Track kept the old flag")
	}
	if (*Notes)(nil).List() != nil {
		t.Fatal("nil notes list something")
	}
}
