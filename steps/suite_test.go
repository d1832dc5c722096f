package steps

import (
	"errors"
	"os"
	"testing"

	"github.com/cucumber/godog"

	"github.com/tfcemu/tfcemu/features"
)

// TestFeatures runs every feature file against the target chosen by
// TFCEMU_TARGET (default: the emulator in-process). Scenarios a target cannot
// run are reported as skipped subtests with their reason.
func TestFeatures(t *testing.T) {
	name := TargetName()
	target, err := StartTarget(name)
	var unavailable ErrTargetUnavailable
	if errors.As(err, &unavailable) {
		if dir := os.Getenv("TFCEMU_REPORT_DIR"); dir != "" {
			rep := Report{Target: name, Results: []Result{{Feature: "*", Scenario: "(every scenario)", Status: StatusSkipped, Detail: unavailable.Reason}}}
			if err := WriteReports(dir, rep); err != nil {
				t.Errorf("reports: %v", err)
			}
		}
		t.Skipf("target %s unavailable: %s", name, unavailable.Reason)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()

	registry, err := features.LoadRegistry()
	if err != nil {
		t.Fatal(err)
	}
	suite := &Suite{Target: target, Registry: registry}
	opts := godog.Options{
		Format:   "pretty",
		FS:       features.FS,
		Paths:    []string{"."},
		Tags:     os.Getenv("TFCEMU_TAGS"),
		Strict:   true,
		TestingT: t,
	}
	if f := os.Getenv("TFCEMU_FORMAT"); f != "" {
		opts.Format = f
	}
	status := godog.TestSuite{Name: "tfcemu-" + name, ScenarioInitializer: suite.InitializeScenario, Options: &opts}.Run()
	for _, s := range suite.Skips() {
		t.Run("skipped/"+s.Scenario, func(t *testing.T) { t.Skip(s.Reason) })
	}
	if p := junitPath(opts.Format); p != "" {
		if err := FixJUnitSkips(p, suite.Skips()); err != nil {
			t.Errorf("junit report: %v", err)
		}
	}
	if dir := os.Getenv("TFCEMU_REPORT_DIR"); dir != "" {
		if err := WriteReports(dir, BuildReport(name, suite.Results(), suite.Skips())); err != nil {
			t.Errorf("reports: %v", err)
		}
	}
	if status != 0 {
		t.Fatalf("godog exited with status %d", status)
	}
}
