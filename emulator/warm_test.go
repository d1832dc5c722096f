package emulator_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/tfcemu/tfcemu/emulator"
)

// A start builds its routers when first needed; Warm builds them in the
// background while requests on every listener race it, and each request
// gets its API's answer.
func TestWarmRacesFirstRequests(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	info := e.Info()
	requests := []struct {
		url, token string
		want       int
	}{
		{info.TFCURL + "/api/v2/organizations", info.OwnerToken, http.StatusOK},
		{info.TFCURL + "/.well-known/openid-configuration", "", http.StatusOK},
		{info.VaultURL + "/v1/sys/health", "", http.StatusOK},
		{info.VaultURL + "/v1/auth/token/lookup-self", info.VaultToken, http.StatusOK},
		{info.AWSSTSURL + "/no-such-cloud-api", "", http.StatusNotFound},
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); e.Warm() }()
	for range 3 {
		for _, rq := range requests {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", rq.url, nil)
				if rq.token != "" {
					req.Header.Set("Authorization", "Bearer "+rq.token)
					req.Header.Set("X-Vault-Token", rq.token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != rq.want {
					t.Errorf("GET %s: %d, want %d", rq.url, resp.StatusCode, rq.want)
				}
			}()
		}
	}
	wg.Wait()
	e.Warm() // a second call finds everything built
}
