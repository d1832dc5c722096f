package jwtauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Snapshot encodes the method's config and roles.
func (b *backend) Snapshot() (json.RawMessage, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return json.Marshal(logical.ConfigAndRoles[config, role]{Config: b.config, Roles: b.roles})
}

// Restore replaces the config and roles with a snapshot's; static keys
// are parsed again from their PEM.
func (b *backend) Restore(raw json.RawMessage) error {
	st, err := logical.DecodeConfigAndRoles[config](raw, "jwt state", func(name string, _ *role) error {
		if name != strings.ToLower(name) {
			return errors.New("a role has no valid name")
		}
		return nil
	})
	if err != nil {
		return err
	}
	if c := st.Config; c != nil {
		for _, p := range c.JWTValidationPubKeys {
			k, err := parsePublicKeyPEM(p)
			if err != nil {
				return fmt.Errorf("jwt state: %w", err)
			}
			c.pubKeys = append(c.pubKeys, k)
		}
	}
	b.mu.Lock()
	b.config, b.roles, b.keys = st.Config, st.Roles, nil
	b.mu.Unlock()
	return nil
}
