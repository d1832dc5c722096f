package clock

import (
	"errors"
	"testing"
	"time"
)

// TestAdvanceOverflowIsRefused: the longest duration twice would wrap the
// offset and move the clock backwards; the second advance is refused and
// leaves the clock where it was, running or frozen.
func TestAdvanceOverflowIsRefused(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, frozen := range []bool{false, true} {
		c, _ := newTestClock(start)
		if frozen {
			c.Freeze()
		}
		long, _ := time.ParseDuration("2562047h")
		if err := c.Advance(long); err != nil {
			t.Fatalf("frozen=%v: first advance: %v", frozen, err)
		}
		before := c.Now()
		if !before.After(start) {
			t.Fatalf("frozen=%v: first advance went to %v", frozen, before)
		}
		if err := c.Advance(long); !errors.Is(err, ErrOutOfRange) {
			t.Fatalf("frozen=%v: second advance: %v, want ErrOutOfRange", frozen, err)
		}
		if got := c.Now(); !got.Equal(before) {
			t.Fatalf("frozen=%v: clock moved to %v after a refused advance (was %v)", frozen, got, before)
		}
		if err := c.Advance(time.Minute); err != nil {
			t.Fatalf("frozen=%v: an advance within range: %v", frozen, err)
		}
	}
}

func TestSetOutOfRangeIsRefused(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, at := range []time.Time{
		time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		start.AddDate(300, 0, 0),
	} {
		c, _ := newTestClock(start)
		if err := c.Set(at); !errors.Is(err, ErrOutOfRange) {
			t.Fatalf("Set(%v): %v, want ErrOutOfRange", at, err)
		}
		if c.InRange(at) {
			t.Fatalf("InRange(%v) is true", at)
		}
		if got := c.Now(); !got.Equal(start) {
			t.Fatalf("Set(%v) refused but the clock is at %v", at, got)
		}
	}
	c, _ := newTestClock(start)
	ok := start.Add(200 * 365 * 24 * time.Hour)
	if err := c.Set(ok); err != nil || !c.Now().Equal(ok) {
		t.Fatalf("Set(%v): %v, now %v", ok, err, c.Now())
	}
}

func TestSnapshotRestore(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// A running clock keeps its offset: after a "restart" an hour of real
	// time later, virtual time is an hour on too.
	c, wall := newTestClock(start)
	_ = c.Advance(48 * time.Hour)
	raw, err := c.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	wall.tick(time.Hour)
	c2 := &Clock{real: wall.now}
	if err := c2.Restore(raw); err != nil {
		t.Fatal(err)
	}
	if want := start.Add(49 * time.Hour); !c2.Now().Equal(want) || c2.State().Frozen {
		t.Fatalf("restored running clock: %v (frozen %v), want %v", c2.Now(), c2.State().Frozen, want)
	}
	// A frozen clock stays frozen at its time.
	c.Freeze()
	frozenAt := c.Now()
	raw, _ = c.Snapshot()
	wall.tick(time.Hour)
	c3 := &Clock{real: wall.now}
	if err := c3.Restore(raw); err != nil {
		t.Fatal(err)
	}
	if !c3.Now().Equal(frozenAt) || !c3.State().Frozen {
		t.Fatalf("restored frozen clock: %v (frozen %v), want %v frozen", c3.Now(), c3.State().Frozen, frozenAt)
	}
	// Bad snapshots change nothing.
	for _, bad := range []string{`{"frozen":true}`, `{"frozen":false,"frozen_at":"2026-01-01T00:00:00Z"}`, `{"offset_ns":"x"}`, `{"nope":1}`, `[]`,
		`{"frozen":true,"frozen_at":"9999-01-01T00:00:00Z"}`} {
		if err := c3.Restore([]byte(bad)); err == nil {
			t.Fatalf("Restore(%s) accepted", bad)
		}
		if !c3.Now().Equal(frozenAt) || !c3.State().Frozen {
			t.Fatalf("Restore(%s) refused but changed the clock", bad)
		}
	}
}
