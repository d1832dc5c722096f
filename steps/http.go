package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
)

// httpClient is shared by every step; loopback or our own containers only.
// Its dialer maps container-network addresses (the issuer http://tfcemu:8080
// on the vault-container target) to their ports published on loopback, so
// host-side verifiers resolve the issuer as Vault in the network does.
var httpClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
	Proxy:       nil,
	DialContext: dialMapped,
}}

// addressMap holds container-network host:port -> loopback host:port.
var addressMap sync.Map

// mapAddress makes httpClient reach from (host:port) at to (host:port).
func mapAddress(from, to string) { addressMap.Store(from, to) }

func dialMapped(ctx context.Context, network, addr string) (net.Conn, error) {
	if to, ok := addressMap.Load(addr); ok {
		addr = to.(string)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// response is the last HTTP response a scenario received.
type response struct {
	status int
	header http.Header
	body   []byte
}

// expand replaces {issuer}, {tfc_url}, {vault_url}, {tfc_url_for_vault},
// {vault_url_for_runs}, {owner_token} and {vault_token} with the target's
// values.
func (sc *scenario) expand(s string) string {
	pairs := []string{
		"{issuer}", sc.target.Issuer,
		"{tfc_url}", sc.target.TFCURL,
		"{vault_url}", sc.target.VaultURL,
		"{tfc_url_for_vault}", sc.target.TFCURLForVault,
		"{vault_url_for_runs}", sc.target.VaultURLForRuns,
		"{owner_token}", sc.target.OwnerToken,
		"{vault_token}", sc.target.VaultToken,
		"{aws_sts_url}", sc.target.CloudsURL,
		"{gcp_sts_url}", sc.target.CloudsURL,
		"{azure_authority_url}", sc.target.CloudsURL,
		"{issuer_host}", strings.TrimPrefix(strings.TrimPrefix(sc.target.Issuer, "https://"), "http://"),
	}
	if sc.token != nil {
		pairs = append(pairs, "{jwt}", sc.token.raw)
	}
	for k, v := range sc.remembered {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// do sends a request and keeps the response as the scenario's last one.
func (sc *scenario) do(ctx context.Context, method, url string, body []byte, header http.Header) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for k, v := range sc.nextHeader {
		if k == "Host" {
			req.Host = v[0]
			continue
		}
		req.Header[k] = v
	}
	noAdminToken := sc.noAdminToken
	sc.nextHeader, sc.noAdminToken = nil, false
	// The emulator's admin API takes the target's admin token.
	if sc.target.AdminToken != "" && !noAdminToken && strings.HasPrefix(req.URL.Path, "/_emulator/") && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+sc.target.AdminToken)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	sc.resp = &response{status: resp.StatusCode, header: resp.Header, body: b}
	return sc.resp, nil
}

// admin calls the emulator's admin API and decodes a 2xx answer into out.
func (sc *scenario) admin(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	r, err := sc.do(ctx, method, sc.target.TFCURL+"/_emulator"+path, body, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		return err
	}
	if r.status/100 != 2 {
		return fmt.Errorf("%s /_emulator%s: %d %s", method, path, r.status, r.body)
	}
	if out != nil {
		return json.Unmarshal(r.body, out)
	}
	return nil
}

func (sc *scenario) baseURL(service string) (string, error) {
	switch service {
	case "", "TFC", "the issuer":
		return sc.target.TFCURL, nil
	case "Vault":
		return sc.target.VaultURL, nil
	}
	return "", fmt.Errorf("unknown service %q", service)
}

// request sends a step's request to a service of the target; paths and
// bodies have their placeholders expanded. Admin paths need the emulator.
func (sc *scenario) request(ctx context.Context, method, path, service string, body *godog.DocString) error {
	if strings.HasPrefix(path, "/_emulator") {
		if err := sc.needEmulator("the admin API"); err != nil {
			return err
		}
	}
	base, err := sc.baseURL(service)
	if err != nil {
		return err
	}
	var payload []byte
	header := http.Header{}
	if body != nil {
		payload = []byte(sc.expand(body.Content))
		header.Set("Content-Type", "application/json")
	}
	if service == "Vault" && sc.vaultToken != "" {
		header.Set("X-Vault-Token", sc.vaultToken)
	}
	if strings.HasPrefix(path, "/api/") && sc.tfcToken != "" {
		header.Set("Authorization", "Bearer "+sc.tfcToken)
		header.Set("Content-Type", "application/vnd.api+json")
	}
	_, err = sc.do(ctx, method, base+sc.expand(path), payload, header)
	return err
}

func registerHTTPSteps(ctx *godog.ScenarioContext) {
	ctx.Step(`^I (GET|DELETE|LIST) "([^"]*)"(?: (?:from|on) (TFC|Vault|the issuer))?$`, func(ctx context.Context, method, path, service string) error {
		return world(ctx).request(ctx, method, path, service, nil)
	})
	ctx.Step(`^I (POST|PUT|PATCH) "([^"]*)"(?: (?:to|on) (TFC|Vault))? with:$`, func(ctx context.Context, method, path, service string, body *godog.DocString) error {
		return world(ctx).request(ctx, method, path, service, body)
	})
	ctx.Step(`^the next request has the header "([^"]*)": "([^"]*)"$`, func(ctx context.Context, name, value string) error {
		sc := world(ctx)
		if sc.nextHeader == nil {
			sc.nextHeader = http.Header{}
		}
		sc.nextHeader.Set(name, sc.expand(value))
		return nil
	})
	ctx.Step(`^the next request carries no admin token$`, func(ctx context.Context) error {
		sc := world(ctx)
		if sc.target.AdminToken == "" {
			return sc.skip("target %s has no admin token", sc.target.Name)
		}
		sc.noAdminToken = true
		return nil
	})
	ctx.Step(`^the response status is (\d+)$`, func(ctx context.Context, want int) error {
		r, err := lastResponse(ctx)
		if err != nil {
			return err
		}
		if r.status != want {
			return fmt.Errorf("status %d, want %d; body: %s", r.status, want, r.body)
		}
		return nil
	})
	ctx.Step(`^the response header "([^"]*)" is "([^"]*)"$`, func(ctx context.Context, name, want string) error {
		r, err := lastResponse(ctx)
		if err != nil {
			return err
		}
		if got := r.header.Get(name); got != want {
			return fmt.Errorf("header %s = %q, want %q", name, got, want)
		}
		return nil
	})
	ctx.Step(`^the response JSON at "([^"]*)" is (.+)$`, func(ctx context.Context, path, want string) error {
		got, err := lastJSONAt(ctx, path)
		if err != nil {
			return err
		}
		return jsonEqual(got, world(ctx).expand(want))
	})
	ctx.Step(`^the response JSON at "([^"]*)" contains "(.*)"$`, func(ctx context.Context, path, want string) error {
		got, err := lastJSONAt(ctx, path)
		if err != nil {
			return err
		}
		s, ok := got.(string)
		if !ok || !strings.Contains(s, world(ctx).expand(want)) {
			return fmt.Errorf("%s = %v, want a string containing %q", path, got, want)
		}
		return nil
	})
	ctx.Step(`^the response body is exactly:$`, func(ctx context.Context, want *godog.DocString) error {
		r, err := lastResponse(ctx)
		if err != nil {
			return err
		}
		if got, w := strings.TrimSpace(string(r.body)), strings.TrimSpace(world(ctx).expand(want.Content)); got != w {
			return fmt.Errorf("body\n%s\nwant\n%s", got, w)
		}
		return nil
	})
	ctx.Step(`^I remember the response JSON at "([^"]*)" as "([^"]*)"$`, func(ctx context.Context, path, name string) error {
		switch name {
		case "issuer", "tfc_url", "vault_url", "owner_token", "vault_token", "jwt":
			return fmt.Errorf("{%s} is a built-in placeholder; remember the value under another name", name)
		}
		got, err := lastJSONAt(ctx, path)
		if err != nil {
			return err
		}
		s, ok := got.(string)
		if !ok {
			b, _ := json.Marshal(got)
			s = string(b)
		}
		world(ctx).remembered[name] = s
		return nil
	})
	ctx.Step(`^I remember the response body as "([^"]*)"$`, func(ctx context.Context, name string) error {
		r, err := lastResponse(ctx)
		if err != nil {
			return err
		}
		world(ctx).remembered[name] = string(r.body)
		return nil
	})
	ctx.Step(`^the response JSON at "([^"]*)" lists, in order:$`, func(ctx context.Context, path string, table *godog.Table) error {
		got, err := lastJSONAt(ctx, path)
		if err != nil {
			return err
		}
		var want []any
		for _, row := range table.Rows {
			for _, cell := range row.Cells {
				want = append(want, cell.Value)
			}
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("%s = %v, want %v", path, got, want)
		}
		return nil
	})
}

func lastResponse(ctx context.Context) (*response, error) {
	r := world(ctx).resp
	if r == nil {
		return nil, fmt.Errorf("no request was sent in this scenario")
	}
	return r, nil
}

func lastJSONAt(ctx context.Context, path string) (any, error) {
	r, err := lastResponse(ctx)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		return nil, fmt.Errorf("response is not JSON (%v): %s", err, r.body)
	}
	return jsonAt(doc, path)
}

// jsonAt walks a dotted path ("keys.0.kid") through decoded JSON.
func jsonAt(doc any, path string) (any, error) {
	cur := doc
	if path == "" || path == "." {
		return cur, nil
	}
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, fmt.Errorf("no %q in %s", part, path)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return nil, fmt.Errorf("index %q out of range in %s", part, path)
			}
			cur = v[i]
		default:
			return nil, fmt.Errorf("%s: %q is not inside an object or array", path, part)
		}
	}
	return cur, nil
}

// jsonEqual compares a decoded value with a JSON literal ("RS256", 600,
// ["openid"], true). A bare word is taken as a string.
func jsonEqual(got any, wantLiteral string) error {
	var want any
	if err := json.Unmarshal([]byte(wantLiteral), &want); err != nil {
		want = wantLiteral
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		return fmt.Errorf("got %s, want %s", g, wantLiteral)
	}
	return nil
}
