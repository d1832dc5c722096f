package gcp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/internal/usercache"
)

// freshCELChecks points the user cache at a temp directory and forgets
// what the process read of it.
func freshCELChecks(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	celChecks = checkedExpressions{}
	t.Cleanup(func() { celChecks = checkedExpressions{} })
}

// A provider's CEL compiles at its first validation and is remembered; a
// later start (the list read again) validates the same provider without
// compiling, and the first use compiles it.
func TestKnownExpressionsCompileOnFirstUse(t *testing.T) {
	freshCELChecks(t)
	p := Provider{OIDC: OIDC{IssuerURI: IssuerPlaceholder},
		AttributeMapping:   map[string]string{"google.subject": "assertion.sub", "attribute.org": "assertion.terraform_organization_name"},
		AttributeCondition: `assertion.terraform_organization_name == "celchecks-org"`}
	first, err := compileProvider(providerPath, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.mapping) != 2 || first.condition == nil {
		t.Fatalf("an unknown provider was not compiled at validation: %d programs, condition %v", len(first.mapping), first.condition != nil)
	}
	raw, err := usercache.ReadFile(celChecksFile)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n"); len(lines) != 4 || lines[0] != binaryStamp() {
		t.Fatalf("%s = %s", celChecksFile, raw)
	}

	celChecks = checkedExpressions{} // a second start
	second, err := compileProvider(providerPath, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.mapping) != 0 || second.condition != nil {
		t.Fatal("a known provider was compiled at validation")
	}
	if err := second.programs(); err != nil || len(second.mapping) != 2 || second.condition == nil {
		t.Fatalf("programs: %v, %d programs", err, len(second.mapping))
	}
	m, _, err := second.evalMapping(map[string]any{"sub": "s", "terraform_organization_name": "celchecks-org"})
	if ok, _ := second.evalCondition(map[string]any{"terraform_organization_name": "celchecks-org"}, m); err != nil || m.Subject != "s" || !ok {
		t.Fatalf("evaluation: %+v, %v, condition %v", m, err, ok)
	}

	// A provider with one expression never compiled is compiled now, and
	// its error reported.
	p.AttributeCondition = `assertion.terraform_organization_name ==`
	if _, err := compileProvider(providerPath, p); err == nil || !strings.Contains(err.Error(), "attribute_condition:") {
		t.Fatalf("a broken condition beside known mappings: %v", err)
	}
}

// The list speaks for one binary: another's is ignored.
func TestCELChecksOfAnotherBinaryAreIgnored(t *testing.T) {
	freshCELChecks(t)
	doc := "/elsewhere/tfcemu@1@1\n" + celSum("mapping\x00assertion.sub") + "\n"
	if err := usercache.WriteFile(celChecksFile, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if celChecks.known([]string{"mapping\x00assertion.sub"}) {
		t.Fatal("another binary's list was trusted")
	}
}

// A list that vouches for an expression that does not compile (a file
// changed by hand) lets the seed in, and the provider refuses exchanges
// with the compile error instead of panicking.
func TestAForgedCELCheckRefusesExchanges(t *testing.T) {
	freshCELChecks(t)
	broken := `assertion.terraform_organization_name ==`
	doc := binaryStamp() + "\n" + celSum("mapping\x00assertion.sub") + "\n" + celSum("condition\x00"+broken) + "\n"
	if err := usercache.WriteFile(celChecksFile, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	p := Provider{OIDC: OIDC{IssuerURI: IssuerPlaceholder}, AttributeMapping: map[string]string{"google.subject": "assertion.sub"}, AttributeCondition: broken}
	if err := e.svc.SetSeed(Seed{WorkloadIdentityProviders: map[string]Provider{providerPath: p}}); err != nil {
		t.Fatal(err)
	}
	status, body := e.do("POST", "/v1/token", form, exchangeForm(providerAud, e.mint("my-org", "plan", providerAud)))
	if status != http.StatusBadRequest || !strings.Contains(body, "does not compile") || !strings.Contains(body, "attribute_condition") {
		t.Fatalf("%d %s", status, body)
	}
}
