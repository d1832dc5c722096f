package gcp

import (
	"sync"

	"github.com/google/cel-go/cel"
)

// maxCachedPrograms bounds the program cache: seeds come from the admin
// API too, and past this many expressions each compiles every time.
const maxCachedPrograms = 256

// programKey is one compiled expression: its environment, its text and
// whether it must be a bool.
type programKey struct {
	env     *cel.Env
	expr    string
	boolean bool
}

// programCache holds compiled CEL programs. A seed's expressions are
// compiled by the seed's validation, by SetSeed and by every Reset; a
// program is safe for concurrent use, so one compile serves them all.
type programCache struct {
	mu sync.Mutex
	m  map[programKey]cel.Program
}

// programs is the process's program cache.
var programs programCache

func (c *programCache) get(k programKey) (cel.Program, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	prg, ok := c.m[k]
	return prg, ok
}

func (c *programCache) put(k programKey, prg cel.Program) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[programKey]cel.Program{}
	}
	if len(c.m) < maxCachedPrograms {
		c.m[k] = prg
	}
}
