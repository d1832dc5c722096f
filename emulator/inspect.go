package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/clouds"
	"github.com/tfcemu/tfcemu/emulator/clouds/aws"
	"github.com/tfcemu/tfcemu/emulator/clouds/azure"
	"github.com/tfcemu/tfcemu/emulator/clouds/gcp"
	"github.com/tfcemu/tfcemu/emulator/internal/routing"
)

// The inspector's read-only views that no other admin route gives. Each is
// read through the emulated service's own API (Vault's with the root
// token), so the inspector adds no second source of truth.

// VaultSummary is the body of GET /_emulator/vault/summary.
type VaultSummary struct {
	Mounts     map[string]any `json:"mounts"`
	Auth       map[string]any `json:"auth"`
	Policies   []string       `json:"policies"`
	Terraform  []VaultRole    `json:"terraform_roles"`
	JWT        []VaultRole    `json:"jwt_roles"`
	Leases     []VaultLease   `json:"leases"`
	Incomplete []string       `json:"incomplete,omitempty"`
}

// VaultRole is a role of a terraform secrets engine or jwt auth mount as
// Vault reads it.
type VaultRole struct {
	Mount string         `json:"mount"`
	Name  string         `json:"name"`
	Data  map[string]any `json:"data"`
}

// VaultLease is a lease as sys/leases/lookup reads it: its TTL is on the
// virtual clock.
type VaultLease struct {
	ID   string         `json:"id"`
	Data map[string]any `json:"data"`
}

// maxSummaryLeases bounds the leases a summary looks up.
const maxSummaryLeases = 500

// vaultCall calls the emulated Vault in process with the root token.
func (e *Emulator) vaultCall(ctx context.Context, method, path string, body any) (int, map[string]any) {
	var rd *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	r := httptest.NewRequestWithContext(ctx, method, "/v1/"+path, rd)
	r.Header.Set("X-Vault-Token", e.vault.RootToken())
	w := httptest.NewRecorder()
	e.vault.ServeHTTP(w, r)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

func dataOf(m map[string]any) map[string]any {
	d, _ := m["data"].(map[string]any)
	return d
}

func keysOf(m map[string]any) []string {
	var out []string
	if ks, ok := dataOf(m)["keys"].([]any); ok {
		for _, k := range ks {
			if s, ok := k.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// vaultSummary reads Vault's mounts, auth methods, policies, terraform and
// jwt roles and leases through its API.
func (e *Emulator) vaultSummary(r *http.Request) (int, any) {
	ctx := r.Context()
	s := VaultSummary{Policies: []string{}, Terraform: []VaultRole{}, JWT: []VaultRole{}, Leases: []VaultLease{}}
	_, mounts := e.vaultCall(ctx, "GET", "sys/mounts", nil)
	s.Mounts = dataOf(mounts)
	_, auth := e.vaultCall(ctx, "GET", "sys/auth", nil)
	s.Auth = dataOf(auth)
	_, pol := e.vaultCall(ctx, "LIST", "sys/policies/acl", nil)
	s.Policies = append(s.Policies, keysOf(pol)...)
	roles := func(prefix string, table map[string]any, kind string) []VaultRole {
		out := []VaultRole{}
		paths := make([]string, 0, len(table))
		for p, m := range table {
			if mm, ok := m.(map[string]any); ok && mm["type"] == kind {
				paths = append(paths, p)
			}
		}
		sort.Strings(paths)
		for _, p := range paths {
			_, list := e.vaultCall(ctx, "LIST", prefix+p+"role", nil)
			for _, name := range keysOf(list) {
				_, role := e.vaultCall(ctx, "GET", prefix+p+"role/"+name, nil)
				out = append(out, VaultRole{Mount: prefix + p, Name: name, Data: dataOf(role)})
			}
		}
		return out
	}
	s.Terraform = roles("", s.Mounts, "terraform")
	s.JWT = roles("auth/", s.Auth, "jwt")
	var walk func(prefix string)
	walk = func(prefix string) {
		_, list := e.vaultCall(ctx, "LIST", "sys/leases/lookup/"+prefix, nil)
		for _, k := range keysOf(list) {
			if len(s.Leases) >= maxSummaryLeases {
				s.Incomplete = []string{"more than 500 leases: the first 500 are shown"}
				return
			}
			if strings.HasSuffix(k, "/") {
				walk(prefix + k)
				continue
			}
			id := prefix + k
			_, l := e.vaultCall(ctx, "PUT", "sys/leases/lookup", map[string]string{"lease_id": id})
			d := dataOf(l)
			if d == nil {
				// Token leases are listed but not looked up, as in Vault.
				d = map[string]any{"note": "a token's lease: look the token up with auth/token/lookup"}
			}
			s.Leases = append(s.Leases, VaultLease{ID: id, Data: d})
		}
	}
	walk("")
	return http.StatusOK, s
}

// inspectAdminRoutes are the admin routes only the inspector needs.
func (e *Emulator) inspectAdminRoutes() []routing.Route {
	return []routing.Route{
		{Method: "GET", Path: admin.Prefix + "/vault/summary", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status, body := e.vaultSummary(r)
			b, _ := json.Marshal(body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(append(b, '\n'))
		})},
	}
}

// explainToken is admin.Config.Explain: what each cloud's trust would
// decide for raw, recorded nowhere.
func (e *Emulator) explainToken(ctx context.Context, raw string) ([]clouds.Decision, []string) {
	var out []clouds.Decision
	var unexplained []string
	for _, c := range e.clouds {
		if x, ok := c.svc.(explainer); ok {
			out = append(out, x.Explain(ctx, raw)...)
		} else {
			unexplained = append(unexplained, c.name)
		}
	}
	// Vault's jwt roles, judged as a login would without minting a token.
	for _, v := range e.vault.ExplainJWT(ctx, raw) {
		d := clouds.Decision{Time: e.clock.Now(), Cloud: "vault", Action: v.Mount + "login", Principal: "role " + v.Role, Allowed: v.Allowed}
		if v.Allowed {
			d.Reasons = []string{"a login would succeed with policies " + strings.Join(v.Policies, ", ")}
		} else {
			d.Error, d.Reasons = "400", []string{v.Reason}
		}
		out = append(out, d)
	}
	return out, unexplained
}

// explainer is what each cloud offers the token explainer.
type explainer interface {
	Explain(context.Context, string) []clouds.Decision
}

var (
	_ explainer = (*aws.Service)(nil)
	_ explainer = (*gcp.Service)(nil)
	_ explainer = (*azure.Service)(nil)
)
