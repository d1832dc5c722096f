package tfc_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator/tfc"
	"github.com/tfcemu/tfcemu/fixtures"
)

var update = flag.Bool("update", false, "write the OpenAPI coverage figure into README.md")

// openAPIDocument is the official OpenAPI document of the HCP Terraform
// API (paths relative to /api/v2), kept in the repository.
const openAPIDocument = "testdata/tfc-openapi.json"

// readme is the README that states the coverage figure.
const readme = "../../README.md"

// coverageLine is the README's coverage sentence.
var coverageLine = regexp.MustCompile(`TFC API coverage: \d+ of \d+ OpenAPI operations`)

// pathParam is a path parameter in either spelling: {organization_name}
// in the document, {org} in the route table.
var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// operation is a method and a path with its parameters unnamed.
func operation(method, path string) string {
	return strings.ToUpper(method) + " " + pathParam.ReplaceAllString(path, "{}")
}

// TestOpenAPICoverage compares the route table with the operations of the
// OpenAPI document and checks the figure README.md states (go test
// -run TestOpenAPICoverage -update, or make openapi-coverage, rewrites it).
func TestOpenAPICoverage(t *testing.T) {
	b, err := os.ReadFile(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				ops[operation(method, path)] = false
			}
		}
	}
	seed, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	svc := tfc.New(tfc.Config{Seed: seed, Now: time.Now})
	var extra []string
	for _, r := range svc.Routes() {
		if r.API != "tfc" || !strings.HasPrefix(r.Path, "/api/v2/") {
			continue
		}
		op := operation(r.Method, strings.TrimPrefix(r.Path, "/api/v2"))
		if _, ok := ops[op]; ok {
			ops[op] = true
		} else {
			extra = append(extra, op)
		}
	}
	covered := 0
	for _, ok := range ops {
		if ok {
			covered++
		}
	}
	sort.Strings(extra)
	t.Logf("%d routes are not in the OpenAPI document (go-tfe uses them): %s", len(extra), strings.Join(extra, ", "))
	if covered == 0 || len(ops) == 0 {
		t.Fatalf("coverage %d of %d: the document or the table did not load", covered, len(ops))
	}
	want := fmt.Sprintf("TFC API coverage: %d of %d OpenAPI operations", covered, len(ops))
	t.Log(want)
	text, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	got := coverageLine.Find(text)
	if *update {
		if got == nil {
			t.Fatalf("README.md has no line matching %q to update", coverageLine)
		}
		if err := os.WriteFile(readme, coverageLine.ReplaceAll(text, []byte(want)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(got) != want {
		t.Fatalf("README.md says %q, the table gives %q: run make openapi-coverage", got, want)
	}
}
