package emulator_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	vault "github.com/hashicorp/vault/api"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/clock"
)

func startEmulator(t *testing.T, cfg emulator.Config) *emulator.Emulator {
	t.Helper()
	if cfg.TFCListen == "" {
		cfg.TFCListen = "127.0.0.1:0"
	}
	if cfg.VaultListen == "" {
		cfg.VaultListen = "127.0.0.1:0"
	}
	e, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// startTLS starts an emulator with TLS and returns it with a client that
// trusts the CA it wrote (CAOut).
func startTLS(t *testing.T) (*emulator.Emulator, *http.Client) {
	t.Helper()
	caOut := filepath.Join(t.TempDir(), "ca.pem")
	e := startEmulator(t, emulator.Config{TLS: true, CAOut: caOut})
	pemBytes, err := os.ReadFile(caOut)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("--ca-out is not a PEM certificate")
	}
	return e, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func mint(t *testing.T, client *http.Client, base string, req admin.TokenRequest) admin.TokenResponse {
	t.Helper()
	b, _ := json.Marshal(req)
	resp, err := client.Post(base+"/_emulator/workload-identity-tokens", "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("mint: %d %s", resp.StatusCode, body)
	}
	var out admin.TokenResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func verify(t *testing.T, client *http.Client, issuer, token, aud string, now func() time.Time) error {
	t.Helper()
	ctx := oidc.ClientContext(context.Background(), client)
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("discovery at %s: %v", issuer, err)
	}
	_, err = p.Verifier(&oidc.Config{ClientID: aud, Now: now}).Verify(ctx, token)
	return err
}

var workspaceRun = admin.TokenRequest{Organization: "my-org", Workspace: "my-workspace", Phase: "plan", Audience: "aws.workload.identity"}

func TestPortZeroStartsBothListenersAndTheIssuerFollows(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	i := e.Info()
	if i.TFCURL == "" || strings.HasSuffix(i.TFCURL, ":0") || i.Issuer != i.TFCURL {
		t.Fatalf("info = %+v", i)
	}
	tok := mint(t, http.DefaultClient, i.TFCURL, workspaceRun)
	if err := verify(t, http.DefaultClient, i.Issuer, tok.Token, "aws.workload.identity", e.Clock().Now); err != nil {
		t.Fatalf("go-oidc refused the token: %v", err)
	}
	// Vault answers like an unsealed, initialized dev server, through the real client.
	vc, err := vault.NewClient(&vault.Config{Address: i.VaultURL})
	if err != nil {
		t.Fatal(err)
	}
	h, err := vc.Sys().Health()
	if err != nil {
		t.Fatal(err)
	}
	if !h.Initialized || h.Sealed || h.Standby || h.ServerTimeUTC != e.Clock().Now().Unix() && h.ServerTimeUTC != e.Clock().Now().Unix()-1 {
		t.Fatalf("health = %+v", h)
	}
	// The admin API is on the Vault listener too.
	resp, err := http.Get(i.VaultURL + "/_emulator/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("admin on vault listener: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestHandlerWithHTTPTestAndAFixedIssuer(t *testing.T) {
	e, err := emulator.New(emulator.Config{Issuer: "https://app.terraform.io/", Clock: clock.NewAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	e.SetURLs(srv.URL, "")
	if got := e.Info().Issuer; got != "https://app.terraform.io" {
		t.Fatalf("issuer = %q: a configured issuer must not follow the listener, and has no trailing slash", got)
	}
	tok := mint(t, srv.Client(), srv.URL, workspaceRun)
	claims := tok.Claims.(map[string]any)
	if claims["iss"] != "https://app.terraform.io" || claims["iat"] != float64(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()) {
		t.Fatalf("claims = %v", claims)
	}
}

func TestUnknownTFCPathIsAJSONAPI404(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	resp, err := http.Get(e.Info().TFCURL + "/api/v2/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/vnd.api+json" || string(b) != `{"errors":[{"status":"404","title":"not found"}]}` {
		t.Fatalf("%d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}

func TestTLSWithGeneratedCA(t *testing.T) {
	e, client := startTLS(t)
	i := e.Info()
	if !strings.HasPrefix(i.TFCURL, "https://") || !strings.HasPrefix(i.VaultURL, "https://") {
		t.Fatalf("info = %+v", i)
	}
	tok := mint(t, client, i.TFCURL, workspaceRun)
	if err := verify(t, client, i.Issuer, tok.Token, "aws.workload.identity", e.Clock().Now); err != nil {
		t.Fatal(err)
	}
	vc, err := vault.NewClient(&vault.Config{Address: i.VaultURL, HttpClient: client})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vc.Sys().Health(); err != nil {
		t.Fatalf("vault over TLS: %v", err)
	}
	// Without the CA, clients refuse the certificate.
	if _, err := http.Get(i.TFCURL + "/_emulator/health"); err == nil {
		t.Fatal("a client without the CA accepted the certificate")
	}
}

func TestStateFileKeepsKeysAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	first := startEmulator(t, emulator.Config{StateFile: path})
	base := first.Info().TFCURL
	resp, err := http.Post(base+"/_emulator/keys/rotate", "application/json", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("rotate: %v %v", resp, err)
	}
	resp.Body.Close()
	tok := mint(t, http.DefaultClient, base, workspaceRun)
	// A TFC change survives too: a new organization token.
	orgTok := createOrgToken(t, base, first.Info().OwnerToken)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// The second emulator listens elsewhere but keeps the issuer URL, as a
	// restarted emulator with --external-url would.
	second := startEmulator(t, emulator.Config{StateFile: path, Issuer: first.Info().Issuer})
	var keys admin.Keys
	resp, err = http.Get(second.Info().TFCURL + "/_emulator/keys")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&keys)
	resp.Body.Close()
	if len(keys.KeyIDs) != 2 || keys.Active != tok.KeyID {
		t.Fatalf("keys after restart = %+v, token kid %s", keys, tok.KeyID)
	}
	resp, err = authGet(second.Info().TFCURL+"/api/v2/account/details", orgTok)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("organization token after restart: %v %v", resp, err)
	}
	resp.Body.Close()
	// A corrupt state file is an error at start, not a silent fresh state.
	if err := os.WriteFile(path, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.New(emulator.Config{StateFile: path}); err == nil {
		t.Fatal("a corrupt state file was accepted")
	}
}

func TestOwnerTokenOverride(t *testing.T) {
	e, err := emulator.New(emulator.Config{OwnerToken: "mytoken.atlasv1.abc"})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Info().OwnerToken; got != "mytoken.atlasv1.abc" {
		t.Fatalf("owner token = %q", got)
	}
	if _, err := emulator.New(emulator.Config{OwnerToken: "has space"}); err == nil {
		t.Fatal("an owner token with a space was accepted")
	}
}

func TestConcurrentMintingAndClockMoves(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	base := e.Info().TFCURL
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for n := 0; n < 20; n++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(workspaceRun)
			resp, err := http.Post(base+"/_emulator/workload-identity-tokens", "application/json", strings.NewReader(string(b)))
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				errs <- &statusErr{resp.StatusCode}
			}
		}()
		go func() {
			defer wg.Done()
			resp, err := http.Post(base+"/_emulator/clock", "application/json", strings.NewReader(`{"advance":"1s"}`))
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if off := e.Clock().State().Offset; off < 20*time.Second {
		t.Fatalf("clock offset %v after 20 advances of 1s", off)
	}
}

type statusErr struct{ code int }

func (s *statusErr) Error() string { return http.StatusText(s.code) }

func authGet(url, token string) (*http.Response, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}

func createOrgToken(t *testing.T, base, owner string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v2/organizations/my-org/authentication-token", strings.NewReader(`{"data":{"type":""}}`))
	req.Header.Set("Authorization", "Bearer "+owner)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create org token: %v %v", resp, err)
	}
	defer resp.Body.Close()
	var doc struct {
		Data struct {
			Attributes struct {
				Token string `json:"token"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc.Data.Attributes.Token
}
