package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// state is the engine's persisted state: its config and roles.
type state struct {
	Config *tfConfig        `json:"config"`
	Roles  map[string]*role `json:"roles"`
}

// Snapshot encodes the engine's config and roles.
func (b *backend) Snapshot() (json.RawMessage, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return json.Marshal(state{Config: b.config, Roles: b.roles})
}

// Restore replaces the config and roles with a snapshot's; a role must
// be stored under its own (lower-case) name.
func (b *backend) Restore(raw json.RawMessage) error {
	var st state
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return fmt.Errorf("terraform state: %w", err)
	}
	if st.Roles == nil {
		st.Roles = map[string]*role{}
	}
	for name, r := range st.Roles {
		if r == nil || r.Name != name || name == "" {
			return errors.New("terraform state: a role is not stored under its name")
		}
	}
	b.mu.Lock()
	b.config, b.roles, b.client = st.Config, st.Roles, nil
	b.mu.Unlock()
	return nil
}
