package routing

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// A Lazy handler is built once, by Warm or by the first of concurrent
// requests, and then serves every request.
func TestLazyBuildsOnce(t *testing.T) {
	var builds atomic.Int32
	l := NewLazy(func() http.Handler {
		builds.Add(1)
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	})
	if builds.Load() != 0 {
		t.Fatal("built before it was needed")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			l.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			if rec.Code != http.StatusTeapot {
				t.Errorf("status %d", rec.Code)
			}
		}()
	}
	wg.Wait()
	l.Warm()
	if n := builds.Load(); n != 1 {
		t.Fatalf("built %d times", n)
	}
}
