package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// ProductionTFC is the address real clients default to; the emulator
// serves it in-process, so the Vault engine's default address works.
const ProductionTFC = "https://app.terraform.io"

// inprocTransport serves requests to the emulator's own TFC (its external
// URL, its issuer, and app.terraform.io) through its handler without a
// socket; every other address is called for real.
type inprocTransport struct {
	e    *Emulator
	next http.RoundTripper
}

func (t *inprocTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.e.ownsHost(r.URL.Host) {
		return t.next.RoundTrip(r)
	}
	rec := httptest.NewRecorder()
	// The handler sees the request as if it had arrived on the listener.
	in := r.Clone(r.Context())
	in.RequestURI = r.URL.RequestURI()
	if in.Body == nil {
		in.Body = http.NoBody
	}
	t.e.tfcHandler.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// ownsHost reports whether host is the emulator's TFC.
func (e *Emulator) ownsHost(host string) bool {
	info := e.Info()
	for _, u := range []string{ProductionTFC, info.TFCURL, info.Issuer} {
		if p, err := url.Parse(u); err == nil && p.Host != "" && strings.EqualFold(p.Host, host) {
			return true
		}
	}
	return false
}

// httpClient is what the emulated Vault uses to reach TFC and issuers.
func (e *Emulator) httpClient() *http.Client {
	return &http.Client{Transport: &inprocTransport{e: e, next: http.DefaultTransport}}
}
