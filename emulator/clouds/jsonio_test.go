package clouds

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeStrict(t *testing.T) {
	type doc struct{ A int }
	cases := []struct{ raw, want string }{
		{`{"A":1}`, ""},
		{`{"A":1,"B":2}`, `unknown field "B"`},
		{`{"A":1} {}`, "trailing data"},
		{`{`, "malformed JSON body"},
	}
	for _, tc := range cases {
		var d doc
		err := DecodeStrict([]byte(tc.raw), &d)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: err = %v, want %q", tc.raw, err, tc.want)
		}
	}
	var d doc
	r := httptest.NewRequest("PUT", "/", strings.NewReader(`{"A":12345}`))
	if err := ReadStrict(r, 5, &d); err == nil || !strings.Contains(err.Error(), "over 5 bytes") {
		t.Errorf("over the limit: %v", err)
	}
}

func TestWriteJSON(t *testing.T) {
	cases := []struct {
		status  int
		body    any
		newline bool
		want    string
		code    int
	}{
		{200, map[string]string{"a": "<b>"}, true, "{\"a\":\"<b>\"}\n", 200},
		{400, map[string]string{"a": "b"}, false, `{"a":"b"}`, 400},
		{204, map[string]string{"a": "b"}, true, "", 204},
		{200, func() {}, false, `{"error":"x"}`, http.StatusInternalServerError},
	}
	for _, tc := range cases {
		w := httptest.NewRecorder()
		WriteJSON(w, tc.status, tc.body, `{"error":"x"}`, tc.newline)
		if w.Code != tc.code || w.Body.String() != tc.want {
			t.Errorf("%d %v: got %d %q, want %d %q", tc.status, tc.body, w.Code, w.Body.String(), tc.code, tc.want)
		}
	}
}
