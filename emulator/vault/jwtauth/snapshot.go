package jwtauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// state is the method's persisted state: its config and roles.
type state struct {
	Config *config          `json:"config"`
	Roles  map[string]*role `json:"roles"`
}

// Snapshot encodes the method's config and roles.
func (b *backend) Snapshot() (json.RawMessage, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return json.Marshal(state{Config: b.config, Roles: b.roles})
}

// Restore replaces the config and roles with a snapshot's; static keys
// are parsed again from their PEM.
func (b *backend) Restore(raw json.RawMessage) error {
	var st state
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return fmt.Errorf("jwt state: %w", err)
	}
	if st.Roles == nil {
		st.Roles = map[string]*role{}
	}
	for name, r := range st.Roles {
		if r == nil || name == "" || name != strings.ToLower(name) {
			return errors.New("jwt state: a role has no valid name")
		}
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
