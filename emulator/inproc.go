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
	h := t.e.handlerFor(r.URL.Host)
	if h == nil {
		return t.next.RoundTrip(r)
	}
	rec := httptest.NewRecorder()
	// The handler sees the request as if it had arrived on the listener.
	in := r.Clone(r.Context())
	in.RequestURI = r.URL.RequestURI()
	if in.Body == nil {
		in.Body = http.NoBody
	}
	h.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// handlerFor returns the emulator's handler for host: its TFC (external
// URL, issuer, app.terraform.io) or its Vault; nil for anyone else.
func (e *Emulator) handlerFor(host string) http.Handler {
	info := e.Info()
	matches := func(u string) bool {
		p, err := url.Parse(u)
		return err == nil && p.Host != "" && strings.EqualFold(p.Host, host)
	}
	for _, u := range []string{ProductionTFC, info.TFCURL, info.Issuer} {
		if matches(u) {
			return e.tfcInternal
		}
	}
	if matches(info.VaultURL) {
		return e.vaultInternal
	}
	return nil
}

// httpClient is what the emulated Vault uses to reach TFC and issuers.
func (e *Emulator) httpClient() *http.Client {
	return &http.Client{Transport: &inprocTransport{e: e, next: http.DefaultTransport}}
}
