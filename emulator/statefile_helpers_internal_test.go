package emulator

import (
	"os"
	"path/filepath"
	"testing"

	vault "github.com/hashicorp/vault/api"
)

// CrashCopy copies the state file at path and its write-ahead log as a
// kill -9 leaves them (the emulator never closed: no compaction) into a
// new directory and returns the copy's path.
func CrashCopy(t testing.TB, path string) string {
	t.Helper()
	crash := filepath.Join(t.TempDir(), "state.json")
	for _, suffix := range []string{"", ".wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crash+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return crash
}

// startWithStateFile starts an emulator with every listener on loopback
// and its state in path; it closes with the test.
func startWithStateFile(t *testing.T, path string) *Emulator {
	t.Helper()
	e, err := New(Config{TFCListen: "127.0.0.1:0", VaultListen: "127.0.0.1:0", CloudsListen: "127.0.0.1:0", StateFile: path, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// rootVault is a vault/api client of e's Vault listener with the root
// token.
func rootVault(t *testing.T, e *Emulator) *vault.Client {
	t.Helper()
	vc, err := vault.NewClient(&vault.Config{Address: e.Info().VaultURL, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	vc.SetToken(e.Info().VaultToken)
	return vc
}
