// Package steps holds the godog step definitions of tfcemu's conformance
// features and the targets they run against. Steps reach a target only
// through its URLs and tokens (and the admin API, in @emulator-only
// scenarios), so the same steps run in-process, against a container, or
// against real services.
package steps

import (
	"fmt"
	"os"

	"github.com/tfcemu/tfcemu/emulator"
)

// Target is a system under test: where its services are and how to log in.
type Target struct {
	// Name is the TFCEMU_TARGET value: inprocess, container, external, ...
	Name string
	// TFCURL, VaultURL and Issuer are base URLs without a trailing slash.
	TFCURL, VaultURL, Issuer string
	// TFCURLForVault is TFC as the target's Vault reaches it (the terraform
	// engine's address) and VaultURLForRuns is Vault as the emulator's runs
	// reach it (TFC_VAULT_ADDR); both are TFCURL and VaultURL unless the two
	// services sit on a container network (vault-container).
	TFCURLForVault, VaultURLForRuns string
	// CloudsURL is the emulator's clouds listener (aws_sts_url); empty
	// when the target does not publish it.
	CloudsURL string
	// OwnerToken is a TFC API token of an organization owner; VaultToken a
	// Vault token with root policy.
	OwnerToken, VaultToken string
	// AdminToken is the emulator's admin API token (Authorization: Bearer
	// on /_emulator/*); empty when it needs none.
	AdminToken string
	// Emulator is true when the target is tfcemu, so the admin API and the
	// virtual clock are there.
	Emulator bool
	// RealVault is true when VaultURL is a real Vault, which the emulator's
	// reset does not clear: scenarios clean up their mounts after them.
	RealVault bool
	// Close releases the target.
	Close func() error
	// CheckState, when set, checks after each scenario that the
	// emulator's state file holds its state (TFCEMU_FEATURES_STATE_CHECK,
	// statefile_check.go).
	CheckState func() error
}

// ErrTargetUnavailable is wrapped by StartTarget when a target cannot start
// here; its scenarios are skipped with the message.
type ErrTargetUnavailable struct{ Reason string }

func (e ErrTargetUnavailable) Error() string { return e.Reason }

// TargetName is the target chosen by TFCEMU_TARGET (default inprocess).
func TargetName() string {
	if n := os.Getenv("TFCEMU_TARGET"); n != "" {
		return n
	}
	return "inprocess"
}

// StartTarget starts (or connects to) the named target.
func StartTarget(name string) (*Target, error) {
	var t *Target
	var err error
	switch name {
	case "inprocess":
		t, err = startInProcess()
	case "container":
		t, err = startContainer()
	case "external":
		t, err = connectExternal()
	case "vault-container":
		t, err = startVaultContainer()
	default:
		return nil, fmt.Errorf("unknown TFCEMU_TARGET %q: want inprocess, container, external or vault-container", name)
	}
	if t != nil {
		if t.TFCURLForVault == "" {
			t.TFCURLForVault = t.TFCURL
		}
		if t.VaultURLForRuns == "" {
			t.VaultURLForRuns = t.VaultURL
		}
	}
	return t, err
}

// inProcessAdminToken is the in-process target's admin token: the
// features reach the admin API as the container targets do, with a token.
const inProcessAdminToken = "tfcemu-features-admin-token"

// startInProcess runs the emulator in this process on free loopback ports.
func startInProcess() (*Target, error) {
	cfg := emulator.Config{TFCListen: "127.0.0.1:0", VaultListen: "127.0.0.1:0", AdminToken: inProcessAdminToken}
	var check func(*emulator.Emulator) func() error
	if os.Getenv("TFCEMU_FEATURES_STATE_CHECK") != "" {
		var err error
		if check, err = withStateFile(&cfg); err != nil {
			return nil, err
		}
	}
	e, err := emulator.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := e.Start(); err != nil {
		return nil, err
	}
	i := e.Info()
	var checkState func() error
	if check != nil {
		checkState = check(e)
	}
	return &Target{
		Name:       "inprocess",
		TFCURL:     i.TFCURL,
		VaultURL:   i.VaultURL,
		Issuer:     i.Issuer,
		OwnerToken: i.OwnerToken,
		VaultToken: i.VaultToken,
		AdminToken: i.AdminToken,
		CloudsURL:  i.AWSSTSURL,
		Emulator:   true,
		Close:      e.Close,
		CheckState: checkState,
	}, nil
}
