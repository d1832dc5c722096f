package identity

import (
	"encoding/json"
	"net/http"
)

// Register adds the issuer's well-known routes to mux.
func (i *Issuer) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+DiscoveryPath, i.serveDiscovery)
	mux.HandleFunc("GET "+JWKSPath, i.serveJWKS)
}

func (i *Issuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	body, err := json.Marshal(i.Discovery())
	writeJSON(w, body, err)
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	body, err := i.JWKS()
	writeJSON(w, body, err)
}

func writeJSON(w http.ResponseWriter, body []byte, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}
