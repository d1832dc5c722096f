package emulator_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// TestVaultDurationsRefusedAsVault: a duration that does not fit Vault's
// int64 nanoseconds, or is not a duration at all, is refused with the
// message real Vault 1.21.0 gives (checked against `vault server -dev`),
// never stored as 0 or reported negative.
func TestVaultDurationsRefusedAsVault(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	const overflow = "multiplication of durations resulted in overflow, one operand may be too large"
	cases := []struct {
		path string
		data map[string]any
		msg  string
	}{
		{"terraform/role/r", map[string]any{"organization": "o", "ttl": json.Number("1e30")},
			`Field validation failed: error converting input for field "ttl": time: unknown unit "e" in duration "1e30"`},
		{"terraform/role/r", map[string]any{"organization": "o", "ttl": json.Number("9300000000")},
			`Field validation failed: error converting input for field "ttl": ` + overflow},
		{"terraform/role/r", map[string]any{"organization": "o", "max_ttl": "9300000000"},
			`Field validation failed: error converting input for field "max_ttl": ` + overflow},
		{"terraform/role/r", map[string]any{"organization": "o", "ttl": json.Number("-5")},
			`Field validation failed: error converting input for field "ttl": cannot provide negative value '-5'`},
		{"auth/token/create", map[string]any{"ttl": json.Number("1e30")}, `time: unknown unit "e" in duration "1e30"`},
		{"auth/token/create", map[string]any{"ttl": json.Number("9300000000")}, overflow},
		{"auth/token/create", map[string]any{"ttl": "-1h"}, "ttl must be positive"},
		{"sys/mounts/terraform/tune", map[string]any{"default_lease_ttl": "9300000000"}, overflow},
		{"sys/mounts/t2", map[string]any{"type": "terraform", "config": map[string]any{"default_lease_ttl": "9300000000"}},
			"unable to parse default TTL of 9300000000: " + overflow},
		{"sys/mounts/t2", map[string]any{"type": "terraform", "config": map[string]any{"max_lease_ttl": "1e30"}},
			`unable to parse max TTL of 1e30: time: unknown unit "e" in duration "1e30"`},
		{"auth/token/renew-self", map[string]any{"increment": "1e30"},
			`Field validation failed: error converting input for field "increment": time: unknown unit "e" in duration "1e30"`},
	}
	for _, c := range cases {
		_, err := ve.v.Logical().Write(c.path, c.data)
		wantVaultErr(t, err, 400, c.msg)
	}
	if s := ve.read(t, "terraform/role/r"); s != nil {
		t.Fatalf("a refused role was stored: %v", s.Data)
	}
}

// TestVaultLeaseRevokedOnce: explicit revokes racing each other and the
// expiry sweep revoke a lease once, every revoke answers success (a lease
// already gone included, as in Vault), and the TFC token is gone.
func TestVaultLeaseRevokedOnce(t *testing.T) {
	ve := newVaultEnv(t)
	ve.setUpEngine(t)
	ve.write(t, "terraform/role/u", map[string]any{"user_id": "user-12345abcde", "ttl": "60"})
	creds := ve.read(t, "terraform/creds/u")
	tok := creds.Data["token"].(string)
	if err := ve.e.Clock().Advance(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- ve.v.Sys().Revoke(creds.LeaseID)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("revoke: %v", err)
		}
	}
	if ve.tokenWorks(t, tok) {
		t.Fatal("the TFC token outlived its revoked lease")
	}
	if err := ve.v.Sys().Revoke(creds.LeaseID); err != nil {
		t.Fatalf("revoking a lease that is gone: %v", err)
	}
	if _, err := ve.v.Logical().Write("sys/leases/lookup", map[string]any{"lease_id": creds.LeaseID}); err == nil {
		t.Fatal("the lease is still there")
	}
}
