package vault

import (
	"container/heap"
	"slices"
	"time"
)

// expiryQueue orders leases and tokens by expiry time (a min-heap with an
// index by key), so the sweep finds what is due without walking every
// lease and token. Keys are "l:<lease id>" and "t:<token id>". The
// caller holds the server's lock.
type expiryQueue struct {
	items []*expiryItem
	index map[string]*expiryItem
}

type expiryItem struct {
	key string
	at  time.Time
	pos int
}

func newExpiryQueue() *expiryQueue { return &expiryQueue{index: map[string]*expiryItem{}} }

func (q *expiryQueue) Len() int           { return len(q.items) }
func (q *expiryQueue) Less(i, j int) bool { return q.items[i].at.Before(q.items[j].at) }
func (q *expiryQueue) Swap(i, j int) {
	q.items[i], q.items[j] = q.items[j], q.items[i]
	q.items[i].pos, q.items[j].pos = i, j
}
func (q *expiryQueue) Push(x any) {
	it := x.(*expiryItem)
	it.pos = len(q.items)
	q.items = append(q.items, it)
}
func (q *expiryQueue) Pop() any {
	n := len(q.items)
	it := q.items[n-1]
	q.items = q.items[:n-1]
	return it
}

// set schedules key at t; a zero t removes it (never expires).
func (q *expiryQueue) set(key string, t time.Time) {
	if t.IsZero() {
		q.remove(key)
		return
	}
	if it, ok := q.index[key]; ok {
		it.at = t
		heap.Fix(q, it.pos)
		return
	}
	it := &expiryItem{key: key, at: t}
	q.index[key] = it
	heap.Push(q, it)
}

func (q *expiryQueue) remove(key string) {
	if it, ok := q.index[key]; ok {
		heap.Remove(q, it.pos)
		delete(q.index, key)
	}
}

// due reports whether anything expires at or before now.
// next is the earliest expiry queued, if any.
func (q *expiryQueue) next() (time.Time, bool) {
	if len(q.items) == 0 {
		return time.Time{}, false
	}
	return q.items[0].at, true
}

func (q *expiryQueue) due(now time.Time) bool {
	return len(q.items) > 0 && !now.Before(q.items[0].at)
}

// dueKeys are the keys expiring at or before now, earliest first. They
// stay queued: revocation removes them.
func (q *expiryQueue) dueKeys(now time.Time) []string {
	var out []string
	// The heap's due entries form a subtree at the root: walk it.
	var found []*expiryItem
	var walk func(i int)
	walk = func(i int) {
		if i >= len(q.items) || now.Before(q.items[i].at) {
			return
		}
		found = append(found, q.items[i])
		walk(2*i + 1)
		walk(2*i + 2)
	}
	walk(0)
	slices.SortFunc(found, func(a, b *expiryItem) int { return a.at.Compare(b.at) })
	for _, it := range found {
		out = append(out, it.key)
	}
	return out
}

// leaseKey and tokenKey are a lease's and a token's keys in the expiry
// queue: every schedule, removal and sweep goes through them.
func leaseKey(id string) string { return leaseKeyPrefix + id }
func tokenKey(id string) string { return tokenKeyPrefix + id }

const (
	leaseKeyPrefix = "l:"
	tokenKeyPrefix = "t:"
)
