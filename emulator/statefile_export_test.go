package emulator

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
)

// stateCheckFailures counts the differences the state file's delta checks
// found in this test binary; TestMain fails the run when there are any.
var stateCheckFailures atomic.Int64

// stateCheckDir holds the state files TFCEMU_TEST_STATE_CHECK gives
// every emulator.
var stateCheckDir string

// The delta checks are on in every test whose emulator has a state file.
// With TFCEMU_TEST_STATE_CHECK=1 every emulator gets one, so any test set
// (go test -run ...) checks the write paths it takes:
//
//	TFCEMU_TEST_STATE_CHECK=1 go test -run 'TestTFC' ./emulator/
func init() {
	SetStateChecks(true)
	if os.Getenv("TFCEMU_TEST_STATE_CHECK") == "" {
		return
	}
	dir, err := os.MkdirTemp("", "tfcemu-state-check-")
	if err != nil {
		panic(err) // test setup: the temp directory is the machine's
	}
	stateCheckDir = dir
	var n atomic.Int64
	testStateFile = func() string { return filepath.Join(dir, fmt.Sprintf("state-%d.json", n.Add(1))) }
}

// StateChecksDone removes the state files the checks used and returns
// how many differences they found.
func StateChecksDone() int64 {
	if stateCheckDir != "" {
		_ = os.RemoveAll(stateCheckDir)
	}
	return stateCheckFailures.Load()
}

// reportStateCheck counts and prints a difference the checks found.
func reportStateCheck(service string, err error) {
	stateCheckFailures.Add(1)
	fmt.Fprintf(os.Stderr, "state file delta check: %s: %v\n", service, err)
}

// SetStateChecks turns the delta checks of the state files opened from
// then on on or off (benchmarks turn them off: a check takes whole
// snapshots at every save).
func SetStateChecks(on bool) {
	if on {
		report := reportStateCheck
		deltaCheckReport.Store(&report)
		return
	}
	deltaCheckReport.Store(nil)
}
