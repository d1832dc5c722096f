package steps

import (
	"context"
	"fmt"
	"net/http"

	"github.com/cucumber/godog"
)

// memberToken is the default seed's member who is not an owner. Real
// targets name theirs in TFCEMU_MEMBER_TOKEN (issue 6).
const memberToken = "tfcemumembertk.atlasv1.tfcemuMemberTokenForLocalUseOnlyDoNotUseInProductionAAAAAAAAAAAAAAA"

func registerTFCSteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^I authenticate as the (owner|member)$`, func(ctx context.Context, who string) error {
		sc := world(ctx)
		sc.tfcToken = sc.target.OwnerToken
		if who == "member" {
			if !sc.target.Emulator {
				return sc.skip("the member's token is the default seed's; target %s has none configured", sc.target.Name)
			}
			sc.tfcToken = memberToken
		}
		return nil
	})
	ctx.Step(`^I authenticate with "([^"]*)"$`, func(ctx context.Context, token string) error {
		sc := world(ctx)
		sc.tfcToken = sc.expand(token)
		return nil
	})
	ctx.Step(`^I use the Vault token "([^"]*)"$`, func(ctx context.Context, token string) error {
		sc := world(ctx)
		sc.vaultToken = sc.expand(token)
		return nil
	})
	ctx.Step(`^I send no token$`, func(ctx context.Context) error {
		world(ctx).tfcToken = ""
		return nil
	})
	ctx.Step(`^(\d+) GET requests to "([^"]*)" all succeed$`, func(ctx context.Context, n int, path string) error {
		sc := world(ctx)
		for i := 1; i <= n; i++ {
			if err := sc.request(ctx, http.MethodGet, path, "TFC", nil); err != nil {
				return err
			}
			if sc.resp.status != http.StatusOK {
				return fmt.Errorf("request %d of %d: status %d: %s", i, n, sc.resp.status, sc.resp.body)
			}
		}
		return nil
	})
}
