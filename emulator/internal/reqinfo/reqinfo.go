// Package reqinfo lets a handler deep in a service tell the emulator's
// middleware about a request, for the request journal: that no route
// matched it, and notes (a cloud's decision).
package reqinfo

import (
	"context"
	"net/http"
)

type key struct{}

// Info is what a request's handlers tell the middleware. It is the
// request's context itself, wrapping the request's own, so all of it
// travels as one context value (every other value is its parent's), and
// the middleware may keep it in a struct of its own: one allocation for
// all the middleware keeps per request.
type Info struct {
	context.Context
	unmatched bool
	notes     *Notes
}

// Track makes i the context of a copy of r, which it returns, with r's
// context as i's parent: MarkUnmatched on it sets i's flag, and Note adds
// to notes unless notes is nil.
func (i *Info) Track(r *http.Request, notes *Notes) *http.Request {
	i.Context, i.unmatched, i.notes = r.Context(), false, notes
	return r.WithContext(i)
}

// Value is i for the package's key, else the parent's value.
func (i *Info) Value(k any) any {
	if k == (key{}) {
		return i
	}
	return i.Context.Value(k)
}

// Unmatched reports whether a handler called MarkUnmatched.
func (i *Info) Unmatched() bool { return i.unmatched }

// MarkUnmatched records that no route served r; on a request no Info
// tracks it does nothing.
func MarkUnmatched(r *http.Request) {
	if i, ok := r.Context().Value(key{}).(*Info); ok {
		i.unmatched = true
	}
}

// Carrier is a ResponseWriter that carries its request's Info (the
// middleware's writer): a listener whose handlers all mark through the
// writer (MarkUnmatchedAt) needs no request copy to carry it.
type Carrier interface {
	http.ResponseWriter
	RequestInfo() *Info
}

// MarkUnmatchedAt records that no route served r: through w when w, or a
// writer it wraps (Unwrap, as http.ResponseController follows), is a
// Carrier with an Info, else as MarkUnmatched does.
func MarkUnmatchedAt(w http.ResponseWriter, r *http.Request) {
	for w != nil {
		if c, ok := w.(Carrier); ok {
			if i := c.RequestInfo(); i != nil {
				i.unmatched = true
				return
			}
			break
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	MarkUnmatched(r)
}
