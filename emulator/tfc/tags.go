package tfc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// OrgTag is a single-name workspace tag of an organization (key/value tags
// are TagBindings). A tag exists in the organization from the first time a
// workspace gets it until the organization deletes it.
type OrgTag struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// tagName is the documented rule for workspace tags: letters, numbers,
// colons, hyphens and underscores, beginning and ending with a letter or
// number, at most 255 characters.
var tagName = lazyre.New(`^[A-Za-z0-9]([A-Za-z0-9:_-]{0,253}[A-Za-z0-9])?$`)

const tagNameRule = "Name must begin and end with a letter or number, contain only letters, numbers, colons, hyphens, and underscores, and be at most 255 characters"

func (o *Organization) tagBy(match func(*OrgTag) bool) *OrgTag {
	for i := range o.Tags {
		if match(&o.Tags[i]) {
			return &o.Tags[i]
		}
	}
	return nil
}

// tagRef is one tag of a request: by id, or by name (made if new).
type tagRef struct {
	ID   string
	Name string
}

// tagRefsFrom reads a [{"type":"tags","id"?,"attributes":{"name"?}}] array
// at the JSON pointer base; every node needs an id or a valid name.
func tagRefsFrom(raw json.RawMessage, base string) ([]tagRef, error) {
	nodes, err := decodeNodes[struct {
		ID         string `json:"id"`
		Attributes struct {
			Name string `json:"name"`
		} `json:"attributes"`
	}](raw, base)
	if err != nil {
		return nil, err
	}
	out := make([]tagRef, 0, len(nodes))
	for i, n := range nodes {
		switch {
		case n.ID == "" && n.Attributes.Name == "":
			return nil, invalidAttribute(fmt.Sprintf("%s/%d", base, i), "A tag needs an id or a name")
		case n.ID == "" && !tagName.MatchString(n.Attributes.Name):
			return nil, invalidAttribute(fmt.Sprintf("%s/%d/attributes/name", base, i), tagNameRule)
		}
		out = append(out, tagRef{ID: n.ID, Name: n.Attributes.Name})
	}
	return out, nil
}

// resolveTags turns refs into tag names of o, making the tags named for the
// first time (create) or skipping unknown ones (remove). An unknown id is
// an error when creating, so nothing is written.
func (o *Organization) resolveTags(refs []tagRef, base string, create bool, now time.Time) ([]string, error) {
	var names, fresh []string
	for i, r := range refs {
		switch t := o.tagBy(func(t *OrgTag) bool { return (r.ID != "" && t.ID == r.ID) || (r.ID == "" && t.Name == r.Name) }); {
		case t != nil:
			names = append(names, t.Name)
		case r.ID != "" && create:
			return nil, invalidAttribute(fmt.Sprintf("%s/%d/id", base, i), fmt.Sprintf("Tag %s was not found in organization %s", r.ID, o.Name))
		case r.ID == "" && create:
			names, fresh = append(names, r.Name), append(fresh, r.Name)
		}
	}
	for _, n := range fresh {
		if o.tagBy(func(t *OrgTag) bool { return t.Name == n }) == nil {
			o.Tags = append(o.Tags, OrgTag{ID: newID("tag"), Name: n, CreatedAt: now})
		}
	}
	return names, nil
}

type orgTagAttributes struct {
	Name          string `json:"name"`
	CreatedAt     string `json:"created-at"`
	InstanceCount int    `json:"instance-count"`
}

func (st *State) tagResource(o *Organization, t *OrgTag) Resource {
	count := 0
	for _, w := range st.Workspaces {
		if w.Org == o.Name && slices.Contains(w.TagNames, t.Name) {
			count++
		}
	}
	return Resource{ID: t.ID, Type: "tags",
		Attributes:    orgTagAttributes{Name: t.Name, CreatedAt: Timestamp(t.CreatedAt), InstanceCount: count},
		Relationships: map[string]Relationship{"organization": toOne("organizations", o.Name)}}
}

// listWorkspaceTags is GET /workspaces/:id/relationships/tags, filtered by
// the name query (a part of the name).
func (s *Service) listWorkspaceTags(c *call) (int, any, error) {
	q := strings.ToLower(c.r.URL.Query().Get("name"))
	return s.view(http.StatusOK, func(st *State) (any, error) {
		w, err := st.workspaceFor(c.p, c.workspaceRef())
		if err != nil {
			return nil, err
		}
		o := st.Orgs[w.Org]
		all := []Resource{}
		for _, n := range w.TagNames {
			if t := o.tagBy(func(t *OrgTag) bool { return t.Name == n }); t != nil && strings.Contains(strings.ToLower(n), q) {
				all = append(all, st.tagResource(o, t))
			}
		}
		return paginate(c.r, all)
	})
}

// workspaceTags is POST (add, making new tags) or DELETE (remove; unknown
// tags are ignored) /workspaces/:id/relationships/tags. Both answer 204.
func (s *Service) workspaceTags(add bool) handler {
	return func(c *call) (int, any, error) {
		data, err := decodeData(c.r)
		if err != nil {
			return 0, nil, err
		}
		refs, err := tagRefsFrom(data, "/data")
		if err != nil {
			return 0, nil, err
		}
		if len(refs) == 0 {
			return 0, nil, invalidAttribute("/data", "At least one tag is required")
		}
		return s.update(http.StatusNoContent, func(st *State) (any, error) {
			w, err := st.writableWorkspace(c.p, c.workspaceRef())
			if err != nil {
				return nil, err
			}
			names, err := st.Orgs[w.Org].resolveTags(refs, "/data", add, c.now)
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				has := slices.Contains(w.TagNames, n)
				if add && !has {
					w.TagNames = append(w.TagNames, n)
				} else if !add && has {
					w.TagNames = slices.DeleteFunc(w.TagNames, func(x string) bool { return x == n })
				}
			}
			w.UpdatedAt = c.now
			st.touch("Workspaces", w.ID)
			st.touch("Orgs", w.Org) // new tags
			return nil, nil
		})
	}
}

// listOrgTags is GET /organizations/:org/tags: q matches a part of the name,
// filter[exclude][taggable][id] leaves out the tags of that workspace.
func (s *Service) listOrgTags(c *call) (int, any, error) {
	query := c.r.URL.Query()
	q, exclude := strings.ToLower(query.Get("q")), query.Get("filter[exclude][taggable][id]")
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.requireOrg(c.p, c.path("org"), readWorkspaces)
		if err != nil {
			return nil, err
		}
		var skip []string
		if w, ok := st.Workspaces[exclude]; ok && w.Org == o.Name {
			skip = w.TagNames
		}
		all := []Resource{}
		for i := range o.Tags {
			t := &o.Tags[i]
			if strings.Contains(strings.ToLower(t.Name), q) && !slices.Contains(skip, t.Name) {
				all = append(all, st.tagResource(o, t))
			}
		}
		return paginate(c.r, all)
	})
}

// deleteOrgTags is DELETE /organizations/:org/tags with tag identifiers: the
// tags leave the organization and every workspace. Unknown ids are ignored.
func (s *Service) deleteOrgTags(c *call) (int, any, error) {
	refs, err := decodeRefs(c.r, "tags")
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		o, err := st.requireOrg(c.p, c.path("org"), manageWorkspaces)
		if err != nil {
			return nil, err
		}
		for _, ref := range refs {
			t := o.tagBy(func(t *OrgTag) bool { return t.ID == ref.ID })
			if t == nil {
				continue
			}
			name := t.Name
			o.Tags = slices.DeleteFunc(o.Tags, func(x OrgTag) bool { return x.ID == ref.ID })
			for _, w := range st.Workspaces {
				if w.Org == o.Name && slices.Contains(w.TagNames, name) {
					w.TagNames = slices.DeleteFunc(w.TagNames, func(x string) bool { return x == name })
					st.touch("Workspaces", w.ID)
				}
			}
		}
		st.touch("Orgs", o.Name)
		return nil, nil
	})
}

// addWorkspacesToTag is POST /tags/:id/relationships/workspaces. Every
// workspace must be in the tag's organization, or nothing changes.
func (s *Service) addWorkspacesToTag(c *call) (int, any, error) {
	refs, err := decodeRefs(c.r, "workspaces")
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		var o *Organization
		var t *OrgTag
		for _, org := range st.Orgs {
			if found := org.tagBy(func(x *OrgTag) bool { return x.ID == c.path("id") }); found != nil && st.can(c.p, org.Name, manageWorkspaces) {
				o, t = org, found
			}
		}
		if t == nil {
			return nil, errNotFound
		}
		var targets []*Workspace
		for i, ref := range refs {
			w, ok := st.Workspaces[ref.ID]
			if !ok || w.Org != o.Name {
				return nil, invalidAttribute(fmt.Sprintf("/data/%d/id", i), fmt.Sprintf("Workspace %s was not found in organization %s", ref.ID, o.Name))
			}
			targets = append(targets, w)
		}
		for _, w := range targets {
			if !slices.Contains(w.TagNames, t.Name) {
				w.TagNames = append(w.TagNames, t.Name)
				w.UpdatedAt = c.now
				st.touch("Workspaces", w.ID)
			}
		}
		return nil, nil
	})
}

// tagSearch is search[tags] / search[exclude-tags] of a workspace list: comma
// separated names, all of which a workspace must have (or have none of).
func tagSearch(c *call) (want, exclude []string) {
	split := func(s string) []string {
		var out []string
		for _, v := range strings.Split(s, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	q := c.r.URL.Query()
	return split(q.Get("search[tags]")), split(q.Get("search[exclude-tags]"))
}

func matchTags(names, want, exclude []string) bool {
	for _, n := range want {
		if !slices.Contains(names, n) {
			return false
		}
	}
	for _, n := range exclude {
		if slices.Contains(names, n) {
			return false
		}
	}
	return true
}
