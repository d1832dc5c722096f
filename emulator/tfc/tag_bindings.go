package tfc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// MaxTagBindings is how many key/value tags one project or one workspace may
// carry (go-tfe's integration tests expect a 26-binding request to fail).
const MaxTagBindings = 10

// tagKey is what HCP Terraform allows in a tag key: letters, numbers,
// colons, hyphens and underscores, 1 to 255 characters.
var tagKey = lazyre.New(`^[A-Za-z0-9:_-]{1,255}$`)

// tagRelPointer points at the tag-bindings relationship of a project or
// workspace create or update.
const tagRelPointer = "/data/relationships/tag-bindings/data"

// maxTagValue is the longest tag value, in bytes.
const maxTagValue = 255

type tagBindingAttributes struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func tagBindingIDs(bs []TagBinding) []string {
	out := make([]string, 0, len(bs))
	for _, tb := range bs {
		out = append(out, tb.ID)
	}
	return out
}

// tagBindingResources renders bindings as typ (tag-bindings, or
// effective-tag-bindings for a resource's own bindings).
func tagBindingResources(bs []TagBinding, typ string) []Resource {
	out := []Resource{}
	for _, tb := range bs {
		out = append(out, Resource{ID: tb.ID, Type: typ, Attributes: tagBindingAttributes{Key: tb.Key, Value: tb.Value}})
	}
	return out
}

// effectiveTagBindings is a workspace's own bindings followed by those it
// inherits from its project; a key the workspace binds itself overrides the
// project's. Inherited bindings name their project in links and
// relationships (go-tfe reads links["inherited-from"]).
func (st *State) effectiveTagBindings(w *Workspace) []Resource {
	out := tagBindingResources(w.TagBindings, "effective-tag-bindings")
	p := st.Projects[w.ProjectID]
	if p == nil {
		return out
	}
	own := map[string]bool{}
	for _, tb := range w.TagBindings {
		own[tb.Key] = true
	}
	for _, tb := range p.TagBindings {
		if own[tb.Key] {
			continue
		}
		out = append(out, Resource{ID: tb.ID, Type: "effective-tag-bindings",
			Attributes:    tagBindingAttributes{Key: tb.Key, Value: tb.Value},
			Relationships: map[string]Relationship{"inherited-from": toOne("projects", p.ID)},
			Links:         map[string]string{"inherited-from": "/api/v2/projects/" + p.ID}})
	}
	return out
}

// includeEffective adds to a list the effective bindings of each listed
// resource (keyed by its id), each binding once.
func includeEffective(doc *ListDocument, effective map[string][]Resource) {
	seen := map[string]bool{}
	for _, r := range doc.Data {
		for _, tb := range effective[r.ID] {
			if !seen[tb.ID] {
				seen[tb.ID] = true
				doc.Included = append(doc.Included, tb)
			}
		}
	}
}

func effectiveIDs(rs []Resource) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// decodeNodes reads the array of resource nodes at JSON pointer base of a
// request; absent or null is nil, [] is empty.
func decodeNodes[T any](raw json.RawMessage, base string) ([]T, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var nodes []T
	if err := json.Unmarshal(raw, &nodes); err != nil {
		return nil, typeError(base, err)
	}
	return nodes, nil
}

// tagBindingsFrom reads the tag bindings of a request: a tag-bindings
// relationship or a {"data":[...]} body, base being the pointer to that
// array. go-tfe sends them with attributes and no id.
func tagBindingsFrom(raw json.RawMessage, base string) ([]TagBinding, error) {
	nodes, err := decodeNodes[struct {
		Attributes tagBindingAttributes `json:"attributes"`
	}](raw, base)
	if err != nil || nodes == nil {
		return nil, err
	}
	out := []TagBinding{}
	for i, n := range nodes {
		ptr := fmt.Sprintf("%s/%d/attributes", base, i)
		switch k := n.Attributes.Key; {
		case k == "":
			return nil, invalidAttribute(ptr+"/key", "Key can't be blank")
		case !tagKey.MatchString(k):
			return nil, invalidAttribute(ptr+"/key", "Key must be at most 255 characters and contain only letters, numbers, colons, hyphens, and underscores")
		case len(n.Attributes.Value) > maxTagValue:
			return nil, invalidAttribute(ptr+"/value", "Value is too long (maximum is 255 characters)")
		}
		out = append(out, TagBinding{Key: n.Attributes.Key, Value: n.Attributes.Value})
	}
	return out, nil
}

// requestTagBindings reads the tag-bindings relationship of a project or
// workspace create or update: the bindings it sets (they replace every
// binding) and whether it was sent at all.
func requestTagBindings(res *requestResource) ([]TagBinding, bool, error) {
	rel, sent := res.Relationships["tag-bindings"]
	tags, err := tagBindingsFrom(rel.Data, tagRelPointer)
	if err != nil {
		return nil, false, err
	}
	bindings, err := mergeTagBindings(nil, tags, tagRelPointer)
	return bindings, sent, err
}

// selfValidating is a project or workspace input that checks itself.
type selfValidating interface{ validate(create bool) error }

// decodeTagged decodes and validates a project or workspace create or
// update into in, and reads its tag-bindings relationship (requestTagBindings).
func decodeTagged(c *call, typ string, in selfValidating, create bool) (*requestResource, []TagBinding, bool, error) {
	res, err := decodeResource(c.r, typ, in)
	if err != nil {
		return nil, nil, false, err
	}
	if err := in.validate(create); err != nil {
		return nil, nil, false, err
	}
	bindings, sent, err := requestTagBindings(res)
	return res, bindings, sent, err
}

// paginateIncluding pages a list and, when include is set, adds the
// effective bindings of the listed resources.
func paginateIncluding(r *http.Request, all []Resource, effective map[string][]Resource, include bool) (ListDocument, error) {
	doc, err := paginate(r, all)
	if err == nil && include {
		includeEffective(&doc, effective)
	}
	return doc, err
}

// mergeTagBindings adds bindings, replacing the value of existing keys. More
// than MaxTagBindings in the result is an error pointing at ptr.
func mergeTagBindings(cur, add []TagBinding, ptr string) ([]TagBinding, error) {
	out := append([]TagBinding(nil), cur...)
	for _, a := range add {
		found := false
		for i := range out {
			if out[i].Key == a.Key {
				out[i].Value, found = a.Value, true
			}
		}
		if !found {
			a.ID = newID("tb")
			out = append(out, a)
		}
	}
	if len(out) > MaxTagBindings {
		return nil, invalidAttribute(ptr, fmt.Sprintf("Tag bindings cannot exceed %d per resource", MaxTagBindings))
	}
	return out, nil
}

// tagged is the filter[tagged][i][key|value] of a workspace list: every
// pair must match an effective binding (an empty value matches any value).
type tagged []TagBinding

func taggedFilter(c *call) tagged {
	var out tagged
	q := c.r.URL.Query()
	for i := 0; ; i++ {
		k, ok := q[fmt.Sprintf("filter[tagged][%d][key]", i)]
		if !ok {
			return out
		}
		out = append(out, TagBinding{Key: strings.Join(k, ""), Value: q.Get(fmt.Sprintf("filter[tagged][%d][value]", i))})
	}
}

func (f tagged) match(effective []Resource) bool {
	for _, want := range f {
		found := false
		for _, r := range effective {
			a := r.Attributes.(tagBindingAttributes)
			if a.Key == want.Key && (want.Value == "" || a.Value == want.Value) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// tagOwner is the project or workspace a tag-binding route names.
type tagOwner struct {
	bindings  *[]TagBinding
	effective func() []Resource
	touch     func(now time.Time)
}

// tagOwnerFor finds the owner by path {id}; kind is "projects" or
// "workspaces". A caller who may read but not manage it gets a 404 on
// writes, as TFC answers.
func (st *State) tagOwnerFor(who principal, ref wsRef, kind string, write bool) (tagOwner, error) {
	if kind == "projects" {
		p, err := st.projectFor(who, ref.id)
		if err != nil {
			return tagOwner{}, err
		}
		if write && !st.can(who, p.Org, manageProjects) {
			return tagOwner{}, errNotFound
		}
		return tagOwner{bindings: &p.TagBindings,
			effective: func() []Resource { return tagBindingResources(p.TagBindings, "effective-tag-bindings") },
			touch:     func(time.Time) { st.touch("Projects", p.ID) }}, nil
	}
	find := st.workspaceFor
	if write {
		find = st.writableWorkspace
	}
	w, err := find(who, ref)
	if err != nil {
		return tagOwner{}, err
	}
	return tagOwner{bindings: &w.TagBindings,
		effective: func() []Resource { return st.effectiveTagBindings(w) },
		touch:     func(now time.Time) { w.UpdatedAt = now; st.touch("Workspaces", w.ID) }}, nil
}

// listTagBindings is GET /{kind}/:id/tag-bindings (and its
// relationships/ twin) or, effective, /{kind}/:id/effective-tag-bindings.
func (s *Service) listTagBindings(kind string, effective bool) handler {
	return func(c *call) (int, any, error) {
		return s.view(http.StatusOK, func(st *State) (any, error) {
			o, err := st.tagOwnerFor(c.p, c.workspaceRef(), kind, false)
			if err != nil {
				return nil, err
			}
			if effective {
				return ListDocument{Data: o.effective()}, nil
			}
			return ListDocument{Data: tagBindingResources(*o.bindings, "tag-bindings")}, nil
		})
	}
}

// writeTagBindings adds (or, replace, replaces) the bindings of a
// {"data":[...]} body. PATCH /{kind}/:id/tag-bindings answers 200 with every
// binding, as go-tfe reads; the relationships/ routes answer status (204).
func (s *Service) writeTagBindings(kind string, replace bool, status int) handler {
	return func(c *call) (int, any, error) {
		data, err := decodeData(c.r)
		if err != nil {
			return 0, nil, err
		}
		if len(data) == 0 || string(data) == "null" {
			return 0, nil, invalidAttribute("/data", "Tag bindings are required")
		}
		add, err := tagBindingsFrom(data, "/data")
		if err != nil {
			return 0, nil, err
		}
		return s.update(status, func(st *State) (any, error) {
			o, err := st.tagOwnerFor(c.p, c.workspaceRef(), kind, true)
			if err != nil {
				return nil, err
			}
			cur := *o.bindings
			if replace {
				cur = nil
			}
			next, err := mergeTagBindings(cur, add, "/data")
			if err != nil {
				return nil, err
			}
			*o.bindings = next
			o.touch(c.now)
			if status == http.StatusNoContent {
				return nil, nil
			}
			return ListDocument{Data: tagBindingResources(next, "tag-bindings")}, nil
		})
	}
}
