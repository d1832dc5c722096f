// Package clock is the emulator's one virtual clock. Every time the emulator
// issues or validates anything (token created-at/expired-at, JWT iat/nbf/exp,
// lease TTLs, rate-limit windows) it reads this clock, so tests can move time
// for issuance and validation together.
//
// This is the only package in tfcemu that calls time.Now.
package clock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// ErrNegativeAdvance is returned when asked to move the clock backwards with
// Advance; Set is the way to go back in time.
var ErrNegativeAdvance = errors.New("clock: advance must not be negative")

// ErrOutOfRange is returned by Advance and Set when the virtual time would
// be further from real time than a time.Duration holds (about 292 years):
// the offset would overflow and the clock jump backwards. The clock is left
// as it was.
var ErrOutOfRange = errors.New("clock: the virtual time must stay within about 292 years (the range of a Go duration) of real time")

// offsetTo is t - real as a duration, and false when that does not fit in
// a time.Duration (time.Time.Sub would clamp it).
func offsetTo(t, real time.Time) (time.Duration, bool) {
	d := t.Sub(real)
	return d, real.Add(d).Equal(t)
}

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
	c.Freeze()   // first, so Set lands exactly on t
	_ = c.Set(t) // a t out of range leaves the clock frozen at real time
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

// Advance moves the clock forward by d; ErrOutOfRange (and no change) if
// that would take it out of range.
func (c *Clock) Advance(d time.Duration) error {
	if d < 0 {
		return ErrNegativeAdvance
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	real := c.real()
	if c.frozen {
		t := c.frozenAt.Add(d)
		if _, ok := offsetTo(t, real); !ok {
			return ErrOutOfRange
		}
		c.frozenAt = t
		return nil
	}
	if c.offset > 0 && d > math.MaxInt64-c.offset {
		return ErrOutOfRange
	}
	if _, ok := offsetTo(real.Add(c.offset+d), real); !ok {
		return ErrOutOfRange
	}
	c.offset += d
	return nil
}

// Set moves the clock to t; ErrOutOfRange (and no change) if t is out of
// range. A frozen clock stays frozen at t; a running clock continues from t.
func (c *Clock) Set(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	off, ok := offsetTo(t, c.real())
	if !ok {
		return ErrOutOfRange
	}
	if c.frozen {
		c.frozenAt = t.UTC()
		return nil
	}
	c.offset = off
	return nil
}

// InRange reports whether t is a time Set accepts now.
func (c *Clock) InRange(t time.Time) bool {
	_, ok := offsetTo(t, c.real())
	return ok
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
	// Set and Advance keep frozenAt within range of real time; a clock
	// frozen for centuries of real time clamps here, the best it can do.
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

// snapshot is the clock's part of the state file: a frozen clock's time,
// or a running clock's offset from real time (so virtual time keeps
// running across a restart, as real time did).
type snapshot struct {
	Frozen   bool          `json:"frozen"`
	FrozenAt *time.Time    `json:"frozen_at,omitempty"`
	Offset   time.Duration `json:"offset_ns"`
}

// Snapshot returns the clock's state as JSON, for the state file.
func (c *Clock) Snapshot() (json.RawMessage, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := snapshot{Frozen: c.frozen, Offset: c.offset}
	if c.frozen {
		at := c.frozenAt
		s.FrozenAt, s.Offset = &at, 0
	}
	return json.Marshal(s)
}

// Restore sets the clock to a Snapshot; a malformed or out-of-range
// snapshot is refused and changes nothing.
func (c *Clock) Restore(raw json.RawMessage) error {
	var s snapshot
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("clock: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.Frozen {
		if s.FrozenAt == nil {
			return errors.New("clock: a frozen clock needs frozen_at")
		}
		if _, ok := offsetTo(*s.FrozenAt, c.real()); !ok {
			return ErrOutOfRange
		}
		c.frozen, c.frozenAt, c.offset = true, s.FrozenAt.UTC(), 0
		return nil
	}
	if s.FrozenAt != nil {
		return errors.New("clock: frozen_at given for a running clock")
	}
	real := c.real()
	if _, ok := offsetTo(real.Add(s.Offset), real); !ok {
		return ErrOutOfRange
	}
	c.frozen, c.frozenAt, c.offset = false, time.Time{}, s.Offset
	return nil
}
