package tfc

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"testing"
)

// undeclared holds the stacks of the Updates that succeeded without
// declaring their changes in this test binary.
var undeclared struct {
	sync.Mutex
	stacks []string
}

// TestMain fails the run when any write path of the tests took a
// successful Update without declaring its changes (State.touch): the
// state file would log that write as the whole TFC state.
func TestMain(m *testing.M) {
	onUndeclared = func() {
		undeclared.Lock()
		undeclared.stacks = append(undeclared.stacks, string(debug.Stack()))
		undeclared.Unlock()
	}
	code := m.Run()
	if n := len(undeclared.stacks); n > 0 {
		fmt.Fprintf(os.Stderr, "%d Updates succeeded without declaring their changes (st.touch); the first:\n%s\n", n, undeclared.stacks[0])
		code = 1
	}
	os.Exit(code)
}
