package main

import (
	"runtime/debug"
	"sync"
)

// releaseGC ends holdGC's pause; serve calls it once it is ready. It does
// nothing unless main held the collector (tests run serve in process and
// keep theirs).
var releaseGC = func() {}

// holdGC holds back the garbage collector while tfcemu serve starts: a
// start allocates a few MB, and the collections of them, competing with
// the start for the machine's cores, were a tenth of exec → ready. The
// collector's setting (GOGC included) comes back with releaseGC.
func holdGC() {
	prev := debug.SetGCPercent(-1)
	var once sync.Once
	releaseGC = func() { once.Do(func() { debug.SetGCPercent(prev) }) }
}
