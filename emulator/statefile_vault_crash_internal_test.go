package emulator

import (
	"path/filepath"
	"testing"

	vault "github.com/hashicorp/vault/api"
)

// TestStateFileKeepsVaultConfigAcrossACrash: a secrets engine's config
// and role, written on Vault's fast logical path (which changes no token
// or lease), are in the log as a kill -9 leaves it: Vault counts every
// request it serves as a change, whichever way it routes it.
func TestStateFileKeepsVaultConfigAcrossACrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	v := rootVault(t, startWithStateFile(t, path))
	if err := v.Sys().Mount("terraform/", &vault.MountInput{Type: "terraform"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Logical().Write("terraform/config", map[string]any{"token": "Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Logical().Write("terraform/role/my-role", map[string]any{"user_id": "user-12345abcde"}); err != nil {
		t.Fatal(err)
	}
	v2 := rootVault(t, startWithStateFile(t, CrashCopy(t, path)))
	role, err := v2.Logical().Read("terraform/role/my-role")
	if err != nil || role == nil || role.Data["user_id"] != "user-12345abcde" {
		t.Fatalf("the role after a crash: %v %v", role, err)
	}
}
