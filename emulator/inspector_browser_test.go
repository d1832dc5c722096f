package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	tfe "github.com/hashicorp/go-tfe"
	vault "github.com/hashicorp/vault/api"

	"github.com/tfcemu/tfcemu/emulator"
)

// chromiumPath is a headless-capable Chromium: TFCEMU_CHROMIUM, else the
// first of Debian's chromium and its usual names on PATH.
func chromiumPath() string {
	if p := os.Getenv("TFCEMU_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir is where the inspector's screenshots go: under
// TFCEMU_REPORT_DIR when set (make conformance's reports), else a
// directory in the system temp dir that outlives the test; logged.
func screenshotDir(t *testing.T) string {
	base := os.Getenv("TFCEMU_REPORT_DIR")
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "inspector-screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("inspector screenshots in %s", dir)
	return dir
}

// adminCall calls the admin API (or any path) with the admin token.
func adminCall(t *testing.T, method, url, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

var inspectorViews = []string{"overview", "tfc", "vault", "clouds", "journal", "decoder"}

// TestInspectorInBrowser drives the inspector in headless Chromium: every
// view with and without the admin token, the clock advanced from the page
// lowering a lease's TTL, an unmatched request and a fault highlighted in
// the journal, a refused token's reason, and a workspace named <script>
// rendered as text.
func TestInspectorInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	bin := chromiumPath()
	if bin == "" {
		t.Skip("no chromium binary found (apt-get install chromium, or set TFCEMU_CHROMIUM)")
	}
	shots := screenshotDir(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Skipf("chromium %s does not start: %v", bin, err)
	}

	shot := func(t *testing.T, name string) {
		t.Helper()
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		p := filepath.Join(shots, name+".png")
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", p)
	}
	// open loads the page afresh on a view and waits until its data is on
	// the page (the query makes each load a new document).
	loads := 0
	open := func(t *testing.T, base, view string) {
		t.Helper()
		loads++
		if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/_emulator/ui?load=%d#%s", base, loads, view)),
			chromedp.WaitVisible(chromedp.CSS(`main[data-loaded="`+view+`"]`))); err != nil {
			msg, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#status")))
			t.Fatalf("view %s: %v (status %q)", view, err, msg)
		}
	}

	t.Run("without admin token", func(t *testing.T) {
		e := startEmulator(t, emulator.Config{})
		base := e.Info().TFCURL
		for _, v := range inspectorViews {
			open(t, base, v)
			shot(t, "open-"+v)
		}
	})

	const adminToken = "inspector-admin-token"
	e := startEmulator(t, emulator.Config{AdminToken: adminToken})
	base, vaultURL := e.Info().TFCURL, e.Info().VaultURL

	t.Run("with admin token", func(t *testing.T) {
		// The shell is served without the token; the data is not.
		if code, _ := adminCall(t, "GET", base+"/_emulator/ui", "", nil); code != http.StatusOK {
			t.Fatalf("GET /_emulator/ui without token: %d, want 200 (the shell holds no data)", code)
		}
		if code, _ := adminCall(t, "GET", base+"/_emulator/snapshot", "", nil); code != http.StatusUnauthorized {
			t.Fatalf("GET /_emulator/snapshot without token: %d, want 401", code)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/_emulator/ui#overview"),
			chromedp.WaitVisible(chromedp.CSS("#auth-token"))); err != nil {
			t.Fatal(err)
		}
		hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("main").dataset.loaded === undefined`))
		if err != nil {
			t.Fatal(err)
		}
		if !hidden {
			t.Fatal("the page showed data before the admin token was given")
		}
		shot(t, "token-prompt")
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#auth-token"), adminToken),
			chromedp.Click(chromedp.CSS("#auth-submit")),
			chromedp.WaitVisible(chromedp.CSS(`main[data-loaded="overview"]`))); err != nil {
			t.Fatal(err)
		}
		for _, v := range inspectorViews {
			open(t, base, v)
			shot(t, "token-"+v)
		}
	})

	t.Run("clock advance lowers a lease TTL", func(t *testing.T) {
		vc, err := vault.NewClient(&vault.Config{Address: vaultURL, MaxRetries: 0})
		if err != nil {
			t.Fatal(err)
		}
		vc.SetToken(e.Info().VaultToken)
		if err := vc.Sys().Mount("terraform/", &vault.MountInput{Type: "terraform"}); err != nil {
			t.Fatal(err)
		}
		if _, err := vc.Logical().Write("terraform/config", map[string]any{"token": "Vhz7652ba4c-0f6e-8e75-5724-5e083d72cfe4"}); err != nil {
			t.Fatal(err)
		}
		if _, err := vc.Logical().Write("terraform/role/inspected", map[string]any{"user_id": "user-12345abcde", "ttl": "1h"}); err != nil {
			t.Fatal(err)
		}
		creds, err := vc.Logical().Read("terraform/creds/inspected")
		if err != nil || creds.LeaseID == "" {
			t.Fatalf("creds: %v %+v", err, creds)
		}
		readTTL := func() int {
			t.Helper()
			open(t, base, "vault")
			texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".lease-ttl")].map(e => e.textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			min := -1
			for _, s := range texts {
				n, err := strconv.Atoi(strings.SplitN(s, "s", 2)[0])
				if err == nil && n > 0 && n <= 3600 && (min < 0 || n < min) {
					min = n
				}
			}
			if min < 0 {
				t.Fatalf("no lease with a TTL up to 1h on the Vault view: %q", texts)
			}
			return min
		}
		before := readTTL()
		open(t, base, "overview")
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#clock-advance-value"), "10m"),
			chromedp.Click(chromedp.CSS("#clock-advance")),
			chromedp.WaitVisible(chromedp.CSS(`main[data-loaded="overview"]`))); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for e.Clock().State().Offset < 10*time.Minute && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		shot(t, "clock-advanced")
		after := readTTL()
		shot(t, "lease-ttl-dropped")
		if before-after < 590 {
			t.Fatalf("lease TTL %ds before advancing 10m, %ds after: want a drop of about 600s", before, after)
		}
	})

	t.Run("unmatched request and fault highlighted in the journal", func(t *testing.T) {
		adminCall(t, "GET", base+"/api/v2/no-such-route", "", nil)
		if code, b := adminCall(t, "POST", base+"/_emulator/faults", adminToken, map[string]any{"path_prefix": "/api/v2/organizations/faulty", "status": 503}); code != http.StatusCreated {
			t.Fatalf("add fault: %d %s", code, b)
		}
		adminCall(t, "GET", base+"/api/v2/organizations/faulty", "", nil)
		open(t, base, "journal")
		unmatched, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#journal-rows tr.unmatched")))
		if err != nil {
			t.Fatal(err)
		}
		fault, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#journal-rows tr.fault")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(unmatched, "/api/v2/no-such-route") || !strings.Contains(unmatched, "unmatched") {
			t.Fatalf("highlighted unmatched row %q", unmatched)
		}
		if !strings.Contains(fault, "/api/v2/organizations/faulty") || !strings.Contains(fault, "503") {
			t.Fatalf("highlighted fault row %q", fault)
		}
		shot(t, "journal-highlighted")
	})

	t.Run("token decoder explains a refused sub", func(t *testing.T) {
		code, b := adminCall(t, "POST", base+"/_emulator/workload-identity-tokens", adminToken, map[string]string{
			"organization": "hashicorp-vault-testing", "workspace": "vault-testing", "phase": "plan", "audience": "aws.workload.identity"})
		if code != http.StatusCreated {
			t.Fatalf("mint: %d %s", code, b)
		}
		var tok struct{ Token string }
		_ = json.Unmarshal(b, &tok)
		open(t, base, "decoder")
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#decoder-input"), tok.Token),
			chromedp.Click(chromedp.CSS("#decoder-submit")),
			chromedp.WaitVisible(chromedp.CSS("#decoder-signature"))); err != nil {
			t.Fatal(err)
		}
		sig, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#decoder-signature")))
		if err != nil {
			t.Fatal(err)
		}
		decisions, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#decoder-output table")))
		if err != nil {
			t.Fatal(err)
		}
		shot(t, "decoder-refused")
		if !strings.HasPrefix(sig, "valid") {
			t.Fatalf("signature: %q", sig)
		}
		if !strings.Contains(decisions, "refused AccessDenied") || !strings.Contains(decisions, ":sub") ||
			!strings.Contains(decisions, "organization:hashicorp-vault-testing") {
			t.Fatalf("decision does not say the sub was refused: %q", decisions)
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#decoder-input"), "not a token"),
			chromedp.Click(chromedp.CSS("#decoder-submit")),
			chromedp.WaitVisible(chromedp.CSS("#decoder-error"))); err != nil {
			t.Fatal(err)
		}
		msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#decoder-error")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg, "not a JWT") {
			t.Fatalf("non-JWT input: %q", msg)
		}
		shot(t, "decoder-not-jwt")
	})

	t.Run("runs show each phase's environment with its token decoded; sensitive values hidden", func(t *testing.T) {
		tc, err := tfe.NewClient(&tfe.Config{Address: base, Token: e.Info().OwnerToken})
		if err != nil {
			t.Fatal(err)
		}
		bg := context.Background()
		ws, err := tc.Workspaces.Read(bg, "my-org", "my-workspace")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []tfe.VariableCreateOptions{
			{Key: tfe.String("TFC_AWS_PROVIDER_AUTH"), Value: tfe.String("true"), Category: tfe.Category(tfe.CategoryEnv)},
			{Key: tfe.String("TFC_AWS_RUN_ROLE_ARN"), Value: tfe.String("arn:aws:iam::123456789012:role/terraform-module-test-role"), Category: tfe.Category(tfe.CategoryEnv)},
			{Key: tfe.String("db_password"), Value: tfe.String("hunter2-never-shown"), Category: tfe.Category(tfe.CategoryTerraform), Sensitive: tfe.Bool(true)},
		} {
			if _, err := tc.Variables.Create(bg, ws.ID, v); err != nil {
				t.Fatal(err)
			}
		}
		if code, b := adminCall(t, "POST", base+"/_emulator/runs", adminToken, map[string]string{"organization": "my-org", "workspace": "my-workspace"}); code != http.StatusCreated {
			t.Fatalf("queue run: %d %s", code, b)
		}
		open(t, base, "tfc")
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => d.open = true)`),
			chromedp.Click(chromedp.CSS("button.run-env")),
			chromedp.WaitVisible(chromedp.CSS(`.run[data-loaded="true"] details.jwt`))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("button.sv-load")),
			chromedp.WaitVisible(chromedp.CSS(`.state-versions[data-loaded="true"]`))); err != nil {
			msg, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(".state-versions")))
			t.Fatalf("state versions: %v (%q)", err, msg)
		}
		shot(t, "tfc-run-environment")
		text, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "hunter2-never-shown") || !strings.Contains(text, "(sensitive: hidden)") {
			t.Fatal("a sensitive variable's value is on the page, or not marked hidden")
		}
		if strings.Contains(text, "tfcemuOwnerTokenForLocalUseOnly") {
			t.Fatal("a token secret is on the page")
		}
		claims, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(".run details.jwt")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(claims, `"terraform_run_phase": "plan"`) || !strings.Contains(claims, `"sub": "organization:my-org:project:Default Project:workspace:my-workspace:run_phase:plan"`) {
			t.Fatalf("decoded token claims: %q", claims)
		}
	})

	t.Run("a workspace named <script> renders as text", func(t *testing.T) {
		const evil = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`
		code, snap := adminCall(t, "GET", base+"/_emulator/snapshot", adminToken, nil)
		if code != http.StatusOK {
			t.Fatalf("snapshot: %d", code)
		}
		if !strings.Contains(string(snap), `"Name":"my-workspace"`) {
			t.Fatal("the seed workspace is not in the snapshot")
		}
		doc := strings.Replace(string(snap), `"Name":"my-workspace"`, fmt.Sprintf(`"Name":%q`, evil), 1)
		var raw json.RawMessage = json.RawMessage(doc)
		if code, b := adminCall(t, "PUT", base+"/_emulator/snapshot", adminToken, raw); code != http.StatusNoContent {
			t.Fatalf("restore with the <script> workspace: %d %s", code, b)
		}
		open(t, base, "tfc")
		names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".ws-name")].map(e => e.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		pwned, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.__pwned === undefined ? null : window.__pwned`))
		if err != nil {
			t.Fatal(err)
		}
		scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main script, main img").length`))
		if err != nil {
			t.Fatal(err)
		}
		shot(t, "tfc-script-workspace")
		found := false
		for _, n := range names {
			found = found || n == evil
		}
		if !found || pwned != nil || scripts != 0 {
			t.Fatalf("workspace names %q (want %q as text); __pwned=%v; script/img elements in the page: %d", names, evil, pwned, scripts)
		}
	})
}
