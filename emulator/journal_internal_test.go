package emulator

import (
	"fmt"
	"testing"
)

// TestJournalRing fills the journal past its bound: the newest
// journalSize entries remain, oldest first, and limit and the unmatched
// filter apply to them.
func TestJournalRing(t *testing.T) {
	var j journal
	total := journalSize + 250
	for i := range total {
		j.add(JournalEntry{Path: fmt.Sprint(i), Unmatched: i%2 == 0})
	}
	all := j.Entries(0, false)
	if len(all) != journalSize {
		t.Fatalf("len %d, want %d", len(all), journalSize)
	}
	for i, e := range all {
		if want := fmt.Sprint(total - journalSize + i); e.Path != want {
			t.Fatalf("entry %d is %s, want %s", i, e.Path, want)
		}
	}
	last := j.Entries(3, false)
	if len(last) != 3 || last[2].Path != fmt.Sprint(total-1) || last[0].Path != fmt.Sprint(total-3) {
		t.Fatalf("limit 3: %+v", last)
	}
	un := j.Entries(0, true)
	if len(un) != journalSize/2 || un[len(un)-1].Path != fmt.Sprint(total-2) {
		t.Fatalf("unmatched: %d, last %+v", len(un), un[len(un)-1])
	}
	j.Clear()
	if got := j.Entries(0, false); len(got) != 0 {
		t.Fatalf("after clear: %d", len(got))
	}
	j.add(JournalEntry{Path: "x"})
	if got := j.Entries(0, false); len(got) != 1 || got[0].Path != "x" {
		t.Fatalf("after clear and add: %+v", got)
	}
}
