package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixJUnitSkips: a scenario godog wrote as skipped steps (an error per
// step, status "") becomes a skipped case with its reason and counts as
// skipped; passed and failed cases are kept as they were.
func TestFixJUnitSkips(t *testing.T) {
	in := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="tfcemu-vault-container" tests="3" skipped="0" failures="1" errors="0" time="1.5">
  <testsuite name="Remote runs" tests="3" skipped="0" failures="1" errors="0" time="0.03">
    <testcase name="apply runs remotely" status="" time="0.001">
      <error message="Step the Terraform CLI against the emulator" type="skipped"></error>
      <error message="Step I run &#34;terraform init&#34; and it succeeds" type="skipped"></error>
    </testcase>
    <testcase name="a plan" status="passed" time="0.002"></testcase>
    <testcase name="a failure" status="failed" time="0.002">
      <failure message="Step x: boom"></failure>
      <error message="Step y" type="skipped"></error>
    </testcase>
  </testsuite>
</testsuites>
`
	path := filepath.Join(t.TempDir(), "t.junit.xml")
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := FixJUnitSkips(path, []Skip{{Scenario: "apply runs remotely", Reason: "the Terraform CLI features run in-process only"}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, want := range []string{
		`<testsuites name="tfcemu-vault-container" tests="3" skipped="1" failures="1" errors="0" time="1.5">`,
		`<testsuite name="Remote runs" tests="3" skipped="1" failures="1" errors="0" time="0.03">`,
		`<testcase name="apply runs remotely" status="skipped" time="0.001">`,
		`<skipped message="the Terraform CLI features run in-process only"></skipped>`,
		`<testcase name="a plan" status="passed" time="0.002"></testcase>`,
		`<failure message="Step x: boom"></failure>`,
		`<error message="Step y" type="skipped"></error>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	if strings.Contains(out, "terraform init") {
		t.Errorf("the skipped case kept its step errors:\n%s", out)
	}
}

func TestJUnitPath(t *testing.T) {
	for format, want := range map[string]string{
		"pretty": "",
		"pretty,junit:/tmp/a.xml,cucumber:/tmp/b": "/tmp/a.xml",
		"junit:x.xml": "x.xml",
	} {
		if got := junitPath(format); got != want {
			t.Errorf("junitPath(%q) = %q, want %q", format, got, want)
		}
	}
}
