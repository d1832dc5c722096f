package emulator_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
)

// send is one request as a client sends it; host, when set, replaces the
// Host header (what a DNS-rebinding page's requests carry).
func send(t *testing.T, method, url, host string, header map[string]string, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestForeignHostIsRefused: a request whose Host the emulator is not known
// by (DNS rebinding) is a 403 naming --allowed-hosts on both listeners, in
// the format of the API the path belongs to; loopback, the external URL's
// host and an allowed host are served.
func TestForeignHostIsRefused(t *testing.T) {
	e := startEmulator(t, emulator.Config{Issuer: "http://tfcemu:8080", AllowedHosts: []string{"dev.internal"}})
	i := e.Info()
	msg := `host \"evil.example:8080\" is not allowed: the emulator answers loopback, its external URLs and issuer, and the hosts given with --allowed-hosts`
	for _, tc := range []struct{ name, url, want string }{
		{"TFC API", i.TFCURL + "/api/v2/ping", `{"errors":[{"status":"403","title":"forbidden","detail":"` + msg + `"}]}`},
		{"issuer", i.TFCURL + "/.well-known/openid-configuration", `{"errors":[{"status":"403","title":"forbidden","detail":"` + msg + `"}]}`},
		{"admin on TFC", i.TFCURL + "/_emulator/info", `{"error":"` + msg + `"}` + "\n"},
		{"admin health", i.TFCURL + "/_emulator/health", `{"error":"` + msg + `"}` + "\n"},
		{"Vault API", i.VaultURL + "/v1/sys/health", `{"errors":["` + msg + `"]}` + "\n"},
		{"admin on Vault", i.VaultURL + "/_emulator/info", `{"error":"` + msg + `"}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := send(t, "GET", tc.url, "evil.example:8080", nil, "")
			if code != http.StatusForbidden || body != tc.want {
				t.Fatalf("%d %s\nwant 403 %s", code, body, tc.want)
			}
		})
	}
	for _, host := range []string{"", "localhost", "tfcemu:8080", "dev.internal:8080"} {
		if code, body, _ := send(t, "GET", i.TFCURL+"/_emulator/health", host, nil, ""); code != http.StatusOK {
			t.Errorf("Host %q: %d %s", host, code, body)
		}
		if code, body, _ := send(t, "GET", i.VaultURL+"/v1/sys/health", host, nil, ""); code != http.StatusOK {
			t.Errorf("Vault, Host %q: %d %s", host, code, body)
		}
	}
}

// TestCrossSitePostIsRefused: a page on another site posting to the admin
// clock (a text/plain form, no preflight) gets a 403 and the clock does
// not move; the same request from curl (no Origin) moves it.
func TestCrossSitePostIsRefused(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	url := e.Info().TFCURL + "/_emulator/clock"
	before := e.Clock().Now()
	for _, h := range []map[string]string{
		{"Origin": "http://evil.example", "Content-Type": "text/plain"},
		{"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"},
		{"Origin": "null"},
	} {
		code, body, _ := send(t, "POST", url, "", h, `{"advance":"8760h"}`)
		if code != http.StatusForbidden || !strings.Contains(body, `"error":"cross-site POST refused`) {
			t.Fatalf("%v: %d %s", h, code, body)
		}
	}
	if st := e.Clock().State(); st.Offset != 0 || st.Now.Sub(before) > time.Hour {
		t.Fatalf("the clock moved: %+v", st)
	}
	// A cross-site POST to the TFC API is refused in JSON:API too.
	code, body, _ := send(t, "POST", e.Info().TFCURL+"/api/v2/organizations", "", map[string]string{"Origin": "https://evil.example"}, `{}`)
	if code != http.StatusForbidden || !strings.HasPrefix(body, `{"errors":[{"status":"403","title":"forbidden","detail":"cross-site POST refused`) {
		t.Fatalf("TFC: %d %s", code, body)
	}
	code, body, _ = send(t, "POST", url, "", nil, `{"advance":"1h"}`)
	if code != http.StatusOK || e.Clock().State().Offset != time.Hour {
		t.Fatalf("curl's POST: %d %s, offset %v", code, body, e.Clock().State().Offset)
	}
}

// TestAdminToken: with an admin token, every admin route but the health
// check needs it as a bearer token on both listeners (401 in the admin
// error shape otherwise); the TFC and Vault APIs do not.
func TestAdminToken(t *testing.T) {
	const token = "s3cret-admin"
	e := startEmulator(t, emulator.Config{AdminToken: token})
	i := e.Info()
	if i.AdminToken != token {
		t.Fatalf("Info().AdminToken = %q", i.AdminToken)
	}
	want401 := `{"error":"the admin API needs the admin token (--admin-token) in an Authorization: Bearer header"}` + "\n"
	for _, base := range []string{i.TFCURL, i.VaultURL} {
		for _, tc := range []struct{ method, path, auth, body string }{
			{"GET", "/_emulator/info", "", ""},
			{"GET", "/_emulator/snapshot", "Bearer wrong", ""},
			{"POST", "/_emulator/clock", "Basic " + token, `{"advance":"1h"}`},
			{"POST", "/_emulator/workload-identity-tokens", "Bearer " + token + "x", `{}`},
			{"GET", "/_emulator/nothing", "", ""},
		} {
			code, body, h := send(t, tc.method, base+tc.path, "", map[string]string{"Authorization": tc.auth}, tc.body)
			if code != http.StatusUnauthorized || body != want401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s%s with %q: %d %s %v", tc.method, base, tc.path, tc.auth, code, body, h)
			}
		}
		if code, body, _ := send(t, "GET", base+"/_emulator/health", "", nil, ""); code != http.StatusOK {
			t.Errorf("health without the token: %d %s", code, body)
		}
		code, body, _ := send(t, "GET", base+"/_emulator/info", "", map[string]string{"Authorization": "Bearer " + token}, "")
		var got emulator.Info
		if code != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.OwnerToken == "" {
			t.Errorf("info with the token: %d %s", code, body)
		}
	}
	if e.Clock().State().Offset != 0 {
		t.Fatal("an unauthorized POST moved the clock")
	}
	// The APIs themselves take their own credentials, not the admin token.
	if code, body, _ := send(t, "GET", i.TFCURL+"/api/v2/account/details", "", map[string]string{"Authorization": "Bearer " + i.OwnerToken}, ""); code != http.StatusOK {
		t.Fatalf("TFC with the owner token: %d %s", code, body)
	}
}

// TestAdminTokenGeneratedOffLoopback: listening beyond loopback without an
// admin token generates one; on loopback none is needed.
func TestAdminTokenGeneratedOffLoopback(t *testing.T) {
	for _, tc := range []struct {
		tfc, vault string
		generated  bool
	}{
		{"127.0.0.1:0", "127.0.0.1:0", false},
		{"localhost:0", "[::1]:0", false},
		{"0.0.0.0:8080", "127.0.0.1:0", true},
		{"127.0.0.1:0", ":8200", true},
		{"tfcemu:8080", "127.0.0.1:0", true},
	} {
		e, err := emulator.New(emulator.Config{TFCListen: tc.tfc, VaultListen: tc.vault})
		if err != nil {
			t.Fatal(err)
		}
		tok := e.Info().AdminToken
		if (tok != "") != tc.generated || tc.generated && (!strings.HasPrefix(tok, "tfcemu-admin-") || len(tok) != len("tfcemu-admin-")+64) {
			t.Errorf("%s %s: admin token %q, generated want %v", tc.tfc, tc.vault, tok, tc.generated)
		}
		_ = e.Close()
	}
	a, _ := emulator.New(emulator.Config{TFCListen: "0.0.0.0:8080"})
	b, _ := emulator.New(emulator.Config{TFCListen: "0.0.0.0:8080"})
	if a.Info().AdminToken == b.Info().AdminToken {
		t.Fatal("two generated admin tokens are equal")
	}
}

// TestSlowBodyIsCutOff: a client that sends headers and then trickles its
// body is disconnected at the read timeout instead of holding the
// connection forever.
func TestSlowBodyIsCutOff(t *testing.T) {
	e := startEmulator(t, emulator.Config{ReadTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.Info().TFCURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /_emulator/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	start := time.Now()
	closed := make(chan error, 1)
	go func() {
		for {
			if _, err := conn.Write([]byte(" ")); err != nil {
				closed <- err
				return
			}
			time.Sleep(50 * time.Millisecond)
			if time.Since(start) > 10*time.Second {
				closed <- nil
				return
			}
		}
	}()
	// The server answers (an error for the truncated body) or closes the
	// connection; either way reading ends well before the trickle would.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.Copy(io.Discard, conn)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the slow body held the connection %v", took)
	}
	if err := <-closed; err == nil {
		t.Fatal("the server kept reading a trickling body for 10s")
	}
}

// TestIdleKeepAliveIsClosed: a keep-alive connection that sends nothing
// after a response is closed by the server at the idle timeout.
func TestIdleKeepAliveIsClosed(t *testing.T) {
	e := startEmulator(t, emulator.Config{IdleTimeout: 300 * time.Millisecond})
	for _, base := range []string{e.Info().TFCURL, e.Info().VaultURL} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("health: %d close=%v", resp.StatusCode, resp.Close)
		}
		start := time.Now()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := br.ReadByte(); err != io.EOF {
			t.Fatalf("idle connection: read %v, want EOF from the server closing it", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("idle connection closed after %v", took)
		}
		conn.Close()
	}
}
