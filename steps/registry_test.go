package steps

import (
	"context"
	"errors"
	"io"
	"testing"
	"testing/fstest"

	"github.com/cucumber/godog"

	"github.com/tfcemu/tfcemu/features"
)

// runRegistryFeature runs one feature through the real suite hooks on a
// target named "fake" with the registry given, where the step "it fails"
// fails and "it passes" passes. With testingT, scenarios run as its
// subtests, as in TestFeatures.
func runRegistryFeature(t *testing.T, testingT *testing.T, registry, feature string) (*Suite, int) {
	t.Helper()
	reg, err := features.ParseRegistry([]byte(registry))
	if err != nil {
		t.Fatal(err)
	}
	suite := &Suite{Target: &Target{Name: "fake"}, Registry: reg}
	opts := &godog.Options{Format: "progress", Output: io.Discard, FS: fstest.MapFS{"x.feature": {Data: []byte(feature)}},
		Paths: []string{"."}, Strict: true, TestingT: testingT}
	status := godog.TestSuite{
		Name: "registry",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			suite.InitializeScenario(sc)
			sc.Step(`^it fails$`, func(context.Context) error { return errors.New("boom") })
			sc.Step(`^it passes$`, func(context.Context) error { return nil })
		},
		Options: opts,
	}.Run()
	return suite, status
}

// TestDeviationsRegistrySemantics runs a tiny feature through the real
// suite hooks: a listed failure passes as a known deviation, a listed
// scenario that passes fails as stale, an unlisted failure fails.
func TestDeviationsRegistrySemantics(t *testing.T) {
	suite, status := runRegistryFeature(t, nil, `deviations:
  - {scenario: 'Fails but is listed', target: fake, expect: fail, reason: known gap, link: 'https://example.test/1'}
  - {scenario: 'Passes but is listed*', target: fake, expect: fail, reason: fixed since, link: 'https://example.test/2'}
`, `Feature: registry
  Scenario: Fails but is listed
    Given it fails
  Scenario: Passes but is listed
    Given it passes
  Scenario: Fails and is not listed
    Given it fails
  Scenario: Passes and is not listed
    Given it passes
`)
	if status == 0 {
		t.Fatal("the run passed despite a stale entry and an unlisted failure")
	}
	want := map[string]string{
		"Fails but is listed":      StatusDeviation,
		"Passes but is listed":     StatusFailed,
		"Fails and is not listed":  StatusFailed,
		"Passes and is not listed": StatusPassed,
	}
	got := map[string]Result{}
	for _, r := range suite.Results() {
		got[r.Scenario] = r
	}
	for name, status := range want {
		if got[name].Status != status {
			t.Errorf("%s: %q (%s), want %q", name, got[name].Status, got[name].Detail, status)
		}
	}
	if d := got["Passes but is listed"].Detail; d != "stale deviations.yaml entry: the scenario passes on fake; remove the entry" {
		t.Errorf("stale detail = %q", d)
	}
}

// TestKnownDeviationsPassTheRun is the registry's promise end to end: a
// run whose only failures are listed passes, with the same TestingT
// subtests TestFeatures uses, and each listed scenario is recorded once.
func TestKnownDeviationsPassTheRun(t *testing.T) {
	suite, status := runRegistryFeature(t, t, `deviations:
  - {scenario: 'Fails in its first step*', target: fake, expect: fail, reason: known gap, link: 'https://example.test/1'}
  - {scenario: 'Fails in its last step', target: fake, expect: fail, reason: known gap, link: 'https://example.test/2'}
`, `Feature: known deviations
  Scenario: Fails in its first step, of three
    Given it fails
    And it passes
    And it passes
  Scenario: Fails in its last step
    Given it passes
    And it fails
  Scenario: Passes and is not listed
    Given it passes
`)
	if status != 0 {
		t.Fatalf("godog exited with status %d: listed failures failed the run", status)
	}
	counts := map[string]int{}
	for _, r := range suite.Results() {
		counts[r.Scenario+" = "+r.Status]++
	}
	want := map[string]int{
		"Fails in its first step, of three = " + StatusDeviation: 1,
		"Fails in its last step = " + StatusDeviation:            1,
		"Passes and is not listed = " + StatusPassed:             1,
	}
	if len(counts) != len(want) {
		t.Fatalf("results %v, want %v", counts, want)
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("results %v, want %v", counts, want)
		}
	}
}

func TestReportsNumberOutlineExamples(t *testing.T) {
	rep := BuildReport("x", []Result{{Feature: "f", Scenario: "s", Status: StatusPassed}, {Feature: "f", Scenario: "s", Status: StatusFailed}},
		[]Skip{{Scenario: "t", Reason: "why"}})
	if len(rep.Results) != 3 || rep.Results[2].Scenario != "s (example 2)" || rep.Results[0].Detail != "why" {
		t.Fatalf("report = %+v", rep.Results)
	}
}
