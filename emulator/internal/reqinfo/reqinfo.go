// Package reqinfo lets a handler deep in a service tell the emulator's
// middleware that no route matched a request, for the request journal.
package reqinfo

import (
	"context"
	"net/http"
)

type key struct{}

// Track returns r carrying a flag that MarkUnmatched sets.
func Track(r *http.Request) (*http.Request, *bool) {
	c := &tracked{Context: r.Context()}
	return r.WithContext(c), &c.unmatched
}

// tracked is a context holding the flag itself, one allocation where
// context.WithValue and the flag are two; every other value is its
// parent's.
type tracked struct {
	context.Context
	unmatched bool
}

func (c *tracked) Value(k any) any {
	if k == (key{}) {
		return &c.unmatched
	}
	return c.Context.Value(k)
}

// MarkUnmatched records that no route served r.
func MarkUnmatched(r *http.Request) {
	if flag, ok := r.Context().Value(key{}).(*bool); ok {
		*flag = true
	}
}
