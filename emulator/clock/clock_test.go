package clock

import (
	"sync"
	"testing"
	"time"
)

// fakeReal is a controllable stand-in for the wall clock.
type fakeReal struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeReal) now() time.Time       { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeReal) tick(d time.Duration) { f.mu.Lock(); f.t = f.t.Add(d); f.mu.Unlock() }
func newTestClock(start time.Time) (*Clock, *fakeReal) {
	f := &fakeReal{t: start}
	return &Clock{real: f.now}, f
}

func TestClockOperations(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		run  func(c *Clock, wall *fakeReal)
		want time.Time
	}{
		{"follows real time", func(c *Clock, w *fakeReal) { w.tick(time.Second) }, start.Add(time.Second)},
		{"advance", func(c *Clock, w *fakeReal) { _ = c.Advance(10 * time.Minute) }, start.Add(10 * time.Minute)},
		{"advance then real time passes", func(c *Clock, w *fakeReal) {
			_ = c.Advance(time.Hour)
			w.tick(2 * time.Second)
		}, start.Add(time.Hour + 2*time.Second)},
		{"freeze stops real time", func(c *Clock, w *fakeReal) {
			c.Freeze()
			w.tick(time.Minute)
		}, start},
		{"frozen clock advances", func(c *Clock, w *fakeReal) {
			c.Freeze()
			_ = c.Advance(181 * time.Second)
			w.tick(time.Minute)
		}, start.Add(181 * time.Second)},
		{"resume continues from frozen time", func(c *Clock, w *fakeReal) {
			c.Freeze()
			w.tick(time.Minute)
			c.Resume()
			w.tick(time.Second)
		}, start.Add(time.Second)},
		{"set running", func(c *Clock, w *fakeReal) {
			c.Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
			w.tick(time.Second)
		}, time.Date(2030, 1, 1, 0, 0, 1, 0, time.UTC)},
		{"set frozen", func(c *Clock, w *fakeReal) {
			c.Freeze()
			c.Set(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
			w.tick(time.Second)
		}, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"reset", func(c *Clock, w *fakeReal) {
			_ = c.Advance(time.Hour)
			c.Freeze()
			c.Reset()
		}, start},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, wall := newTestClock(start)
			tt.run(c, wall)
			if got := c.Now(); !got.Equal(tt.want) {
				t.Fatalf("Now() = %v, want %v", got, tt.want)
			}
			if c.Now().Location() != time.UTC {
				t.Fatalf("Now() not in UTC")
			}
		})
	}
}

func TestAdvanceRejectsNegative(t *testing.T) {
	c, _ := newTestClock(time.Unix(0, 0))
	before := c.Now()
	if err := c.Advance(-time.Second); err != ErrNegativeAdvance {
		t.Fatalf("err = %v, want ErrNegativeAdvance", err)
	}
	if !c.Now().Equal(before) {
		t.Fatal("rejected advance moved the clock")
	}
}

func TestClockConcurrentUse(t *testing.T) {
	// A still wall clock makes the expected total exact: every advance counts.
	c, _ := newTestClock(time.Unix(0, 0))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				_ = c.Advance(time.Millisecond)
				_ = c.Now()
				if j%50 == 0 {
					c.Freeze()
					c.Resume()
				}
			}
		}()
	}
	wg.Wait()
	if got, want := c.Now(), time.Unix(0, 0).Add(1600*time.Millisecond); !got.Equal(want) {
		t.Fatalf("Now() = %v, want %v: advances lost under concurrency", got, want)
	}
}
