package tfc

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// State version statuses, as go-tfe names them.
const (
	StateVersionPending   = "pending"
	StateVersionFinalized = "finalized"
	StateVersionDiscarded = "discarded"
)

// StateVersion is one Terraform state of a workspace. It is created
// pending when its content is to be uploaded to its archivist URLs, and
// finalized once the raw state is there; the newest finalized one is the
// workspace's current state.
type StateVersion struct {
	ID          string
	WorkspaceID string
	Status      string
	Serial      int64
	Lineage     string
	MD5         string
	RunID       string
	CreatedBy   Ref
	CreatedAt   time.Time
	// State is the raw state file; JSONState the `terraform show -json`
	// form, when uploaded.
	State     []byte
	JSONState []byte
	// Parsed from State at finalization.
	TerraformVersion string
	FormatVersion    int
	Outputs          []*StateVersionOutput
	Resources        []StateResource
	// Archivist keys; upload keys are dropped once used.
	StateUploadKey, JSONUploadKey     string
	StateDownloadKey, JSONDownloadKey string
	seq                               int64
}

func (sv *StateVersion) order() int64 { return sv.seq }

// StateResource is one resource block of a state, with its instance count.
type StateResource struct {
	Name     string
	Type     string // "data.<type>" for data sources
	Count    int
	Module   string // "root" for the root module
	Provider string
	Managed  bool
}

// rawState is what TFC reads out of a state file.
type rawState struct {
	Version          int    `json:"version"`
	TerraformVersion string `json:"terraform_version"`
	Serial           int64  `json:"serial"`
	Lineage          string `json:"lineage"`
	Outputs          map[string]struct {
		Value     json.RawMessage `json:"value"`
		Type      json.RawMessage `json:"type"`
		Sensitive bool            `json:"sensitive"`
	} `json:"outputs"`
	Resources []struct {
		Module    string            `json:"module"`
		Mode      string            `json:"mode"`
		Type      string            `json:"type"`
		Name      string            `json:"name"`
		Provider  string            `json:"provider"`
		Instances []json.RawMessage `json:"instances"`
	} `json:"resources"`
}

// finalize reads the raw state into sv and makes sv its workspace's
// current state version. A state that is not a Terraform state file is
// refused before anything changes.
func (st *State) finalize(sv *StateVersion, raw []byte, now time.Time) error {
	var rs rawState
	if err := json.Unmarshal(raw, &rs); err != nil || rs.Version == 0 {
		return invalidAttribute("/data/attributes/state", "State is not a Terraform state file")
	}
	sv.State, sv.TerraformVersion, sv.FormatVersion = raw, rs.TerraformVersion, rs.Version
	names := make([]string, 0, len(rs.Outputs))
	for n := range rs.Outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	sv.Outputs = nil
	for _, n := range names {
		o := rs.Outputs[n]
		out := &StateVersionOutput{ID: newID("wsout"), Name: n, Sensitive: o.Sensitive, Type: o.Type, Value: o.Value, StateVersion: sv.ID}
		if len(out.Value) == 0 {
			out.Value = json.RawMessage("null")
		}
		sv.Outputs = append(sv.Outputs, out)
		st.svOutputs[out.ID] = sv.ID
	}
	sv.Resources = nil
	for _, r := range rs.Resources {
		res := StateResource{Name: r.Name, Type: r.Type, Count: len(r.Instances), Module: r.Module, Provider: r.Provider, Managed: r.Mode != "data"}
		if !res.Managed {
			res.Type = "data." + r.Type
		}
		if res.Module == "" {
			res.Module = "root"
		}
		sv.Resources = append(sv.Resources, res)
	}
	sv.Status, sv.StateUploadKey = StateVersionFinalized, ""
	sv.StateDownloadKey = st.newObject(objectState, sv.ID, false, now)
	st.CurrentStateVersions[sv.WorkspaceID] = sv.ID
	st.changes.mark("CurrentStateVersions", sv.WorkspaceID)
	return nil
}

// managedCount is the number of managed resource instances in a state:
// the workspace's resource-count and what blocks a safe delete.
func (sv *StateVersion) managedCount() int {
	n := 0
	for _, r := range sv.Resources {
		if r.Managed {
			n += r.Count
		}
	}
	return n
}

// currentStateVersion is a workspace's current state version, or nil.
func (st *State) currentStateVersion(wsID string) *StateVersion {
	return st.StateVersions[st.CurrentStateVersions[wsID]]
}

// workspaceResourceCount is a workspace's resource-count attribute.
func (st *State) workspaceResourceCount(wsID string) int {
	if sv := st.currentStateVersion(wsID); sv != nil {
		return sv.managedCount()
	}
	return 0
}

// workspaceOutputIDs are the ids of a workspace's current outputs.
func (st *State) workspaceOutputIDs(wsID string) []string {
	var ids []string
	if sv := st.currentStateVersion(wsID); sv != nil {
		for _, o := range sv.Outputs {
			ids = append(ids, o.ID)
		}
	}
	return ids
}

// uploadState takes an archivist upload of a state version's raw or JSON
// state.
func (st *State) uploadState(o *HostedObject, body []byte, now time.Time) error {
	sv, ok := st.StateVersions[o.OwnerID]
	if !ok || sv.Status == StateVersionDiscarded {
		return errNotFound
	}
	if o.Kind == objectJSONState {
		if !json.Valid(body) {
			return invalidAttribute("", "The JSON state is not valid JSON")
		}
		sv.JSONState, sv.JSONUploadKey = body, ""
		sv.JSONDownloadKey = st.newObject(objectJSONState, sv.ID, false, now)
		return nil
	}
	if sum := md5.Sum(body); hex.EncodeToString(sum[:]) != strings.ToLower(sv.MD5) {
		return invalidAttribute("", "The uploaded state does not match the state version's MD5 checksum")
	}
	return st.finalize(sv, body, now)
}

type svAttributes struct {
	CreatedAt           string         `json:"created-at"`
	Size                int            `json:"size"`
	DownloadURL         *string        `json:"hosted-state-download-url"`
	JSONDownloadURL     *string        `json:"hosted-json-state-download-url"`
	UploadURL           *string        `json:"hosted-state-upload-url"`
	JSONUploadURL       *string        `json:"hosted-json-state-upload-url"`
	Status              string         `json:"status"`
	Intermediate        bool           `json:"intermediate"`
	Modules             map[string]any `json:"modules"`
	Providers           map[string]any `json:"providers"`
	Resources           []svResource   `json:"resources"`
	ResourcesProcessed  bool           `json:"resources-processed"`
	Serial              int64          `json:"serial"`
	StateVersion        *int           `json:"state-version"`
	TerraformVersion    *string        `json:"terraform-version"`
	VCSCommitURL        *string        `json:"vcs-commit-url"`
	VCSCommitSHA        *string        `json:"vcs-commit-sha"`
	BillableRUMCount    *int           `json:"billable-rum-count"`
	DeleteOlderThanNDay *int           `json:"delete-older-than-n-days"`
}

type svResource struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Count    int    `json:"count"`
	Module   string `json:"module"`
	Provider string `json:"provider"`
}

// stateVersionResource is the one representation of a state version.
func stateVersionResource(sv *StateVersion, r *http.Request) Resource {
	a := svAttributes{CreatedAt: Timestamp(sv.CreatedAt), Size: len(sv.State), Status: sv.Status, Serial: sv.Serial,
		DownloadURL: objectURL(r, sv.StateDownloadKey), JSONDownloadURL: objectURL(r, sv.JSONDownloadKey),
		UploadURL: objectURL(r, sv.StateUploadKey), JSONUploadURL: objectURL(r, sv.JSONUploadKey), Resources: []svResource{}}
	if sv.Status == StateVersionFinalized {
		a.ResourcesProcessed = true
		a.StateVersion, a.TerraformVersion = &sv.FormatVersion, nonEmpty(sv.TerraformVersion)
		rum := sv.managedCount()
		a.BillableRUMCount = &rum
		a.Modules, a.Providers = map[string]any{}, map[string]any{}
		for _, res := range sv.Resources {
			a.Resources = append(a.Resources, svResource(res.view()))
			key := strings.ReplaceAll(res.Type, "_", "-")
			addCount(a.Modules, res.Module, key, res.Count)
			addCount(a.Providers, res.Provider, key, res.Count)
		}
	}
	outputs := make([]string, 0, len(sv.Outputs))
	for _, o := range sv.Outputs {
		outputs = append(outputs, o.ID)
	}
	return Resource{
		ID: sv.ID, Type: "state-versions", Attributes: a,
		Relationships: map[string]Relationship{
			"run":        toOne("runs", sv.RunID),
			"created-by": {Data: &Ref{ID: sv.CreatedBy.ID, Type: sv.CreatedBy.Type}},
			"workspace":  toOne("workspaces", sv.WorkspaceID),
			"outputs":    toMany("state-version-outputs", outputs),
		},
		Links: map[string]string{"self": "/api/v2/state-versions/" + sv.ID},
	}
}

func (res StateResource) view() svResource {
	return svResource{Name: res.Name, Type: res.Type, Count: res.Count, Module: res.Module, Provider: res.Provider}
}

// addCount adds n to m[group][key], the shape of TFC's modules and
// providers attributes.
func addCount(m map[string]any, group, key string, n int) {
	g, _ := m[group].(map[string]int)
	if g == nil {
		g = map[string]int{}
		m[group] = g
	}
	g[key] += n
}

// stateVersionFor finds a state version whose workspace the caller may
// read (workspaceFor's rules) and whose state it may see: need says which
// of the workspace's state permissions the request calls for.
func (st *State) stateVersionFor(p principal, id string, need func(workspacePerms) bool) (*StateVersion, error) {
	sv, ok := st.StateVersions[id]
	if !ok {
		return nil, errNotFound
	}
	w, err := st.workspaceFor(p, wsRef{id: sv.WorkspaceID})
	if err != nil {
		return nil, err
	}
	if err := st.stateAccess(p, w, need); err != nil {
		return nil, err
	}
	return sv, nil
}

// svIncludes reads include=outputs.
func svIncludes(c *call) (bool, error) {
	inc, err := includes(c.r, "outputs", "created_by", "run", "run.created_by", "run.configuration_version")
	return inc["outputs"], err
}

func svDocument(sv *StateVersion, r *http.Request, withOutputs bool) Document {
	doc := Document{Data: stateVersionResource(sv, r)}
	if withOutputs {
		for _, o := range sv.Outputs {
			doc.Included = append(doc.Included, outputResource(o, false))
		}
	}
	return doc
}

func (s *Service) readStateVersion(c *call) (int, any, error) {
	withOutputs, err := svIncludes(c)
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		sv, err := st.stateVersionFor(c.p, c.path("id"), needReadStateVersions)
		if err != nil {
			return nil, err
		}
		return svDocument(sv, c.r, withOutputs), nil
	})
}

// currentFor is the current state version of the path's workspace, when
// the caller may read it; no state is a 404.
func (st *State) currentFor(p principal, ref wsRef, need func(workspacePerms) bool) (*StateVersion, error) {
	w, err := st.workspaceFor(p, ref)
	if err != nil {
		return nil, err
	}
	if err := st.stateAccess(p, w, need); err != nil {
		return nil, err
	}
	sv := st.currentStateVersion(w.ID)
	if sv == nil {
		return nil, errNotFound
	}
	return sv, nil
}

func (s *Service) readCurrentStateVersion(c *call) (int, any, error) {
	withOutputs, err := svIncludes(c)
	if err != nil {
		return 0, nil, err
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		sv, err := st.currentFor(c.p, c.workspaceRef(), needReadStateVersions)
		if err != nil {
			return nil, err
		}
		return svDocument(sv, c.r, withOutputs), nil
	})
}

// listStateVersions is GET /state-versions with the workspace and
// organization filters TFC requires; newest first.
func (s *Service) listStateVersions(c *call) (int, any, error) {
	q := c.r.URL.Query()
	org, name := q.Get("filter[organization][name]"), q.Get("filter[workspace][name]")
	for _, f := range [][2]string{{"filter[organization][name]", org}, {"filter[workspace][name]", name}} {
		if f[1] == "" {
			e := badRequest(fmt.Sprintf("%s is required", f[0]))
			e.Source = &Source{Parameter: f[0]}
			return 0, nil, e
		}
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		ws, ok := st.workspaceByName(org, name)
		if !ok {
			return nil, errNotFound
		}
		w, err := st.workspaceFor(c.p, wsRef{id: ws.ID})
		if err != nil {
			return nil, err
		}
		if err := st.stateAccess(c.p, w, needReadStateVersions); err != nil {
			return nil, err
		}
		list := sortedBySeq(st.StateVersions, func(sv *StateVersion) bool { return sv.WorkspaceID == w.ID })
		all := make([]Resource, 0, len(list))
		for i := len(list) - 1; i >= 0; i-- {
			all = append(all, stateVersionResource(list[i], c.r))
		}
		return paginate(c.r, all)
	})
}
