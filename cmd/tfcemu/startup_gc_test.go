package main

import (
	"runtime/debug"
	"testing"
)

// holdGC turns the collector off until releaseGC, which gives back the
// setting it found, once.
func TestHoldGC(t *testing.T) {
	orig := debug.SetGCPercent(150)
	defer func() { debug.SetGCPercent(orig); releaseGC = func() {} }()
	holdGC()
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Fatalf("held: GC percent %d, want -1 (off)", got)
	}
	releaseGC()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Fatalf("released: GC percent %d, want 150", got)
	}
	debug.SetGCPercent(90)
	releaseGC() // a second release changes nothing
	if got := debug.SetGCPercent(150); got != 90 {
		t.Fatalf("second release: GC percent %d, want 90", got)
	}
}
