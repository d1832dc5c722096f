package main

import (
	"context"
	"runtime/debug"
	"syscall"
	"testing"
	"time"
)

// holdUntilReady turns the collector off until releaseGC, which gives
// back the setting it found, once; after handleSignals, a SIGTERM
// cancels.
func TestHoldUntilReady(t *testing.T) {
	orig := debug.SetGCPercent(150)
	defer func() { debug.SetGCPercent(orig); releaseGC, handleSignals = func() {}, func() {} }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	holdUntilReady(cancel)
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Fatalf("held: GC percent %d, want -1 (off)", got)
	}
	releaseGC()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Fatalf("released: GC percent %d, want 150", got)
	}
	debug.SetGCPercent(90)
	releaseGC() // a second call changes nothing
	if got := debug.SetGCPercent(150); got != 90 {
		t.Fatalf("second release: GC percent %d, want 90", got)
	}
	handleSignals()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM after ready did not cancel")
	}
}
