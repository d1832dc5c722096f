package logical

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ConfigAndRoles is the persisted state of a backend that holds a config
// and named roles (the terraform engine, the jwt method).
type ConfigAndRoles[C, R any] struct {
	Config *C            `json:"config"`
	Roles  map[string]*R `json:"roles"`
}

// DecodeConfigAndRoles reads a backend's snapshot strictly (unknown fields
// are refused), makes a missing role map empty, and has check vet each
// role under its name; errors are prefixed with label ("jwt state").
func DecodeConfigAndRoles[C, R any](raw json.RawMessage, label string, check func(name string, r *R) error) (ConfigAndRoles[C, R], error) {
	var st ConfigAndRoles[C, R]
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return st, fmt.Errorf("%s: %w", label, err)
	}
	if st.Roles == nil {
		st.Roles = map[string]*R{}
	}
	for name, r := range st.Roles {
		if r == nil || name == "" {
			return st, fmt.Errorf("%s: a role has no valid name", label)
		}
		if err := check(name, r); err != nil {
			return st, fmt.Errorf("%s: %w", label, err)
		}
	}
	return st, nil
}
