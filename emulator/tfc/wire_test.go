package tfc_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestExactErrorBodies pins the wire format of errors: TFC's titles,
// string statuses and pointers, and that a refused request changes nothing.
func TestExactErrorBodies(t *testing.T) {
	e := newEnv(t, -1)
	cases := []struct {
		name, method, path, token, body string
		status                          int
		want                            string
	}{
		{"no token", "GET", "/api/v2/account/details", "", "", 401, `{"errors":[{"status":"401","title":"unauthorized"}]}`},
		{"bad token", "GET", "/api/v2/organizations", "x.atlasv1.y", "", 401, `{"errors":[{"status":"401","title":"unauthorized"}]}`},
		{"unknown route", "GET", "/api/v2/nothing", e.owner, "", 404, `{"errors":[{"status":"404","title":"not found"}]}`},
		{"wrong method", "PUT", "/api/v2/ping", e.owner, "", 405, `{"errors":[{"status":"405","title":"method not allowed"}]}`},
		{"unknown org", "GET", "/api/v2/organizations/nope", e.owner, "", 404, `{"errors":[{"status":"404","title":"not found"}]}`},
		{"malformed JSON", "POST", "/api/v2/organizations/my-org/workspaces", e.owner, `{"data":`, 400,
			`{"errors":[{"status":"400","title":"bad request","detail":"The request body is not valid JSON: unexpected end of JSON input"}]}`},
		{"no data", "POST", "/api/v2/organizations/my-org/workspaces", e.owner, `{}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"The request body is missing the data member","source":{"pointer":"/data"}}]}`},
		{"wrong attribute type", "POST", "/api/v2/organizations/my-org/workspaces", e.owner, `{"data":{"type":"workspaces","attributes":{"name":"ok","auto-apply":"yes"}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"auto-apply must be a boolean, not string","source":{"pointer":"/data/attributes/auto-apply"}}]}`},
		{"name with a slash", "POST", "/api/v2/organizations/my-org/workspaces", e.owner, `{"data":{"type":"workspaces","attributes":{"name":"a/b"}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Name may only contain letters, numbers, - and _, and must be at most 90 characters","source":{"pointer":"/data/attributes/name"}}]}`},
		{"wrong type", "POST", "/api/v2/organizations/my-org/workspaces", e.owner, `{"data":{"type":"teams","attributes":{"name":"x"}}}`, 409,
			`{"errors":[{"status":"409","title":"conflict","detail":"The resource type \"teams\" does not match the endpoint's type \"workspaces\"","source":{"pointer":"/data/type"}}]}`},
		{"every problem at once", "POST", "/api/v2/organizations", e.owner, `{"data":{"type":"organizations","attributes":{"name":"a b","email":"nope","default-execution-mode":"cloud"}}}`, 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Name may only contain letters, numbers, - and _","source":{"pointer":"/data/attributes/name"}},{"status":"422","title":"invalid attribute","detail":"Email is invalid","source":{"pointer":"/data/attributes/email"}},{"status":"422","title":"invalid attribute","detail":"Default execution mode \"cloud\" is not one of remote, local, agent","source":{"pointer":"/data/attributes/default-execution-mode"}}]}`},
		{"bad include", "GET", "/api/v2/organizations/my-org?include=secrets", e.owner, "", 400,
			`{"errors":[{"status":"400","title":"bad request","detail":"Invalid include parameter: secrets","source":{"parameter":"include"}}]}`},
		{"bad page", "GET", "/api/v2/organizations?page%5Bnumber%5D=zero", e.owner, "", 400,
			`{"errors":[{"status":"400","title":"bad request","detail":"page[number] must be a positive integer","source":{"parameter":"page[number]"}}]}`},
		{"oversized body", "POST", "/api/v2/organizations/my-org/workspaces", e.owner, `{"data":{"type":"workspaces","attributes":{"description":"` + strings.Repeat("x", 1<<20) + `"}}}`, 413,
			`{"errors":[{"status":"413","title":"payload too large","detail":"request bodies are limited to 1048576 bytes"}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, body := e.raw(tc.method, tc.path, tc.token, tc.body)
			if status != tc.status || body != tc.want {
				t.Fatalf("got %d %s\nwant %d %s", status, body, tc.status, tc.want)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/vnd.api+json" {
				t.Fatalf("content type %q", ct)
			}
		})
	}
	// None of the refused creates left anything behind.
	_, _, body := e.raw("GET", "/api/v2/organizations/my-org/workspaces", e.owner, "")
	var list struct {
		Data []struct {
			Attributes struct{ Name string } `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Data) != 1 || list.Data[0].Attributes.Name != "my-workspace" {
		t.Fatalf("workspaces after refused creates: %s", body)
	}
}

func TestPingAndServiceDiscovery(t *testing.T) {
	e := newEnv(t, 30)
	status, hdr, body := e.raw("GET", "/api/v2/ping", "", "")
	if status != http.StatusNoContent || body != "" || hdr.Get("TFP-AppName") != "HCP Terraform" ||
		hdr.Get("TFP-API-Version") != "2.6" || hdr.Get("X-RateLimit-Limit") != "30" || hdr.Get("X-TFE-Version") != "" {
		t.Fatalf("ping: %d %v %q", status, hdr, body)
	}
	status, _, body = e.raw("GET", "/.well-known/terraform.json", "", "")
	var sd map[string]any
	if status != 200 || json.Unmarshal([]byte(body), &sd) != nil || sd["tfe.v2"] != "/api/v2/" || sd["modules.v1"] != "/api/registry/v1/modules/" {
		t.Fatalf("service discovery: %d %s", status, body)
	}
}

// TestRateLimitPerUser: 30 requests a second per user on the virtual clock,
// then 429 with X-RateLimit-Reset until the clock moves.
func TestRateLimitPerUser(t *testing.T) {
	e := newEnv(t, 30)
	for i := 0; i < 30; i++ {
		if status, _, body := e.raw("GET", "/api/v2/account/details", e.owner, ""); status != 200 {
			t.Fatalf("request %d: %d %s", i+1, status, body)
		}
	}
	status, hdr, body := e.raw("GET", "/api/v2/organizations", e.owner, "")
	if status != 429 || hdr.Get("X-RateLimit-Reset") != "1.000" || hdr.Get("Retry-After") != "1" ||
		body != `{"errors":[{"status":"429","title":"Too many requests","detail":"You have exceeded the API's rate limit."}]}` {
		t.Fatalf("31st request: %d %v %s", status, hdr, body)
	}
	// Another user has their own budget.
	if status, _, _ := e.raw("GET", "/api/v2/account/details", e.member, ""); status != 200 {
		t.Fatalf("member limited by the owner's requests: %d", status)
	}
	_ = e.clock.Advance(time.Second)
	if status, _, _ := e.raw("GET", "/api/v2/account/details", e.owner, ""); status != 200 {
		t.Fatalf("after a second: %d", status)
	}
}

func TestPaginationMeta(t *testing.T) {
	e := newEnv(t, -1)
	for _, name := range []string{"a1", "a2", "a3"} {
		body := `{"data":{"type":"workspaces","attributes":{"name":"` + name + `"}}}`
		if status, _, b := e.raw("POST", "/api/v2/organizations/my-org/workspaces", e.owner, body); status != 201 {
			t.Fatalf("create: %d %s", status, b)
		}
	}
	_, _, body := e.raw("GET", "/api/v2/organizations/my-org/workspaces?page%5Bsize%5D=3&page%5Bnumber%5D=2", e.owner, "")
	var doc struct {
		Data []json.RawMessage `json:"data"`
		Meta struct {
			Pagination map[string]any `json:"pagination"`
		} `json:"meta"`
		Links map[string]string `json:"links"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Meta.Pagination
	if len(doc.Data) != 1 || p["current-page"] != 2.0 || p["prev-page"] != 1.0 || p["next-page"] != nil || p["total-pages"] != 2.0 || p["total-count"] != 4.0 {
		t.Fatalf("page 2 of 4 by 3: %d items, %v", len(doc.Data), p)
	}
	if !strings.Contains(doc.Links["first"], "page%5Bnumber%5D=1") {
		t.Fatalf("links = %v", doc.Links)
	}
}
