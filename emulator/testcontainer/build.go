package testcontainer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildContext prepares a Docker build context from a tfcemu source tree:
// the repository's Dockerfile and a static linux binary built from it, as
// `make image` does. Nothing is pulled: the image is FROM scratch. The
// caller removes the directory.
func BuildContext(repoRoot string) (string, error) {
	dir, err := os.MkdirTemp("", "tfcemu-image-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bin", "linux", "tfcemu")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/tfcemu")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("building the tfcemu binary: %v\n%s", err, out)
	}
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), dockerfile, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}
