package tfc

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// StateVersionOutput is one root module output of a state version.
type StateVersionOutput struct {
	ID           string
	Name         string
	Sensitive    bool
	Type         json.RawMessage // Terraform's type constraint, e.g. ["list","string"]
	Value        json.RawMessage
	StateVersion string
}

type svoAttributes struct {
	Name         string          `json:"name"`
	Sensitive    bool            `json:"sensitive"`
	Type         string          `json:"type"`
	Value        json.RawMessage `json:"value"`
	DetailedType json.RawMessage `json:"detailed-type"`
}

// outputResource is the one representation of a state version output;
// hide leaves a sensitive value out (null), as TFC's workspace-level
// listing does.
func outputResource(o *StateVersionOutput, hide bool) Resource {
	value := o.Value
	if hide && o.Sensitive {
		value = json.RawMessage("null")
	}
	detailed := o.Type
	if len(detailed) == 0 {
		detailed = json.RawMessage("null")
	}
	return Resource{
		ID: o.ID, Type: "state-version-outputs",
		Attributes: svoAttributes{Name: o.Name, Sensitive: o.Sensitive, Type: valueKind(o.Value), Value: value, DetailedType: detailed},
		Links:      map[string]string{"self": "/api/v2/state-version-outputs/" + o.ID},
	}
}

// valueKind is TFC's coarse output type: string, number, boolean, array,
// hash or null.
func valueKind(v json.RawMessage) string {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return "null"
	}
	switch t[0] {
	case '"':
		return "string"
	case '[':
		return "array"
	case '{':
		return "hash"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// dropSVOutputs forgets the output index entries of sv.
func (st *State) dropSVOutputs(sv *StateVersion) {
	for _, o := range sv.Outputs {
		delete(st.svOutputs, o.ID)
	}
}

func (s *Service) listStateVersionOutputs(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		sv, err := st.stateVersionFor(c.p, c.path("id"), needReadStateOutputs)
		if err != nil {
			return nil, err
		}
		return paginate(c.r, outputResources(sv, false))
	})
}

func outputResources(sv *StateVersion, hide bool) []Resource {
	all := make([]Resource, 0, len(sv.Outputs))
	for _, o := range sv.Outputs {
		all = append(all, outputResource(o, hide))
	}
	return all
}

// readCurrentOutputs is GET /workspaces/:id/current-state-version-outputs:
// sensitive values are null here; Terraform reads each by id.
func (s *Service) readCurrentOutputs(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		sv, err := st.currentFor(c.p, c.workspaceRef(), needReadStateOutputs)
		if err != nil {
			return nil, err
		}
		return paginate(c.r, outputResources(sv, true))
	})
}

func (s *Service) readStateVersionOutput(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		svID, ok := st.svOutputs[c.path("id")]
		if !ok {
			return nil, errNotFound
		}
		sv, err := st.stateVersionFor(c.p, svID, needReadStateOutputs)
		if err != nil {
			return nil, err
		}
		for _, o := range sv.Outputs {
			if o.ID == c.path("id") {
				return Document{Data: outputResource(o, false)}, nil
			}
		}
		return nil, errNotFound
	})
}
