package tfc

import (
	"regexp"
	"sync"
)

// lazyRegexp is a validation pattern compiled on its first use: compiled
// at package init, the patterns are start-up time a start does not need.
type lazyRegexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// lazy returns expr, to be compiled when first matched.
func lazy(expr string) *lazyRegexp { return &lazyRegexp{expr: expr} }

// MatchString reports whether s contains a match of the pattern.
func (l *lazyRegexp) MatchString(s string) bool {
	l.once.Do(func() { l.re = regexp.MustCompile(l.expr) })
	return l.re.MatchString(s)
}
