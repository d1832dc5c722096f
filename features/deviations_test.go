package features

import (
	"bytes"
	"os"
	"testing"

	"gopkg.in/yaml.v3"
)

// Registry is the deviations registry, features/deviations.yaml.
type Registry struct {
	Choices []struct {
		Topic     string `yaml:"topic"`
		Behaviour string `yaml:"behaviour"`
		Reason    string `yaml:"reason"`
		Link      string `yaml:"link"`
	} `yaml:"choices"`
	Deviations []struct {
		Scenario string `yaml:"scenario"`
		Target   string `yaml:"target"`
		Expect   string `yaml:"expect"`
		Reason   string `yaml:"reason"`
		Link     string `yaml:"link"`
	} `yaml:"deviations"`
}

// TestRegistryIsComplete keeps every entry of the registry readable and
// complete: a choice without its reason or source is no use to a reviewer.
func TestRegistryIsComplete(t *testing.T) {
	b, err := os.ReadFile("deviations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var r Registry
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("deviations.yaml: %v", err)
	}
	if len(r.Choices) == 0 {
		t.Fatal("no choices recorded")
	}
	for i, c := range r.Choices {
		if c.Topic == "" || c.Behaviour == "" || c.Reason == "" || c.Link == "" {
			t.Errorf("choice %d (%q) lacks topic, behaviour, reason or link", i, c.Topic)
		}
	}
	for i, d := range r.Deviations {
		if d.Scenario == "" || d.Target == "" || d.Expect == "" || d.Reason == "" || d.Link == "" {
			t.Errorf("deviation %d (%q) lacks scenario, target, expect, reason or link", i, d.Scenario)
		}
	}
}
