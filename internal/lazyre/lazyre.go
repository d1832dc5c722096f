// Package lazyre holds regular expressions compiled on their first use.
//
// A package-level regexp.MustCompile runs at program start whether or not
// the pattern is ever matched, and a pattern with counted repetitions
// (x{4,32}) compiles to a program of hundreds of instructions: together
// they were a large part of tfcemu's start-up. A lazyre.Regexp costs
// nothing until a match needs it.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled when first used. Its methods
// are regexp.Regexp's; an invalid expression panics at the first use, as
// regexp.MustCompile would at init (each package's tests use its
// patterns).
type Regexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// New returns expr, to be compiled on its first use.
func New(expr string) *Regexp { return &Regexp{expr: expr} }

// Regexp returns the compiled expression, compiling it on the first call.
func (l *Regexp) Regexp() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.expr) })
	return l.re
}

// MatchString reports whether s contains a match of the expression.
func (l *Regexp) MatchString(s string) bool { return l.Regexp().MatchString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (l *Regexp) FindStringSubmatch(s string) []string { return l.Regexp().FindStringSubmatch(s) }

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (l *Regexp) ReplaceAllString(src, repl string) string {
	return l.Regexp().ReplaceAllString(src, repl)
}

// String returns the source text of the expression, without compiling it.
func (l *Regexp) String() string { return l.expr }
