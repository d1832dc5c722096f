package routing

import (
	"net/http"
	"sync"
)

// Lazy is a handler built by its first request or by Warm, whichever
// comes first: a router's rows compile a regexp each, and a start that
// built them all before it listened was slower to be ready by that much.
type Lazy struct {
	once  sync.Once
	build func() http.Handler
	h     http.Handler
}

// NewLazy returns a handler that build makes when it is first needed.
func NewLazy(build func() http.Handler) *Lazy { return &Lazy{build: build} }

// Handler returns the handler, building it on the first call.
func (l *Lazy) Handler() http.Handler {
	l.once.Do(func() { l.h = l.build() })
	return l.h
}

// Warm builds the handler now (the emulator calls it in the background
// once its listeners are up), so the first request does not wait.
func (l *Lazy) Warm() { l.Handler() }

// ServeHTTP serves r with the handler, built first if need be.
func (l *Lazy) ServeHTTP(w http.ResponseWriter, r *http.Request) { l.Handler().ServeHTTP(w, r) }
