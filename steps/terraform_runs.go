package steps

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cucumber/godog"
	tfe "github.com/hashicorp/go-tfe"
)

// registerRemoteRunSteps are the steps of remote runs: the emulator
// executes what the Terraform CLI (or go-tfe) queues.
func registerRemoteRunSteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^the Terraform CLI against the emulator over TLS executing runs$`, func(ctx context.Context) (context.Context, error) {
		return startTerraformWorldWith(ctx, true)
	})
	ctx.Step(`^a workspace "([^"]*)" in remote execution$`, func(ctx context.Context, name string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		_, err = w.client.Workspaces.Create(ctx, "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String(name), ExecutionMode: tfe.String("remote")})
		return err
	})
	ctx.Step(`^the workspace "([^"]*)" has the (env|terraform) variable "([^"]*)" = "([^"]*)"$`, func(ctx context.Context, name, category, key, value string) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		_, err = w.client.Variables.Create(ctx, ws.ID, tfe.VariableCreateOptions{Key: tfe.String(key), Value: tfe.String(value),
			Category: tfe.Category(tfe.CategoryType(category))})
		return err
	})
	ctx.Step(`^the file "([^"]*)" holds a workload identity token for "([^"]*)" with the claims:$`, func(ctx context.Context, file, _ string, table *godog.Table) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		raw, err := os.ReadFile(filepath.Join(w.dir, file))
		if err != nil {
			return err
		}
		parts := strings.Split(strings.TrimSpace(string(raw)), ".")
		if len(parts) != 3 {
			return fmt.Errorf("%s holds %q, not a JWT", file, raw)
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return err
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			return err
		}
		for _, row := range table.Rows {
			if got := fmt.Sprint(claims[row.Cells[0].Value]); got != row.Cells[1].Value {
				return fmt.Errorf("claim %s = %q, want %q (claims %v)", row.Cells[0].Value, got, row.Cells[1].Value, claims)
			}
		}
		return nil
	})
	ctx.Step(`^the workspace "([^"]*)" is force-unlocked in (\d+) seconds$`, func(ctx context.Context, name string, secs int) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		go func() {
			time.Sleep(time.Duration(secs) * time.Second)
			_, _ = w.client.Workspaces.ForceUnlock(context.Background(), ws.ID)
		}()
		return nil
	})
	ctx.Step(`^I queue (\d+) runs on the workspace "([^"]*)" through the API$`, func(ctx context.Context, n int, name string) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		// A configuration version of the working directory, as a
		// CLI-driven apply uploads it (not speculative).
		cv, err := w.client.ConfigurationVersions.Create(ctx, ws.ID, tfe.ConfigurationVersionCreateOptions{AutoQueueRuns: tfe.Bool(false)})
		if err != nil {
			return err
		}
		if err := w.client.ConfigurationVersions.Upload(ctx, cv.UploadURL, w.workDir); err != nil {
			return err
		}
		w.queued = nil
		for i := 0; i < n; i++ {
			r, err := w.client.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv, Message: tfe.String(fmt.Sprintf("queued run %d", i+1))})
			if err != nil {
				return err
			}
			w.queued = append(w.queued, r.ID)
		}
		return nil
	})
	ctx.Step(`^queued run (\d+) becomes "([^"]*)"$`, func(ctx context.Context, i int, status string) error {
		w, err := tfWorld(ctx)
		if err != nil {
			return err
		}
		return w.awaitRun(ctx, i, status)
	})
	ctx.Step(`^queued run (\d+) is still "([^"]*)"$`, func(ctx context.Context, i int, status string) error {
		_, r, err := queuedRunOf(ctx, i)
		if err != nil {
			return err
		}
		if string(r.Status) != status {
			return fmt.Errorf("queued run %d is %s, want %s", i, r.Status, status)
		}
		return nil
	})
	ctx.Step(`^I (apply|discard|cancel) queued run (\d+)$`, func(ctx context.Context, action string, i int) error {
		w, r, err := queuedRunOf(ctx, i)
		if err != nil {
			return err
		}
		switch action {
		case "apply":
			return w.client.Runs.Apply(ctx, r.ID, tfe.RunApplyOptions{})
		case "discard":
			return w.client.Runs.Discard(ctx, r.ID, tfe.RunDiscardOptions{})
		}
		return w.client.Runs.Cancel(ctx, r.ID, tfe.RunCancelOptions{})
	})
	ctx.Step(`^the plan log of queued run (\d+) contains "([^"]*)"$`, func(ctx context.Context, i int, want string) error {
		w, r, err := queuedRunOf(ctx, i)
		if err != nil {
			return err
		}
		logs, err := w.client.Plans.Logs(ctx, r.Plan.ID)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(logs)
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), want) {
			return fmt.Errorf("the plan log does not contain %q:\n%s", want, b)
		}
		return nil
	})
	ctx.Step(`^the workspace "([^"]*)" has a current state version created by its latest run managing (\d+) resources?$`, func(ctx context.Context, name string, count int) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		sv, err := w.client.StateVersions.ReadCurrent(ctx, ws.ID)
		if err != nil {
			return fmt.Errorf("current state version of %s: %w", name, err)
		}
		list, err := w.client.Runs.List(ctx, ws.ID, nil)
		if err != nil {
			return err
		}
		if len(list.Items) == 0 || sv.Run == nil || sv.Run.ID != list.Items[0].ID || ws.ResourceCount != count {
			return fmt.Errorf("current state version %s (run %v), workspace resource-count %d; want one of the latest run managing %d", sv.ID, sv.Run, ws.ResourceCount, count)
		}
		return nil
	})
	ctx.Step(`^the latest run of the workspace "([^"]*)" is "([^"]*)"$`, func(ctx context.Context, name, status string) error {
		w, ws, err := tfWorkspace(ctx, name)
		if err != nil {
			return err
		}
		list, err := w.client.Runs.List(ctx, ws.ID, nil)
		if err != nil {
			return err
		}
		if len(list.Items) == 0 || string(list.Items[0].Status) != status {
			return fmt.Errorf("the latest run of %s is not %s: %v", name, status, list.Items)
		}
		return nil
	})
}

// queuedRunOf is the scenario's Terraform world and its queued run i.
func queuedRunOf(ctx context.Context, i int) (*terraformWorld, *tfe.Run, error) {
	w, err := tfWorld(ctx)
	if err != nil {
		return nil, nil, err
	}
	r, err := w.queuedRun(ctx, i)
	return w, r, err
}

// queuedRun reads the i-th (from 1) run queued through the API.
func (w *terraformWorld) queuedRun(ctx context.Context, i int) (*tfe.Run, error) {
	if i < 1 || i > len(w.queued) {
		return nil, fmt.Errorf("no queued run %d (%d queued)", i, len(w.queued))
	}
	return w.client.Runs.Read(ctx, w.queued[i-1])
}

// awaitRun waits up to 60 seconds for a queued run to reach status.
func (w *terraformWorld) awaitRun(ctx context.Context, i int, status string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := w.queuedRun(ctx, i)
		if err != nil {
			return err
		}
		if string(r.Status) == status {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("queued run %d is %s, not %s, after 60s", i, r.Status, status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
