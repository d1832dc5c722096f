package steps

import (
	"encoding/xml"
	"os"
	"strings"
)

// godog's junit formatter writes a scenario the suite skipped (a target
// that cannot run it) as a test case with an empty status and an <error
// type="skipped"> per step, and counts it in no suite's skipped: a CI
// parser reads those as errors. FixJUnitSkips rewrites such a case as
// <skipped message="reason"/> with status "skipped" and recounts.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name    string         `xml:"name,attr"`
	Status  string         `xml:"status,attr"`
	Time    string         `xml:"time,attr"`
	Failure *junitMessage  `xml:"failure,omitempty"`
	Errors  []junitMessage `xml:"error"`
	Skipped *junitMessage  `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
}

// junitPath is the file a godog format list ("pretty,junit:PATH,...")
// writes junit to; "" when none.
func junitPath(format string) string {
	for _, f := range strings.Split(format, ",") {
		if p, ok := strings.CutPrefix(f, "junit:"); ok {
			return p
		}
	}
	return ""
}

// FixJUnitSkips rewrites the junit file at path so each scenario in
// skips (by name) that godog wrote as skipped steps is a skipped test
// case with its reason, and the suites' skipped counts hold them.
func FixJUnitSkips(path string, skips []Skip) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc junitSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		return err
	}
	reasons := map[string]string{}
	for _, s := range skips {
		reasons[s.Scenario] = s.Reason
	}
	doc.Skipped = 0
	for i := range doc.Suites {
		suite := &doc.Suites[i]
		suite.Skipped = 0
		for j := range suite.Cases {
			c := &suite.Cases[j]
			if c.Status == "" && c.Failure == nil && len(c.Errors) > 0 && allSkipped(c.Errors) {
				reason, ok := reasons[c.Name]
				if !ok {
					reason = "skipped"
				}
				c.Status, c.Errors, c.Skipped = "skipped", nil, &junitMessage{Message: reason}
			}
			if c.Status == "skipped" {
				suite.Skipped++
			}
		}
		doc.Skipped += suite.Skipped
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(out, '\n')...), 0o644)
}

func allSkipped(errs []junitMessage) bool {
	for _, e := range errs {
		if e.Type != "skipped" {
			return false
		}
	}
	return true
}
