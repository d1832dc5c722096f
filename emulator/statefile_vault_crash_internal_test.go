package emulator

import (
	"os"
	"path/filepath"
	"testing"

	vault "github.com/hashicorp/vault/api"
)

// TestStateFileKeepsVaultConfigAcrossACrash: a secrets engine's config
// and role, written on Vault's fast logical path (which changes no token
// or lease), are in the log as a kill -9 leaves it: the state file's
// view of Vault's generation counts every Vault request.
func TestStateFileKeepsVaultConfigAcrossACrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	start := func(path string) (*Emulator, *vault.Client) {
		e, err := New(Config{TFCListen: "127.0.0.1:0", VaultListen: "127.0.0.1:0", CloudsListen: "127.0.0.1:0", StateFile: path, RateLimit: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		vc, err := vault.NewClient(&vault.Config{Address: e.Info().VaultURL, MaxRetries: 0})
		if err != nil {
			t.Fatal(err)
		}
		vc.SetToken(e.Info().VaultToken)
		return e, vc
	}
	_, v := start(path)
	if err := v.Sys().Mount("terraform/", &vault.MountInput{Type: "terraform"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Logical().Write("terraform/config", map[string]any{"token": "Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Logical().Write("terraform/role/my-role", map[string]any{"user_id": "user-12345abcde"}); err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(t.TempDir(), "state.json")
	for _, suffix := range []string{"", ".wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crashed+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, v2 := start(crashed)
	role, err := v2.Logical().Read("terraform/role/my-role")
	if err != nil || role == nil || role.Data["user_id"] != "user-12345abcde" {
		t.Fatalf("the role after a crash: %v %v", role, err)
	}
}
