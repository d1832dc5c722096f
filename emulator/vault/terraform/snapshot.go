package terraform

import (
	"encoding/json"
	"errors"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Snapshot encodes the engine's config and roles.
func (b *backend) Snapshot() (json.RawMessage, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return json.Marshal(logical.ConfigAndRoles[tfConfig, role]{Config: b.config, Roles: b.roles})
}

// Restore replaces the config and roles with a snapshot's; a role must
// be stored under its own (lower-case) name.
func (b *backend) Restore(raw json.RawMessage) error {
	st, err := logical.DecodeConfigAndRoles[tfConfig](raw, "terraform state", func(name string, r *role) error {
		if r.Name != name {
			return errors.New("a role is not stored under its name")
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.config, b.roles, b.client = st.Config, st.Roles, nil
	b.mu.Unlock()
	return nil
}
