package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// tfcAPI sends an authorized JSON:API request (the TFC API's content
// type, token as Bearer) and returns the status and the body.
func tfcAPI(method, url, token, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/vnd.api+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// setVar creates an env variable in the seeded workspace my-org/my-workspace.
func setVar(t *testing.T, tfcURL, token, key, value string) {
	t.Helper()
	body := fmt.Sprintf(`{"data":{"type":"vars","attributes":{"key":%q,"value":%q,"category":"env"}}}`, key, value)
	if code, raw, err := tfcAPI("POST", tfcURL+"/api/v2/workspaces/ws-mbsd5E3Ktt5Rg2Xm/vars", token, body); err != nil || code != http.StatusCreated {
		t.Fatalf("set %s: %d %s %v", key, code, raw, err)
	}
}
