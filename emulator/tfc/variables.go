package tfc

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

type varAttributes struct {
	Key         string  `json:"key"`
	Value       *string `json:"value"`
	Sensitive   bool    `json:"sensitive"`
	Category    string  `json:"category"`
	HCL         bool    `json:"hcl"`
	CreatedAt   string  `json:"created-at"`
	Description string  `json:"description"`
	VersionID   string  `json:"version-id"`
}

// variableResource is the one representation of a variable; a sensitive
// value is never echoed, not even by the request that set it.
func variableResource(v *Variable) Resource {
	attrs := varAttributes{Key: v.Key, Sensitive: v.Sensitive, Category: v.Category, HCL: v.HCL,
		CreatedAt: Timestamp(v.CreatedAt), Description: v.Description, VersionID: v.VersionID}
	if !v.Sensitive {
		val := v.Value
		attrs.Value = &val
	}
	r := Resource{ID: v.ID, Type: "vars", Attributes: attrs}
	if v.WorkspaceID != "" {
		r.Relationships = map[string]Relationship{"configurable": {Data: &Ref{ID: v.WorkspaceID, Type: "workspaces"},
			Links: map[string]string{"related": "/api/v2/workspaces/" + v.WorkspaceID}}}
		r.Links = map[string]string{"self": "/api/v2/workspaces/" + v.WorkspaceID + "/vars/" + v.ID}
	} else {
		r.Relationships = map[string]Relationship{"varset": {Data: &Ref{ID: v.VarSetID, Type: "varsets"},
			Links: map[string]string{"related": "/api/v2/varsets/" + v.VarSetID}}}
		r.Links = map[string]string{"self": "/api/v2/varsets/" + v.VarSetID + "/relationships/vars/" + v.ID}
	}
	return r
}

// variableInput is the attributes a variable create or update may send.
type variableInput struct {
	Key         *string `json:"key"`
	Value       *string `json:"value"`
	Description *string `json:"description"`
	Category    *string `json:"category"`
	HCL         *bool   `json:"hcl"`
	Sensitive   *bool   `json:"sensitive"`
}

var (
	// TFC accepts any key without whitespace for Terraform variables too
	// (go-tfe's own tests use UUIDs, which may start with a digit).
	terraformKey = lazyre.New(`^[^\s]+$`)
	envKey       = lazyre.New(`^[^=\s]+$`)
)

// maxDescription is the longest variable description TFC takes.
const maxDescription = 512

func (in *variableInput) validate(create bool) error {
	var errs Errors
	category := ""
	if in.Category != nil {
		category = *in.Category
	}
	if create || in.Category != nil {
		switch category {
		case CategoryTerraform, CategoryEnv, CategoryPolicySet:
		case "":
			errs = append(errs, invalidAttribute("/data/attributes/category", "Category can't be blank"))
		default:
			errs = append(errs, invalidAttribute("/data/attributes/category", fmt.Sprintf("Category %q is not one of terraform, env, policy-set", category)))
		}
	}
	if create || in.Key != nil {
		switch {
		case in.Key == nil || *in.Key == "":
			errs = append(errs, invalidAttribute("/data/attributes/key", "Key can't be blank"))
		case category == CategoryEnv && !envKey.MatchString(*in.Key):
			errs = append(errs, invalidAttribute("/data/attributes/key", "Key must not contain whitespace or ="))
		case category != CategoryEnv && !terraformKey.MatchString(*in.Key):
			errs = append(errs, invalidAttribute("/data/attributes/key", "Key must not contain whitespace"))
		}
	}
	if in.Description != nil && len(*in.Description) > maxDescription {
		errs = append(errs, invalidAttribute("/data/attributes/description", fmt.Sprintf("Description is too long (maximum is %d characters)", maxDescription)))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// apply updates v; a sensitive variable cannot become non-sensitive.
func (in *variableInput) apply(v *Variable) error {
	if in.Sensitive != nil && v.Sensitive && !*in.Sensitive {
		return invalidAttribute("/data/attributes/sensitive", "Sensitive variables cannot be made non-sensitive")
	}
	if in.Key != nil && in.Category == nil && v.Category != CategoryEnv && !terraformKey.MatchString(*in.Key) {
		return invalidAttribute("/data/attributes/key", "Key must not contain whitespace")
	}
	setIf(&v.Key, in.Key)
	setIf(&v.Value, in.Value)
	setIf(&v.Description, in.Description)
	setIf(&v.Category, in.Category)
	setIf(&v.HCL, in.HCL)
	setIf(&v.Sensitive, in.Sensitive)
	v.VersionID = versionID()
	return nil
}

// versionID changes on every write of a variable, as go-tfe's tests expect.
func versionID() string { return strings.ToLower(newID("v")[2:]) + strings.ToLower(newID("v")[2:]) }

// keyTaken reports whether another variable of the same owner has key in
// category.
func (st *State) keyTaken(of *Variable, key, category, except string) bool {
	for _, v := range st.ownedVars(of) {
		if v.ID != except && v.Key == key && v.Category == category {
			return true
		}
	}
	return false
}

// decodeVariable decodes and validates a variable create or update, of a
// workspace or of a variable set.
func decodeVariable(c *call, create bool) (variableInput, error) {
	var in variableInput
	if _, err := decodeResource(c.r, "vars", &in); err != nil {
		return in, err
	}
	return in, in.validate(create)
}

func (s *Service) listVariables(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		w, _, err := st.workspaceWith(c.p, c.workspaceRef(), needReadVariables)
		if err != nil {
			return nil, err
		}
		return paginate(c.r, variableResources(st.workspaceVars(w.ID)))
	})
}

func (s *Service) createVariable(c *call) (int, any, error) {
	in, err := decodeVariable(c, true)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		w, _, err := st.workspaceWith(c.p, c.workspaceRef(), needUpdateVariables)
		if err != nil {
			return nil, err
		}
		return st.createVariableIn(&Variable{WorkspaceID: w.ID, CreatedAt: c.now}, in)
	})
}

// workspaceVariable finds variable {var} of the request's workspace, which
// the caller must have the permission need on.
func workspaceVariable(st *State, c *call, need func(workspacePerms) bool) (*Variable, error) {
	w, _, err := st.workspaceWith(c.p, c.workspaceRef(), need)
	if err != nil {
		return nil, err
	}
	v, ok := st.Vars[c.path("var")]
	if !ok || v.WorkspaceID != w.ID {
		return nil, errNotFound
	}
	return v, nil
}

func (s *Service) readVariable(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		v, err := workspaceVariable(st, c, needReadVariables)
		if err != nil {
			return nil, err
		}
		return Document{Data: variableResource(v)}, nil
	})
}

func (s *Service) updateVariable(c *call) (int, any, error) {
	in, err := decodeVariable(c, false)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		v, err := workspaceVariable(st, c, needUpdateVariables)
		if err != nil {
			return nil, err
		}
		return updateVariableIn(st, v, in)
	})
}

// variablesOf lists the variables of one owner in creation order.
func (st *State) variablesOf(owner func(*Variable) bool) []Resource {
	return variableResources(sortedBySeq(st.Vars, owner))
}

// variableResources renders variables.
func variableResources(vars []*Variable) []Resource {
	var all []Resource
	for _, v := range vars {
		all = append(all, variableResource(v))
	}
	return all
}

// ownedVars are the variables of of's owner (workspace or variable set),
// of itself included if it is stored.
func (st *State) ownedVars(of *Variable) []*Variable {
	if of.WorkspaceID != "" {
		return st.workspaceVars(of.WorkspaceID)
	}
	return sortedBySeq(st.Vars, func(v *Variable) bool { return v.VarSetID == of.VarSetID })
}

// createVariableIn adds v (its owner set) after checking the key is free
// among the owner's variables.
func (st *State) createVariableIn(v *Variable, in variableInput) (any, error) {
	if st.keyTaken(v, *in.Key, *in.Category, "") {
		return nil, errKeyTaken()
	}
	if err := in.apply(v); err != nil {
		return nil, err
	}
	v.ID, v.seq = newID("var"), st.next()
	st.Vars[v.ID] = v
	st.indexVariable(v)
	st.touch("Vars", v.ID)
	return Document{Data: variableResource(v)}, nil
}

// updateVariableIn applies an update after checking key uniqueness, on a
// copy so a refused update leaves v untouched.
func updateVariableIn(st *State, v *Variable, in variableInput) (any, error) {
	next := *v
	if err := in.apply(&next); err != nil {
		return nil, err
	}
	if st.keyTaken(v, next.Key, next.Category, v.ID) {
		return nil, errKeyTaken()
	}
	*v = next
	st.touch("Vars", v.ID)
	return Document{Data: variableResource(v)}, nil
}

func (s *Service) deleteVariable(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		v, err := workspaceVariable(st, c, needUpdateVariables)
		if err != nil {
			return nil, err
		}
		delete(st.Vars, v.ID)
		st.touch("Vars", v.ID)
		return nil, nil
	})
}

// listAllVariables lists the variables a run of the workspace would see:
// its own and those of the variable sets that reach it, each key (per
// category) once, the winner by TFC's precedence.
func (s *Service) listAllVariables(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		w, _, err := st.workspaceWith(c.p, c.workspaceRef(), needReadVariables)
		if err != nil {
			return nil, err
		}
		var all []Resource
		for _, v := range st.EffectiveVariables(w.ID) {
			all = append(all, variableResource(v))
		}
		return paginate(c.r, all)
	})
}
