package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/cucumber/godog"
)

// maxRealWait is how long a "seconds pass" step may really sleep on a real
// target; longer waits skip the scenario with the reason.
const maxRealWait = 5 * time.Second

type clockState struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
}

// now is the target's current time: the virtual clock on the emulator, the
// wall clock on a real service.
func (sc *scenario) now(ctx context.Context) (time.Time, error) {
	if !sc.target.Emulator {
		return time.Now(), nil
	}
	var s clockState
	err := sc.admin(ctx, "GET", "/clock", nil, &s)
	return s.Now, err
}

func registerClockSteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^the virtual clock is frozen$`, func(ctx context.Context) error {
		sc := world(ctx)
		if err := sc.needEmulator("freezing the clock"); err != nil {
			return err
		}
		return sc.admin(ctx, "POST", "/clock", map[string]bool{"freeze": true}, nil)
	})
	ctx.Step(`^the virtual clock is set to "([^"]*)"$`, func(ctx context.Context, t string) error {
		sc := world(ctx)
		if err := sc.needEmulator("setting the clock"); err != nil {
			return err
		}
		return sc.admin(ctx, "POST", "/clock", map[string]any{"set": t, "freeze": true}, nil)
	})
	ctx.Step(`^(\d+) seconds? pass(?:es)?$`, func(ctx context.Context, n int) error {
		sc := world(ctx)
		d := time.Duration(n) * time.Second
		if sc.target.Emulator {
			return sc.admin(ctx, "POST", "/clock", map[string]string{"advance": d.String()}, nil)
		}
		if d > maxRealWait {
			return sc.skip("waiting %s on real target %s is longer than the %s limit", d, sc.target.Name, maxRealWait)
		}
		select {
		case <-time.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	// The wall-clock steps let a scenario mint tokens in the past and then
	// judge them at real time, so it also runs where a real Vault judges
	// by its own clock (vault-container).
	ctx.Step(`^the virtual clock is set to (\d+) seconds before the wall clock$`, func(ctx context.Context, n int) error {
		sc := world(ctx)
		if err := sc.needEmulator("setting the clock"); err != nil {
			return err
		}
		t := time.Now().Add(-time.Duration(n) * time.Second).UTC().Format(time.RFC3339Nano)
		return sc.admin(ctx, "POST", "/clock", map[string]any{"set": t, "freeze": true}, nil)
	})
	ctx.Step(`^the virtual clock runs at the wall clock again$`, func(ctx context.Context) error {
		sc := world(ctx)
		if err := sc.needEmulator("setting the clock"); err != nil {
			return err
		}
		t := time.Now().UTC().Format(time.RFC3339Nano)
		return sc.admin(ctx, "POST", "/clock", map[string]any{"set": t, "resume": true}, nil)
	})
	ctx.Step(`^the virtual clock reads "([^"]*)"$`, func(ctx context.Context, want string) error {
		sc := world(ctx)
		got, err := sc.now(ctx)
		if err != nil {
			return err
		}
		w, err := time.Parse(time.RFC3339, want)
		if err != nil {
			return err
		}
		if !got.Equal(w) {
			return fmt.Errorf("clock reads %s, want %s", got.Format(time.RFC3339Nano), want)
		}
		return nil
	})
}
