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
	flag := new(bool)
	return r.WithContext(context.WithValue(r.Context(), key{}, flag)), flag
}

// MarkUnmatched records that no route served r.
func MarkUnmatched(r *http.Request) {
	if flag, ok := r.Context().Value(key{}).(*bool); ok {
		*flag = true
	}
}
