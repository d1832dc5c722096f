package gcp

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"sync"

	"github.com/tfcemu/tfcemu/internal/usercache"
)

// celChecksFile lists the CEL expressions this tfcemu binary compiled
// without error, in the user's cache directory: its first line is the
// binary's stamp (another build starts a new list), then one SHA-256 of
// an expression with its environment per line. A start whose seed has
// only such expressions leaves compiling them to the first exchange or to
// Warm.
const celChecksFile = "gcp-cel-checked"

// maxCELChecks bounds the file: past it, the list starts again.
const maxCELChecks = 1024

// checkedExpressions is the process's view of the file, read once.
type checkedExpressions struct {
	once   sync.Once
	mu     sync.Mutex
	binary string // "" when the binary cannot be identified: nothing is known
	sums   map[string]bool
}

// celChecks is the process's list of expressions known to compile.
var celChecks checkedExpressions

func (c *checkedExpressions) load() {
	c.once.Do(func() {
		c.sums = map[string]bool{}
		c.binary = binaryStamp()
		if c.binary == "" {
			return
		}
		b, err := usercache.ReadFile(celChecksFile)
		if err != nil {
			return
		}
		lines := strings.Split(string(b), "\n")
		if lines[0] != c.binary {
			return
		}
		for _, s := range lines[1:] {
			if s != "" {
				c.sums[s] = true
			}
		}
	})
}

// known reports whether each of exprs compiled before with this binary.
func (c *checkedExpressions) known(exprs []string) bool {
	c.load()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.binary == "" || len(exprs) == 0 {
		return false
	}
	for _, e := range exprs {
		if !c.sums[celSum(e)] {
			return false
		}
	}
	return true
}

// remember records exprs as compiled, writing the file when one is new.
// A write that fails is no error: the next start compiles again.
func (c *checkedExpressions) remember(exprs []string) {
	c.load()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.binary == "" {
		return
	}
	added := false
	for _, e := range exprs {
		if s := celSum(e); !c.sums[s] {
			if len(c.sums) >= maxCELChecks {
				clear(c.sums)
			}
			c.sums[s], added = true, true
		}
	}
	if !added {
		return
	}
	var b strings.Builder
	b.WriteString(c.binary + "\n")
	for s := range c.sums {
		b.WriteString(s + "\n")
	}
	_ = usercache.WriteFile(celChecksFile, []byte(b.String()), 0o600)
}

func celSum(expr string) string {
	sum := sha256.Sum256([]byte(expr))
	return hex.EncodeToString(sum[:])
}

// binaryStamp identifies the running binary by its path and
// usercache.Stamp, as the Terraform version cache identifies a CLI: a
// rebuilt tfcemu (another cel-go, other declarations) has another stamp.
func binaryStamp() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return exe + "@" + usercache.Stamp(fi)
}
