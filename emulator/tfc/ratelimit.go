package tfc

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// rateLimiter counts requests per principal in one-second windows of the
// virtual clock, as TFC limits each user to 30 requests a second. A frozen
// clock keeps the window open until the clock moves.
type rateLimiter struct {
	limit int

	mu      sync.Mutex
	windows map[string]*window
}

type window struct {
	start time.Time
	count int
}

func newRateLimiter(limit int) *rateLimiter {
	return &rateLimiter{limit: limit, windows: map[string]*window{}}
}

// allow counts one request for key at now. It returns the seconds until the
// window resets when the request is over the limit.
func (l *rateLimiter) allow(key string, now time.Time) (ok bool, remaining int, reset time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := now.Truncate(time.Second)
	w, found := l.windows[key]
	if !found || !w.start.Equal(start) {
		w = &window{start: start}
		l.windows[key] = w
		// Old windows of other keys are dropped lazily to bound memory.
		if len(l.windows) > 4096 {
			for k, v := range l.windows {
				if !v.start.Equal(start) {
					delete(l.windows, k)
				}
			}
		}
	}
	reset = start.Add(time.Second).Sub(now)
	if w.count >= l.limit {
		return false, 0, reset
	}
	w.count++
	return true, l.limit - w.count, reset
}

func (l *rateLimiter) reset() {
	l.mu.Lock()
	l.windows = map[string]*window{}
	l.mu.Unlock()
}

func rateHeaders(w http.ResponseWriter, limit, remaining int, reset time.Duration, limited bool) {
	w.Header().Set("X-RateLimit-Limit", fmt.Sprint(limit))
	w.Header().Set("X-RateLimit-Remaining", fmt.Sprint(remaining))
	if limited {
		secs := reset.Seconds()
		w.Header().Set("X-RateLimit-Reset", fmt.Sprintf("%.3f", secs))
		w.Header().Set("Retry-After", fmt.Sprint(int(secs+0.999)))
	}
}
