// Command vault is HashiCorp Vault's own main, built from the Go module
// proxy so that tests can run a real Vault server and the real vault CLI
// where no image can be pulled. scripts/vault-image.sh builds it; this
// directory is its own module (go.mod is written by the script) and is not
// part of tfcemu. Vault is BUSL-licensed: it is built on the user's machine
// for tests, and tfcemu ships no Vault binary.
package main

import (
	"os"

	"github.com/hashicorp/vault/command"
)

func main() { os.Exit(command.Run(os.Args[1:])) }
