package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestScriptNeverParsesDataAsHTML guards the page's escaping rule: values
// go in as text nodes, so the script uses none of the DOM's HTML parsers.
func TestScriptNeverParsesDataAsHTML(t *testing.T) {
	b, err := files.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "document.cookie"} {
		if strings.Contains(string(b), sink) {
			t.Errorf("app.js uses %s", sink)
		}
	}
}

func TestHandler(t *testing.T) {
	h := Handler("/_emulator/ui")
	for _, tc := range []struct {
		path   string
		status int
		ct     string
	}{
		{"/_emulator/ui", 200, "text/html"},
		{"/_emulator/ui/", 200, "text/html"},
		{"/_emulator/ui/app.js", 200, "text/javascript"},
		{"/_emulator/ui/app.css", 200, "text/css"},
		{"/_emulator/ui/ui.go", 404, "application/json"},
		{"/_emulator/ui/static/app.js", 404, "application/json"},
		{"/_emulator/ui/x\"y.js", 404, "application/json"},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "http://x"+strings.ReplaceAll(tc.path, `"`, "%22"), nil))
		if w.Code != tc.status || !strings.HasPrefix(w.Header().Get("Content-Type"), tc.ct) {
			t.Errorf("GET %s: %d %s, want %d %s", tc.path, w.Code, w.Header().Get("Content-Type"), tc.status, tc.ct)
		}
		if tc.status == 200 && w.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: no CSP", tc.path)
		}
	}
	if !IsShell("/_emulator/ui", httptest.NewRequest("GET", "/_emulator/ui/app.js", nil)) ||
		IsShell("/_emulator/ui", httptest.NewRequest(http.MethodPost, "/_emulator/ui", nil)) ||
		IsShell("/_emulator/ui", httptest.NewRequest("GET", "/_emulator/uix", nil)) {
		t.Error("IsShell")
	}
}
