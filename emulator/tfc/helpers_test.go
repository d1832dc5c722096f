package tfc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator/clock"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
	"github.com/tfcemu/tfcemu/emulator/tfc"
	"github.com/tfcemu/tfcemu/fixtures"
)

// t0 is where the tests' virtual clock stands still.
var t0 = time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)

// env is one emulated TFC API with the default seed, served over HTTP, and
// the tokens of the seed's owner and member.
type env struct {
	t      *testing.T
	url    string
	clock  *clock.Clock
	owner  string
	member string
	svc    *tfc.Service
}

func newEnv(t *testing.T, rateLimit int) *env {
	t.Helper()
	seed, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	return newEnvWithSeed(t, seed, rateLimit)
}

func newEnvWithSeed(t *testing.T, seed *fixtures.Seed, rateLimit int) *env {
	t.Helper()
	clk := clock.NewAt(t0)
	svc := tfc.New(tfc.Config{Seed: seed, Now: clk.Now, RateLimit: rateLimit})
	router := routing.NewRouter()
	svc.Register(router)
	srv := httptest.NewServer(checkChanges(t, svc, router))
	t.Cleanup(srv.Close)
	e := &env{t: t, url: srv.URL, clock: clk, svc: svc}
	for _, u := range seed.Users {
		for _, tok := range u.Tokens {
			switch {
			case tok.Owner:
				e.owner = tok.Token
			case u.ID == "user-tfcemuMember1234":
				e.member = tok.Token
			}
		}
	}
	return e
}

// client is a real go-tfe client for token, as the go-tfe test suite makes
// it (retrying server errors, so a 500 would show as a hang, not a pass).
func (e *env) client(token string) *tfe.Client {
	e.t.Helper()
	c, err := tfe.NewClient(&tfe.Config{Address: e.url, Token: token, RetryServerErrors: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func ctx() context.Context { return context.Background() }

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

func wantErrText(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
}

// raw sends a request with the owner's token and returns status and body.
func (e *env) raw(method, path, token, body string) (int, http.Header, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", tfc.MediaType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header, b.String()
}

// rawURL sends an unauthenticated request to an absolute URL (an
// archivist URL) and returns status, headers and body.
func (e *env) rawURL(method, url, body string) (int, http.Header, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}
