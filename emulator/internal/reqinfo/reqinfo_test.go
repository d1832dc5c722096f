package reqinfo

import (
	"context"
	"net/http"
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

// carrier is a writer carrying an Info; wrapper wraps a writer.
type carrier struct {
	http.ResponseWriter
	info *Info
}

func (c carrier) RequestInfo() *Info { return c.info }

type wrapper struct{ http.ResponseWriter }

func (w wrapper) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestMarkUnmatchedAt checks that the flag is set through a writer that
// carries an Info, directly or wrapped, and through the request's context
// when the writer carries none.
func TestMarkUnmatchedAt(t *testing.T) {
	rec := httptest.NewRecorder()
	var carried, tracked Info
	cases := []struct {
		name string
		w    http.ResponseWriter
		want *Info
	}{
		{"carrier", carrier{rec, &carried}, &carried},
		{"wrapped carrier", wrapper{wrapper{carrier{rec, &carried}}}, &carried},
		{"carrier without an Info", carrier{rec, nil}, &tracked},
		{"plain writer", rec, &tracked},
		{"wrapped plain writer", wrapper{rec}, &tracked},
	}
	for _, c := range cases {
		carried, tracked = Info{}, Info{}
		r := tracked.Track(httptest.NewRequest("GET", "/x", nil), nil)
		MarkUnmatchedAt(c.w, r)
		if !c.want.Unmatched() || carried.Unmatched() && tracked.Unmatched() {
			t.Errorf("%s: carried %v, tracked %v", c.name, carried.Unmatched(), tracked.Unmatched())
		}
	}
	MarkUnmatchedAt(rec, httptest.NewRequest("GET", "/y", nil)) // neither: nothing to set, no panic
}
