package vault

import (
	"reflect"
	"testing"
	"time"
)

func TestExpiryQueue(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := newExpiryQueue()
	for i, key := range []string{"l:c", "l:a", "t:b", "l:d", "t:e"} {
		q.set(key, t0.Add(time.Duration(5-i)*time.Minute))
	}
	q.set("l:d", t0.Add(10*time.Minute)) // renewed
	q.remove("t:e")                      // revoked
	q.set("t:root", time.Time{})         // never expires
	if q.due(t0) {
		t.Fatal("nothing is due at t0")
	}
	if got, want := q.dueKeys(t0.Add(4*time.Minute)), []string{"t:b", "l:a"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("due at +4m = %v, want %v", got, want)
	}
	if got, want := q.dueKeys(t0.Add(time.Hour)), []string{"t:b", "l:a", "l:c", "l:d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("due at +1h = %v, want %v", got, want)
	}
	for _, k := range []string{"t:b", "l:a", "l:c", "l:d"} {
		q.remove(k)
	}
	if q.Len() != 0 || q.due(t0.Add(time.Hour)) {
		t.Fatalf("queue not empty: %d", q.Len())
	}
}
