// Package clock is the emulator's one virtual clock. Every time the emulator
// issues or validates anything (token created-at/expired-at, JWT iat/nbf/exp,
// lease TTLs, rate-limit windows) it reads this clock, so tests can move time
// for issuance and validation together.
//
// This is the only package in tfcemu that calls time.Now.
package clock

import (
	"errors"
	"sync"
	"time"
)

// ErrNegativeAdvance is returned when asked to move the clock backwards with
// Advance; Set is the way to go back in time.
var ErrNegativeAdvance = errors.New("clock: advance must not be negative")

// Clock is a virtual clock: real time plus an offset, optionally frozen.
// The zero value is not usable; call New.
type Clock struct {
	mu       sync.RWMutex
	real     func() time.Time
	offset   time.Duration
	frozen   bool
	frozenAt time.Time
}

// State is a read-only view of the clock for the admin API.
type State struct {
	Now    time.Time     `json:"now"`
	Frozen bool          `json:"frozen"`
	Offset time.Duration `json:"-"`
}

// New returns a clock that follows real time.
func New() *Clock { return &Clock{real: time.Now} }

// NewAt returns a clock frozen at t, handy for deterministic tests.
func NewAt(t time.Time) *Clock {
	c := New()
	c.Freeze() // first, so Set lands exactly on t
	c.Set(t)
	return c
}

// Now returns the virtual time in UTC.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.frozen {
		return c.frozenAt
	}
	return c.real().Add(c.offset).UTC()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) error {
	if d < 0 {
		return ErrNegativeAdvance
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.frozenAt = c.frozenAt.Add(d)
	} else {
		c.offset += d
	}
	return nil
}

// Set moves the clock to t. A frozen clock stays frozen at t; a running
// clock continues from t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.frozenAt = t.UTC()
		return
	}
	c.offset = t.Sub(c.real())
}

// Freeze stops the clock at its current virtual time.
func (c *Clock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return
	}
	c.frozenAt = c.nowLocked()
	c.frozen = true
}

// Resume lets a frozen clock run again from where it stopped.
func (c *Clock) Resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen {
		return
	}
	c.offset = c.frozenAt.Sub(c.real())
	c.frozen = false
}

// Reset returns the clock to real time, running.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset, c.frozen, c.frozenAt = 0, false, time.Time{}
}

// State reports the current virtual time and whether the clock is frozen.
func (c *Clock) State() State {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return State{Now: c.nowLocked(), Frozen: c.frozen, Offset: c.offset}
}
