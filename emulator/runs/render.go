package runs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/tfc"
)

// Rendered is a phase environment with its file paths made absolute under
// a directory, ready to write and to hand to a process.
type Rendered struct {
	Dir                string            `json:"dir"`
	Env                map[string]string `json:"env"`
	Files              map[string]string `json:"files"`
	TerraformVariables map[string]any    `json:"terraform_variables"`
}

// Render replaces the directory placeholder with dir everywhere.
func Render(env *tfc.PhaseEnvironment, dir string) Rendered {
	r := Rendered{Dir: dir, Env: map[string]string{}, Files: map[string]string{}, TerraformVariables: map[string]any{}}
	if env == nil {
		return r
	}
	sub := func(s string) string { return strings.ReplaceAll(s, DirPlaceholder, dir) }
	for k, v := range env.Env {
		r.Env[k] = sub(v)
	}
	for k, v := range env.Files {
		r.Files[sub(k)] = sub(v)
	}
	if len(env.TerraformVariables) > 0 {
		b, _ := json.Marshal(env.TerraformVariables)
		_ = json.Unmarshal([]byte(sub(string(b))), &r.TerraformVariables)
	}
	return r
}

// WriteFiles writes the environment's files (token and credential files),
// each readable by its owner only, making their directories as it goes.
func (r Rendered) WriteFiles() error {
	for path, content := range r.Files {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}
