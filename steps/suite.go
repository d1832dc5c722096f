package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/cucumber/godog"

	"github.com/tfcemu/tfcemu/features"
)

// Skip records a scenario the target could not run, and why.
type Skip struct {
	Scenario string
	Reason   string
}

// Suite runs the features against one target. It keeps the skip reasons so
// the test runner can report each skipped scenario as skipped, never as
// passed.
type Suite struct {
	Target *Target
	// Registry lists the known deviations; nil means none.
	Registry *features.Registry

	mu      sync.Mutex
	skips   []Skip
	results []Result
}

// Result statuses.
const (
	StatusPassed    = "passed"
	StatusFailed    = "failed"
	StatusSkipped   = "skipped"
	StatusDeviation = "known deviation"
)

// Result is one scenario's outcome on the target, for the reports.
type Result struct {
	Feature  string `json:"feature"`
	Scenario string `json:"scenario"`
	Status   string `json:"status"`
	Detail   string `json:"detail,omitempty"`
	// Step is the failing step's text, for a failure.
	Step string `json:"step,omitempty"`
}

// Results returns the outcomes so far.
func (s *Suite) Results() []Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Result(nil), s.results...)
}

func (s *Suite) record(r Result) {
	s.mu.Lock()
	s.results = append(s.results, r)
	s.mu.Unlock()
}

// Skips returns the scenarios skipped so far with their reasons.
func (s *Suite) Skips() []Skip {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Skip(nil), s.skips...)
}

type scenarioKey struct{}

// scenario is the per-scenario state, carried in the context.
type scenario struct {
	suite   *Suite
	target  *Target
	name    string
	feature string
	tags    map[string]bool
	skipped string // the reason, once skipped
	// judged is set once the scenario's outcome is recorded; verdict is
	// what the after-scenario hook answered then. godog calls the hook
	// again at the last step when the first answer was not a failure.
	judged  bool
	verdict error
	// failedStep is the text of the first step that failed.
	failedStep string

	resp  *response
	token *jwtToken
	// tfcToken is the bearer token TFC requests carry; the owner's unless a
	// step switches it.
	tfcToken string
	// vaultToken is the X-Vault-Token Vault requests carry; root unless a
	// step switches it.
	vaultToken string
	// remembered holds values steps saved, used as {name} placeholders.
	remembered map[string]string
	// nextHeader is sent with the next request only (Host included);
	// noAdminToken leaves the admin token off it.
	nextHeader   http.Header
	noAdminToken bool
}

func world(ctx context.Context) *scenario { return ctx.Value(scenarioKey{}).(*scenario) }

// skip records why the current scenario cannot run here and stops it.
func (sc *scenario) skip(format string, a ...any) error {
	reason := fmt.Sprintf(format, a...)
	sc.suite.mu.Lock()
	sc.suite.skips = append(sc.suite.skips, Skip{Scenario: sc.name, Reason: reason})
	sc.suite.mu.Unlock()
	sc.skipped = reason
	return fmt.Errorf("%w: %s", godog.ErrSkip, reason)
}

// needEmulator skips the scenario unless the target is tfcemu.
func (sc *scenario) needEmulator(what string) error {
	if sc.target.Emulator {
		return nil
	}
	return sc.skip("%s needs the emulator's admin API; target %s is a real service", what, sc.target.Name)
}

// InitializeScenario registers every step and the per-scenario hooks.
func (s *Suite) InitializeScenario(ctx *godog.ScenarioContext) {
	ctx.Before(func(c context.Context, p *godog.Scenario) (context.Context, error) {
		sc := &scenario{suite: s, target: s.Target, name: p.Name, feature: p.Uri, tags: map[string]bool{},
			tfcToken: s.Target.OwnerToken, vaultToken: s.Target.VaultToken, remembered: map[string]string{}}
		for _, t := range p.Tags {
			sc.tags[t.Name] = true
		}
		c = context.WithValue(c, scenarioKey{}, sc)
		switch {
		case sc.tags["@emulator-only"] && !s.Target.Emulator:
			return c, sc.skip("@emulator-only scenario; target %s is a real service", s.Target.Name)
		case sc.tags["@seed"] && !s.Target.Emulator:
			return c, sc.skip("uses the default seed's resources (my-org, my-workspace, hashicorp-vault-testing), which target %s does not have", s.Target.Name)
		case sc.tags["@vault-clock"] && s.Target.RealVault:
			return c, sc.skip("@vault-clock scenario: it moves the virtual clock under Vault's own time checks, and target %s's Vault is real and keeps real time (its real-time variant runs instead)", s.Target.Name)
		case sc.tags["@emulated-vault"] && s.Target.RealVault:
			return c, sc.skip("@emulated-vault scenario: it checks the emulator's own Vault listener, and target %s's Vault is real", s.Target.Name)
		case sc.tags["@real-only"] && s.Target.Emulator:
			return c, sc.skip("@real-only scenario; target %s is the emulator", s.Target.Name)
		}
		if s.Target.Emulator {
			if err := sc.admin(c, "POST", "/reset", nil, nil); err != nil {
				return c, fmt.Errorf("reset emulator: %w", err)
			}
		}
		return c, nil
	})
	ctx.After(func(c context.Context, p *godog.Scenario, err error) (context.Context, error) {
		sc, ok := c.Value(scenarioKey{}).(*scenario)
		if !ok {
			return c, err
		}
		if sc.judged {
			return c, sc.verdict
		}
		if s.Target.RealVault {
			sc.cleanRealVault(c)
		}
		if s.Target.CheckState != nil {
			if cerr := s.Target.CheckState(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("state file: %w", cerr))
			}
		}
		sc.judged, sc.verdict = true, s.judge(sc, err)
		return c, sc.verdict
	})
	ctx.StepContext().After(func(c context.Context, st *godog.Step, _ godog.StepResultStatus, err error) (context.Context, error) {
		if sc, ok := c.Value(scenarioKey{}).(*scenario); ok && err != nil && sc.failedStep == "" && !errors.Is(err, godog.ErrSkip) {
			sc.failedStep = st.Text
		}
		return c, err
	})
	registerHTTPSteps(ctx)
	registerClockSteps(ctx)
	registerIdentitySteps(ctx)
	registerTFCSteps(ctx)
	registerCompareSteps(ctx)
	registerAWSSteps(ctx)
	registerGCPSteps(ctx)
	registerAzureSteps(ctx)
	registerRunSteps(ctx)
	registerTerraformSteps(ctx)
}

// cleanRealVault disables what scenarios mount on a real Vault, so the next
// scenario starts from a dev server's state.
func (sc *scenario) cleanRealVault(ctx context.Context) {
	for _, p := range []string{"/v1/sys/mounts/terraform", "/v1/sys/auth/jwt"} {
		_, _ = sc.do(ctx, "DELETE", sc.target.VaultURL+p, nil, map[string][]string{"X-Vault-Token": {sc.target.VaultToken}})
	}
}

// judge records a scenario's outcome and applies the deviations registry:
// a listed failure passes as a known deviation; a listed scenario that
// passes fails, so the registry never keeps stale entries.
//
// A hook cannot clear a step's error in godog; it can join one to it. A
// known deviation answers an error that is godog.ErrSkip, which godog
// (from v0.16, whose joined hook errors match either side) does not count
// as a failure: the failing step shows as skipped and the run passes.
func (s *Suite) judge(sc *scenario, err error) error {
	r := Result{Feature: sc.feature, Scenario: sc.name}
	var dev features.Deviation
	listed := false
	if s.Registry != nil {
		dev, listed = s.Registry.Lookup(sc.name, s.Target.Name)
	}
	switch {
	case sc.skipped != "" || errors.Is(err, godog.ErrSkip):
		r.Status, r.Detail = StatusSkipped, sc.skipped
	case err != nil && listed:
		r.Status, r.Detail, r.Step = StatusDeviation, dev.Reason+" ("+dev.Link+")", sc.failedStep
		err = fmt.Errorf("%w: known deviation on %s: %s", godog.ErrSkip, s.Target.Name, r.Detail)
	case err != nil:
		r.Status, r.Detail, r.Step = StatusFailed, err.Error(), sc.failedStep
	case listed:
		r.Status, r.Detail = StatusFailed, "stale deviations.yaml entry: the scenario passes on "+s.Target.Name+"; remove the entry"
		err = fmt.Errorf("%s", r.Detail)
	default:
		r.Status = StatusPassed
	}
	s.record(r)
	return err
}
