package clouds

import (
	"sync"
	"sync/atomic"
)

// CountedMutex is a cloud's state lock that counts its changes: every
// Lock/Unlock section counts as one (a cloud's state changes only under
// its lock), but for the read-only sections of Snapshot (ReadLock). While
// Generation stays the same the cloud's snapshot does, so the state file
// need not take it.
type CountedMutex struct {
	mu  sync.Mutex
	gen atomic.Uint64
}

// Lock locks the state for a section that may change it.
func (m *CountedMutex) Lock() { m.mu.Lock() }

// Unlock ends a section that may have changed the state: it counts.
func (m *CountedMutex) Unlock() {
	m.gen.Add(1)
	m.mu.Unlock()
}

// ReadLock locks the state for a section that only reads it.
func (m *CountedMutex) ReadLock() { m.mu.Lock() }

// ReadUnlock ends a read-only section: it does not count.
func (m *CountedMutex) ReadUnlock() { m.mu.Unlock() }

// Generation counts the sections that may have changed the state.
func (m *CountedMutex) Generation() uint64 { return m.gen.Load() }
