// Package recovery is the one place the emulator recovers a handler's
// panic: it logs it and answers the API's own 500 document, unless the
// response was already started. Each API keeps its 500 body; the emulator's
// middleware and a service served on its own (TFC's) share the recovery.
package recovery

import (
	"fmt"
	"log/slog"
	"net/http"
)

// Started is a response writer that reports whether its response was
// started (a status or body written).
type Started interface {
	http.ResponseWriter
	Started() bool
}

// Guard is how one API answers a panic in its handlers.
type Guard struct {
	Log      *slog.Logger
	Attrs    []any                       // logged with each panic, e.g. "service", "tfc"
	Write500 func(w http.ResponseWriter) // the API's 500 document
}

// Recover, deferred directly by a handler (defer g.Recover(w, r, nil)),
// recovers a panic in it: it logs the panic and, unless w's response was
// started, answers g.Write500. A panic with http.ErrAbortHandler, a
// deliberately dropped connection (what a client of the real service sees
// there), is passed on for net/http to abort the connection, after
// onAbort, if not nil, is called.
func (g Guard) Recover(w Started, r *http.Request, onAbort func()) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		if onAbort != nil {
			onAbort()
		}
		panic(p)
	}
	attrs := append([]any{"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p)}, g.Attrs...)
	g.Log.Error("panic serving request", attrs...)
	if !w.Started() {
		g.Write500(w)
	}
}

// Writer records whether a response was started, for a handler whose
// writer does not say.
type Writer struct {
	http.ResponseWriter
	started bool
}

// Started reports whether the response was started.
func (w *Writer) Started() bool { return w.started }

// WriteHeader records the start and writes the status.
func (w *Writer) WriteHeader(code int) {
	w.started = true
	w.ResponseWriter.WriteHeader(code)
}

// Write records the start and writes b.
func (w *Writer) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

// Handler wraps next with g's recovery.
func (g Guard) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &Writer{ResponseWriter: w}
		defer g.Recover(sw, r, nil)
		next.ServeHTTP(sw, r)
	})
}
