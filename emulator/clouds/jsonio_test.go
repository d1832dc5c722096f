package clouds

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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

func TestBase(t *testing.T) {
	now := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	b := NewBase(BaseConfig{Cloud: "gcp", Now: func() time.Time { return now }, Issuer: func() string { return "https://issuer.example" }})
	if got := b.ResolveIssuer(IssuerPlaceholder); got != "https://issuer.example" {
		t.Errorf("placeholder resolves to %q", got)
	}
	if got := b.ResolveIssuer("https://other.example"); got != "https://other.example" {
		t.Errorf("a URL resolves to %q", got)
	}
	b.Record(nil, Decision{Action: "sts.token"})
	if ds := b.Decisions(); len(ds) != 1 || ds[0].Cloud != "gcp" || !ds[0].Time.Equal(now) || ds[0].Reasons == nil {
		t.Fatalf("decisions = %+v", ds)
	}
	b.Forget()
	if len(b.Decisions()) != 0 {
		t.Fatal("Forget kept decisions")
	}
	if (&Base{cfg: BaseConfig{}}).ResolveIssuer(IssuerPlaceholder) != IssuerPlaceholder {
		t.Error("no Issuer func: the placeholder should stay")
	}
}
