package emulator

import (
	"sync/atomic"

	"github.com/tfcemu/tfcemu/emulator/vault"
)

// countedVault is Vault as the state file sees it: its generation moves
// with Vault's own count and with every request the Vault listener
// served, counted by the middleware once the request is done. Vault's
// count misses requests it serves on its fast logical path without
// changing a token or lease (a secrets engine's config or role written),
// and a save that skipped Vault on an unchanged generation would lose
// them; the listener's count does not depend on how Vault routes.
type countedVault struct {
	*vault.Server
	served *atomic.Uint64
}

// Generation is Vault's count plus the Vault requests served.
func (v countedVault) Generation() uint64 { return v.Server.Generation() + v.served.Load() }
