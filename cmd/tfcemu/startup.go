package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
)

// handleSignals and releaseGC end what holdUntilReady held back: serve
// calls the first once it listens, before it says it is ready, and the
// second after. They do nothing unless main held them back (tests run
// serve in process and keep their own).
var handleSignals, releaseGC = func() {}, func() {}

// holdUntilReady holds back, until serve is ready, two things a start
// does not need:
//   - the garbage collector: a start allocates a few MB, and collecting
//     them, competing with the start for the machine's cores, was a tenth
//     of exec → ready; the collector's setting (GOGC included) comes back;
//   - the signal handlers: their goroutine waits on a thread of its own,
//     and making that thread was a twentieth of a start. Until ready, a
//     SIGINT or SIGTERM ends the process as Go's default does (nothing is
//     served or acknowledged yet); from then on, it cancels, which shuts
//     the emulator down gracefully.
func holdUntilReady(cancel context.CancelFunc) {
	prev := debug.SetGCPercent(-1)
	var gcOnce, signalsOnce sync.Once
	releaseGC = func() { gcOnce.Do(func() { debug.SetGCPercent(prev) }) }
	handleSignals = func() { signalsOnce.Do(func() { cancelOnSignal(cancel) }) }
}

// cancelOnSignal calls cancel on SIGINT or SIGTERM; later ones are
// caught and ignored while the process winds down.
func cancelOnSignal(cancel context.CancelFunc) {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, cancel)
}
