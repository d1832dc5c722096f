package features

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/url"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed deviations.yaml
var deviationsYAML []byte

// Choice is behaviour tfcemu chose where the documents are silent.
type Choice struct {
	Topic     string `yaml:"topic"`
	Behaviour string `yaml:"behaviour"`
	Reason    string `yaml:"reason"`
	// Link is the public source (an http(s) URL) the choice rests on.
	Link string `yaml:"link"`
}

// Deviation is a scenario known to fail on a target.
type Deviation struct {
	// Scenario is a glob (path.Match) over scenario names.
	Scenario string `yaml:"scenario"`
	// Target is the TFCEMU_TARGET it applies to, or "*".
	Target string `yaml:"target"`
	// Expect is the expected result: "fail".
	Expect string `yaml:"expect"`
	Reason string `yaml:"reason"`
	// Link is the public source (an http(s) URL) of the reason.
	Link string `yaml:"link"`
}

// Registry is features/deviations.yaml.
type Registry struct {
	Choices    []Choice    `yaml:"choices"`
	Deviations []Deviation `yaml:"deviations"`
}

// LoadRegistry reads the embedded deviations registry.
func LoadRegistry() (*Registry, error) { return ParseRegistry(deviationsYAML) }

// ParseRegistry decodes and checks a registry: every entry complete, every
// link an http(s) URL a reader can open, every glob valid, every
// expectation "fail".
func ParseRegistry(b []byte) (*Registry, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var r Registry
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("deviations.yaml: %w", err)
	}
	for i, c := range r.Choices {
		if c.Topic == "" || c.Behaviour == "" || c.Reason == "" || c.Link == "" {
			return nil, fmt.Errorf("deviations.yaml: choice %d (%q) lacks topic, behaviour, reason or link", i, c.Topic)
		}
		if err := checkLink(c.Link); err != nil {
			return nil, fmt.Errorf("deviations.yaml: choice %d (%q): %w", i, c.Topic, err)
		}
	}
	for i, d := range r.Deviations {
		if d.Scenario == "" || d.Target == "" || d.Expect == "" || d.Reason == "" || d.Link == "" {
			return nil, fmt.Errorf("deviations.yaml: deviation %d (%q) lacks scenario, target, expect, reason or link", i, d.Scenario)
		}
		if _, err := path.Match(d.Scenario, ""); err != nil {
			return nil, fmt.Errorf("deviations.yaml: deviation %d: bad glob %q", i, d.Scenario)
		}
		if d.Expect != "fail" {
			return nil, fmt.Errorf("deviations.yaml: deviation %d: expect %q, only \"fail\" is meaningful", i, d.Expect)
		}
		if err := checkLink(d.Link); err != nil {
			return nil, fmt.Errorf("deviations.yaml: deviation %d (%q): %w", i, d.Scenario, err)
		}
	}
	return &r, nil
}

// Lookup returns the deviation listed for a scenario on a target, if any.
func (r *Registry) Lookup(scenario, target string) (Deviation, bool) {
	for _, d := range r.Deviations {
		if d.Target != "*" && d.Target != target {
			continue
		}
		if ok, _ := path.Match(d.Scenario, scenario); ok {
			return d, true
		}
	}
	return Deviation{}, false
}

// checkLink accepts one absolute http(s) URL: the registry cites public
// documents and source, never a file outside the repository.
func checkLink(link string) error {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(link, " \t") {
		return fmt.Errorf("link %q is not one http(s) URL", link)
	}
	return nil
}
