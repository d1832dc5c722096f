// Package features holds the Gherkin feature files that state tfcemu's
// documented behaviour, embedded so the harness runs them from any
// directory and any target.
package features

import "embed"

// FS holds every feature file, by area: identity/, tfc/, vault/, ...
//
//go:embed */*.feature
var FS embed.FS
