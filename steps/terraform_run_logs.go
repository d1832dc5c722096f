package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cucumber/godog"
	tfe "github.com/hashicorp/go-tfe"
)

// registerRunLogSteps are the steps on remote runs' logs: structured run
// output (Terraform's JSON lines) or plain text.
func registerRunLogSteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^the workspace "([^"]*)" has structured run output (enabled|disabled)$`, func(ctx context.Context, name, state string) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		_, err = w.client.Workspaces.UpdateByID(ctx, ws.ID, tfe.WorkspaceUpdateOptions{StructuredRunOutputEnabled: tfe.Bool(state == "enabled")})
		return err
	})
	ctx.Step(`^the (plan|apply) log of the latest run of the workspace "([^"]*)" is (plain text|JSON lines) containing "([^"]*)"$`, func(ctx context.Context, phase, name, format, want string) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		list, err := w.client.Runs.List(ctx, ws.ID, nil)
		if err != nil {
			return err
		}
		if len(list.Items) == 0 {
			return fmt.Errorf("the workspace %s has no run", name)
		}
		r, err := w.client.Runs.Read(ctx, list.Items[0].ID)
		if err != nil {
			return err
		}
		var logs io.Reader
		if phase == "plan" {
			logs, err = w.client.Plans.Logs(ctx, r.Plan.ID)
		} else {
			logs, err = w.client.Applies.Logs(ctx, r.Apply.ID)
		}
		if err != nil {
			return err
		}
		b, err := io.ReadAll(logs)
		if err != nil {
			return err
		}
		jsonLines, found := 0, false
		for _, line := range strings.Split(string(b), "\n") {
			var entry struct {
				Message string `json:"@message"`
				Type    string `json:"type"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Type != "" {
				jsonLines++
				found = found || strings.Contains(entry.Message, want)
			} else if format == "plain text" {
				found = found || strings.Contains(line, want)
			}
		}
		switch {
		case format == "JSON lines" && jsonLines == 0:
			return fmt.Errorf("the %s log has no JSON log line:\n%s", phase, b)
		case format == "plain text" && jsonLines > 0:
			return fmt.Errorf("the %s log has %d JSON log lines:\n%s", phase, jsonLines, b)
		case !found:
			return fmt.Errorf("the %s log does not contain %q:\n%s", phase, want, b)
		}
		return nil
	})
}
