package terraform

import (
	_ "embed"
	"encoding/json"
)

// openAPIDocs are the OpenAPI documents Vault 1.21.0's framework generates
// for the engine's help: "" for the whole backend, else by route. They do
// not depend on the mount path, so they are kept as Vault answered them.
//
//go:embed openapi.json
var openAPIDocs []byte

var openAPI = mustDocs(openAPIDocs)

func mustDocs(b []byte) map[string]json.RawMessage {
	docs := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &docs); err != nil {
		panic(err)
	}
	return docs
}
