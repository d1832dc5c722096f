package terraform

import (
	_ "embed"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// openAPIDocs are the OpenAPI documents Vault 1.21.0's framework generates
// for the engine's help: "" for the whole backend, else by route. They do
// not depend on the mount path, so they are kept as Vault answered them.
//
//go:embed openapi.json
var openAPIDocs []byte

var openAPI = logical.MustDocs(openAPIDocs)
