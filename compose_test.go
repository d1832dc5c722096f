package tfcemu_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestComposeFileIsValid checks docker-compose.yml with the compose tool
// itself, with and without the vault profile.
func TestComposeFileIsValid(t *testing.T) {
	var base []string
	switch {
	case exec.Command("docker", "compose", "version").Run() == nil:
		base = []string{"docker", "compose"}
	case exec.Command("docker-compose", "version").Run() == nil:
		base = []string{"docker-compose"}
	default:
		t.Skip("no docker compose or docker-compose here")
	}
	for _, profile := range [][]string{nil, {"--profile", "vault"}} {
		args := append(append(append([]string{}, base[1:]...), profile...), "-f", "docker-compose.yml", "config")
		out, err := exec.Command(base[0], args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", base[0], args, err, out)
		}
		if !strings.Contains(string(out), "tfcemu") {
			t.Fatalf("config output lacks the tfcemu service:\n%s", out)
		}
		if profile != nil && !strings.Contains(string(out), "VAULT_DEV_ROOT_TOKEN_ID") {
			t.Fatalf("the vault profile lacks the vault service:\n%s", out)
		}
	}
}
