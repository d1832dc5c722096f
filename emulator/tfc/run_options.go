package tfc

import (
	"fmt"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/runs/slug"
	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// checkConfigArchive refuses, at upload, an archive the executor would not
// unpack: escaping paths, links out, too large.
func checkConfigArchive(body []byte) *Error {
	if err := slug.Check(body); err != nil {
		return invalidAttribute("", "The configuration archive is invalid: "+strings.TrimPrefix(err.Error(), slug.ErrInvalid.Error()+": "))
	}
	return nil
}

// RunVariable is a run's own input variable: its value is HCL, as the
// CLI's -var sends it.
type RunVariable struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// setPlanOptions takes a new run's plan options, refusing what Terraform
// would refuse.
func (r *Run) setPlanOptions(in runInput) error {
	if in.Refresh != nil {
		r.NoRefresh = !*in.Refresh
	}
	setIf(&r.RefreshOnly, in.RefreshOnly)
	if r.RefreshOnly && r.IsDestroy {
		return invalidAttribute("/data/attributes/refresh-only", "Refresh-only runs cannot be destroy runs")
	}
	if r.RefreshOnly && r.NoRefresh {
		return invalidAttribute("/data/attributes/refresh-only", "Refresh-only runs must refresh")
	}
	for _, a := range append(append([]string(nil), in.TargetAddrs...), in.ReplaceAddrs...) {
		if strings.TrimSpace(a) == "" || strings.ContainsAny(a, "\n\r") {
			return invalidAttribute("/data/attributes/target-addrs", fmt.Sprintf("%q is not a resource address", a))
		}
	}
	r.TargetAddrs, r.ReplaceAddrs = in.TargetAddrs, in.ReplaceAddrs
	seen := map[string]bool{}
	for _, v := range in.Variables {
		if !variableKey.MatchString(v.Key) || seen[v.Key] {
			return invalidAttribute("/data/attributes/variables", fmt.Sprintf("%q is not a variable name, or is given twice", v.Key))
		}
		seen[v.Key] = true
	}
	r.RunVariables = in.Variables
	return nil
}

// variableKey is a Terraform identifier.
var variableKey = lazyre.New(`^[A-Za-z_][A-Za-z0-9_-]*$`)
