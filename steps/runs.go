package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cucumber/godog"
)

// tfcRequest sends a JSON:API request as the current TFC token and decodes
// a 2xx answer.
func (sc *scenario) tfcRequest(ctx context.Context, method, path string, body any, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	r, err := sc.do(ctx, method, sc.target.TFCURL+sc.expand(path), payload, http.Header{
		"Authorization": {"Bearer " + sc.tfcToken}, "Content-Type": {"application/vnd.api+json"},
	})
	if err != nil {
		return err
	}
	if r.status/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, r.status, r.body)
	}
	if out != nil {
		return json.Unmarshal(r.body, out)
	}
	return nil
}

type idDoc struct {
	Data struct {
		ID string `json:"id"`
	} `json:"data"`
}

// workspaceID resolves ORG/WS.
func (sc *scenario) workspaceID(ctx context.Context, slug string) (string, error) {
	org, ws, err := splitOrgName(slug)
	if err != nil {
		return "", err
	}
	var doc idDoc
	err = sc.tfcRequest(ctx, "GET", "/api/v2/organizations/"+org+"/workspaces/"+ws, nil, &doc)
	return doc.Data.ID, err
}

func envVarBody(key, value string) map[string]any {
	return map[string]any{"data": map[string]any{"type": "vars", "attributes": map[string]any{"key": key, "value": value, "category": "env"}}}
}

func registerRunSteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^the workspace "([^"]*)" has the environment variable "([^"]*)" set to "([^"]*)"$`, func(ctx context.Context, slug, key, value string) error {
		sc := world(ctx)
		id, err := sc.workspaceID(ctx, slug)
		if err != nil {
			return err
		}
		return sc.tfcRequest(ctx, "POST", "/api/v2/workspaces/"+id+"/vars", envVarBody(key, sc.expand(value)), nil)
	})
	ctx.Step(`^a (global )?variable set "([^"]*)" in "([^"]*)" with the environment variable "([^"]*)" set to "([^"]*)"$`, func(ctx context.Context, global, name, org, key, value string) error {
		sc := world(ctx)
		var set idDoc
		body := map[string]any{"data": map[string]any{"type": "varsets", "attributes": map[string]any{"name": name, "global": global != ""}}}
		if err := sc.tfcRequest(ctx, "POST", "/api/v2/organizations/"+org+"/varsets", body, &set); err != nil {
			return err
		}
		sc.remembered["varset_"+name] = set.Data.ID
		return sc.tfcRequest(ctx, "POST", "/api/v2/varsets/"+set.Data.ID+"/relationships/vars", envVarBody(key, sc.expand(value)), nil)
	})
	ctx.Step(`^the variable set "([^"]*)" is applied to the workspace "([^"]*)"$`, func(ctx context.Context, name, slug string) error {
		sc := world(ctx)
		id, err := sc.workspaceID(ctx, slug)
		if err != nil {
			return err
		}
		body := map[string]any{"data": []map[string]string{{"type": "workspaces", "id": id}}}
		return sc.tfcRequest(ctx, "POST", "/api/v2/varsets/"+sc.remembered["varset_"+name]+"/relationships/workspaces", body, nil)
	})
	ctx.Step(`^the workspace "([^"]*)" runs on an agent of version "([^"]*)"$`, func(ctx context.Context, slug, version string) error {
		sc := world(ctx)
		if err := sc.needEmulator("choosing the agent version"); err != nil {
			return err
		}
		id, err := sc.workspaceID(ctx, slug)
		if err != nil {
			return err
		}
		org, _, _ := splitOrgName(slug)
		var pool idDoc
		body := map[string]any{"data": map[string]any{"type": "agent-pools", "attributes": map[string]any{"name": "agents-" + version}}}
		if err := sc.tfcRequest(ctx, "POST", "/api/v2/organizations/"+org+"/agent-pools", body, &pool); err != nil {
			return err
		}
		if err := sc.admin(ctx, "POST", "/agent-pools/"+pool.Data.ID+"/agents", map[string]string{"version": version}, nil); err != nil {
			return err
		}
		ws := map[string]any{"data": map[string]any{"type": "workspaces", "attributes": map[string]any{"execution-mode": "agent", "agent-pool-id": pool.Data.ID}}}
		return sc.tfcRequest(ctx, "PATCH", "/api/v2/workspaces/"+id, ws, nil)
	})
	ctx.Step(`^a run is queued in the workspace "([^"]*)"$`, func(ctx context.Context, slug string) error {
		sc := world(ctx)
		id, err := sc.workspaceID(ctx, slug)
		if err != nil {
			return err
		}
		body := map[string]any{"data": map[string]any{"type": "runs",
			"relationships": map[string]any{"workspace": map[string]any{"data": map[string]string{"type": "workspaces", "id": id}}}}}
		var run idDoc
		if err := sc.tfcRequest(ctx, "POST", "/api/v2/runs", body, &run); err != nil {
			return err
		}
		sc.remembered["run"] = run.Data.ID
		return nil
	})
	ctx.Step(`^I read the (plan|apply) environment of the run$`, func(ctx context.Context, phase string) error {
		sc := world(ctx)
		if err := sc.needEmulator("reading a run's environment"); err != nil {
			return err
		}
		_, err := sc.do(ctx, "GET", sc.target.TFCURL+"/_emulator/runs/"+sc.remembered["run"]+"/environment?phase="+phase, nil, nil)
		return err
	})
	ctx.Step(`^the run is confirmed$`, func(ctx context.Context) error {
		sc := world(ctx)
		if err := sc.needEmulator("finishing a plan"); err != nil {
			return err
		}
		return sc.admin(ctx, "POST", "/runs/"+sc.remembered["run"]+"/advance", map[string]string{"until": "applying"}, nil)
	})
	ctx.Step(`^the response JSON has no "([^"]*)"$`, func(ctx context.Context, path string) error {
		if v, err := lastJSONAt(ctx, path); err == nil {
			return fmt.Errorf("%s = %v, want it absent", path, v)
		}
		return nil
	})
	ctx.Step(`^the response JSON has a "([^"]*)"$`, func(ctx context.Context, path string) error {
		v, err := lastJSONAt(ctx, path)
		if err != nil {
			return err
		}
		if s, ok := v.(string); !ok || s == "" {
			return fmt.Errorf("%s = %v, want a non-empty string", path, v)
		}
		return nil
	})
	ctx.Step(`^the response JSON at "([^"]*)" has a line containing "(.*)"$`, func(ctx context.Context, path, want string) error {
		v, err := lastJSONAt(ctx, path)
		if err != nil {
			return err
		}
		lines, _ := v.([]any)
		for _, l := range lines {
			if s, ok := l.(string); ok && strings.Contains(s, world(ctx).expand(want)) {
				return nil
			}
		}
		return fmt.Errorf("no line of %s contains %q: %v", path, want, lines)
	})
}
