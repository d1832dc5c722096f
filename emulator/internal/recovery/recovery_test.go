package recovery

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestGuard: a panic is logged and answered with the API's 500 unless the
// response was started; http.ErrAbortHandler is passed on.
func TestGuard(t *testing.T) {
	for _, tc := range []struct {
		name     string
		handler  func(w http.ResponseWriter)
		status   int
		body     string
		logged   bool
		repanics bool
	}{
		{"no panic", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }, http.StatusNoContent, "", false, false},
		{"panic first", func(http.ResponseWriter) { panic("boom") }, http.StatusInternalServerError, "api 500", true, false},
		{"panic after a write", func(w http.ResponseWriter) { _, _ = w.Write([]byte("part")); panic("boom") }, http.StatusOK, "part", true, false},
		{"aborted", func(http.ResponseWriter) { panic(http.ErrAbortHandler) }, http.StatusOK, "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			g := Guard{Log: slog.New(slog.NewTextHandler(&logs, nil)), Attrs: []any{"service", "test"},
				Write500: func(w http.ResponseWriter) {
					w.WriteHeader(http.StatusInternalServerError)
					_, _ = w.Write([]byte("api 500"))
				}}
			rec := httptest.NewRecorder()
			var repanicked any
			func() {
				defer func() { repanicked = recover() }()
				g.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { tc.handler(w) })).
					ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
			}()
			if (repanicked == http.ErrAbortHandler) != tc.repanics || (repanicked != nil && !tc.repanics) {
				t.Fatalf("re-panicked with %v", repanicked)
			}
			if rec.Code != tc.status || rec.Body.String() != tc.body {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body, tc.status, tc.body)
			}
			if got := strings.Contains(logs.String(), "panic serving request") && strings.Contains(logs.String(), "service=test"); got != tc.logged {
				t.Errorf("logged %v: %q", got, logs.String())
			}
		})
	}
}
