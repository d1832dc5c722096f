package identity

import (
	"encoding/json"
	"net/http"

	"github.com/tfcemu/tfcemu/emulator/internal/routing"
)

// Routes is the issuer's route table: its well-known documents. fail
// writes a document that could not be built (a bug) in the error format of
// the listener the issuer is served on.
func (i *Issuer) Routes(fail func(http.ResponseWriter, error)) []routing.Route {
	serve := func(build func() ([]byte, error)) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			body, err := build()
			if err != nil {
				fail(w, err)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = w.Write(body)
		})
	}
	return []routing.Route{
		{Method: http.MethodGet, Path: DiscoveryPath, Handler: serve(func() ([]byte, error) { return json.Marshal(i.Discovery()) })},
		{Method: http.MethodGet, Path: JWKSPath, Handler: serve(i.JWKS)},
	}
}
