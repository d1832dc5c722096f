package tfc

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

type agentPoolAttributes struct {
	Name               string `json:"name"`
	CreatedAt          string `json:"created-at"`
	OrganizationScoped bool   `json:"organization-scoped"`
	AgentCount         int    `json:"agent-count"`
}

func (st *State) agentPoolResource(p *AgentPool) Resource {
	var agents, workspaces []string
	for _, a := range sortedBySeq(st.Agents, func(a *Agent) bool { return a.PoolID == p.ID }) {
		agents = append(agents, a.ID)
	}
	for _, w := range sortedBySeq(st.Workspaces, func(w *Workspace) bool { return w.AgentPoolID == p.ID }) {
		workspaces = append(workspaces, w.ID)
	}
	return Resource{
		ID:         p.ID,
		Type:       "agent-pools",
		Attributes: agentPoolAttributes{Name: p.Name, CreatedAt: Timestamp(p.CreatedAt), OrganizationScoped: p.OrganizationScoped, AgentCount: len(agents)},
		Relationships: map[string]Relationship{
			"organization":        toOne("organizations", p.Org),
			"workspaces":          toMany("workspaces", workspaces),
			"allowed-workspaces":  toMany("workspaces", p.AllowedWorkspaceIDs),
			"allowed-projects":    toMany("projects", p.AllowedProjectIDs),
			"excluded-workspaces": toMany("workspaces", p.ExcludedWorkspaceIDs),
			"agents":              {Links: map[string]string{"related": "/api/v2/agent-pools/" + p.ID + "/agents"}},
		},
		Links: map[string]string{"self": "/api/v2/agent-pools/" + p.ID},
	}
}

type agentAttributes struct {
	Name       string `json:"name"`
	Status     string `json:"status"`
	IPAddress  string `json:"ip-address"`
	LastPingAt string `json:"last-ping-at"`
}

func agentResource(a *Agent) Resource {
	return Resource{ID: a.ID, Type: "agents",
		Attributes:    agentAttributes{Name: a.Name, Status: a.Status, IPAddress: "127.0.0.1", LastPingAt: Timestamp(a.LastPingAt)},
		Relationships: map[string]Relationship{"agent-pool": toOne("agent-pools", a.PoolID)},
		Links:         map[string]string{"self": "/api/v2/agents/" + a.ID}}
}

type agentPoolInput struct {
	Name               *string `json:"name"`
	OrganizationScoped *bool   `json:"organization-scoped"`
}

// poolScope applies the allowed/excluded relationships a request sent,
// each resolved in the pool's organization.
func (st *State) poolScope(res *requestResource, p *AgentPool) error {
	for _, rel := range []struct {
		name string
		dst  *[]string
		ok   func(string) bool
	}{
		{"allowed-workspaces", &p.AllowedWorkspaceIDs, func(id string) bool { w, ok := st.Workspaces[id]; return ok && w.Org == p.Org }},
		{"allowed-projects", &p.AllowedProjectIDs, func(id string) bool { pr, ok := st.Projects[id]; return ok && pr.Org == p.Org }},
		{"excluded-workspaces", &p.ExcludedWorkspaceIDs, func(id string) bool { w, ok := st.Workspaces[id]; return ok && w.Org == p.Org }},
	} {
		if _, sent := res.Relationships[rel.name]; !sent {
			continue
		}
		refs, err := relationshipRefs(res, rel.name)
		if err != nil {
			return err
		}
		ids, err := refsIn(refs, rel.ok, "/data/relationships/"+rel.name)
		if err != nil {
			return err
		}
		*rel.dst = ids
	}
	return nil
}

// poolServes reports whether a pool may be used by what named matches:
// organization-scoped pools serve everyone, others only what they allow.
func (st *State) poolServes(p *AgentPool, named func(id string) bool, allowed []string) bool {
	if p.OrganizationScoped {
		return true
	}
	for _, id := range allowed {
		if named(id) {
			return true
		}
	}
	return false
}

func (st *State) agentPoolFor(p principal, id string, write bool) (*AgentPool, error) {
	ap, ok := st.AgentPools[id]
	if !ok || !st.memberOf(p, ap.Org) {
		return nil, errNotFound
	}
	if write && !st.can(p, ap.Org, func(a TeamAccess) bool { return a.ManageAgentPools }) {
		return nil, errNotFound
	}
	return ap, nil
}

func (s *Service) listAgentPools(c *call) (int, any, error) {
	q := strings.ToLower(c.r.URL.Query().Get("q"))
	sortBy := c.r.URL.Query().Get("sort")
	field, desc := strings.TrimPrefix(sortBy, "-"), strings.HasPrefix(sortBy, "-")
	if field != "" && field != "name" && field != "created-at" {
		e := badRequest(fmt.Sprintf("sort %q is not one of name, created-at", sortBy))
		e.Source = &Source{Parameter: "sort"}
		return 0, nil, e
	}
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		pools := sortedBySeq(st.AgentPools, func(p *AgentPool) bool { return p.Org == o.Name })
		if field == "name" {
			sort.SliceStable(pools, func(i, j int) bool { return pools[i].Name < pools[j].Name })
		}
		if desc {
			for i, j := 0, len(pools)-1; i < j; i, j = i+1, j-1 {
				pools[i], pools[j] = pools[j], pools[i]
			}
		}
		wsName, prjName := c.r.URL.Query().Get("filter[allowed_workspaces][name]"), c.r.URL.Query().Get("filter[allowed_projects][name]")
		var all []Resource
		for _, p := range pools {
			if (wsName != "" && !st.poolServes(p, func(id string) bool { w := st.Workspaces[id]; return w != nil && w.Name == wsName }, p.AllowedWorkspaceIDs)) ||
				(prjName != "" && !st.poolServes(p, func(id string) bool { pr := st.Projects[id]; return pr != nil && pr.Name == prjName }, p.AllowedProjectIDs)) {
				continue
			}
			if q == "" || strings.Contains(strings.ToLower(p.Name), q) {
				all = append(all, st.agentPoolResource(p))
			}
		}
		return paginate(c.r, all)
	})
}

func (s *Service) createAgentPool(c *call) (int, any, error) {
	var in agentPoolInput
	res, err := decodeResource(c.r, "agent-pools", &in)
	if err != nil {
		return 0, nil, err
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return 0, nil, invalidAttribute("/data/attributes/name", "Name can't be blank")
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.requireOrg(c.p, c.path("org"), func(a TeamAccess) bool { return a.ManageAgentPools })
		if err != nil {
			return nil, err
		}
		for _, p := range st.AgentPools {
			if p.Org == o.Name && strings.EqualFold(p.Name, *in.Name) {
				return nil, invalidAttribute("/data/attributes/name", "Name has already been taken")
			}
		}
		p := &AgentPool{ID: newID("apool"), Org: o.Name, Name: *in.Name, OrganizationScoped: true, CreatedAt: c.now}
		setIf(&p.OrganizationScoped, in.OrganizationScoped)
		if err := st.poolScope(res, p); err != nil {
			return nil, err
		}
		p.seq = st.next()
		st.AgentPools[p.ID] = p
		st.touch("AgentPools", p.ID)
		return Document{Data: st.agentPoolResource(p)}, nil
	})
}

func (s *Service) readAgentPool(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		p, err := st.agentPoolFor(c.p, c.path("id"), false)
		if err != nil {
			return nil, err
		}
		return Document{Data: st.agentPoolResource(p)}, nil
	})
}

func (s *Service) updateAgentPool(c *call) (int, any, error) {
	var in agentPoolInput
	res, err := decodeResource(c.r, "agent-pools", &in)
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		p, err := st.agentPoolFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
			return nil, invalidAttribute("/data/attributes/name", "Name can't be blank")
		}
		next := *p
		if err := st.poolScope(res, &next); err != nil {
			return nil, err
		}
		setIf(&next.Name, in.Name)
		setIf(&next.OrganizationScoped, in.OrganizationScoped)
		*p = next
		st.touch("AgentPools", p.ID)
		return Document{Data: st.agentPoolResource(p)}, nil
	})
}

func (s *Service) deleteAgentPool(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		p, err := st.agentPoolFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		for _, w := range st.Workspaces {
			if w.AgentPoolID == p.ID {
				return nil, invalidAttribute("", "Agent pool is in use by workspace "+w.Name)
			}
		}
		st.remove("AgentPools", p.ID)
		st.touch("AgentPools", p.ID)
		return nil, nil
	})
}

func (s *Service) listAgents(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		p, err := st.agentPoolFor(c.p, c.path("id"), false)
		if err != nil {
			return nil, err
		}
		var all []Resource
		for _, a := range sortedBySeq(st.Agents, func(a *Agent) bool { return a.PoolID == p.ID }) {
			all = append(all, agentResource(a))
		}
		return paginate(c.r, all)
	})
}

func (s *Service) readAgent(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		a, ok := st.Agents[c.path("id")]
		if !ok {
			return nil, errNotFound
		}
		if _, err := st.agentPoolFor(c.p, a.PoolID, false); err != nil {
			return nil, err
		}
		return Document{Data: agentResource(a)}, nil
	})
}

// AgentVersionPattern is what an agent version looks like.
var AgentVersionPattern = lazyre.New(`^\d+\.\d+\.\d+$`)

// RegisterAgent adds an agent of version to a pool, as a tfc-agent
// registering would; the admin API uses it.
func (s *Service) RegisterAgent(poolID, name, version string) (string, error) {
	if !AgentVersionPattern.MatchString(version) {
		return "", fmt.Errorf("version %q is not MAJOR.MINOR.PATCH", version)
	}
	var id string
	err := s.store.Update(func(st *State) error {
		if _, ok := st.AgentPools[poolID]; !ok {
			return fmt.Errorf("agent pool %q: %w", poolID, ErrNotFound)
		}
		a := &Agent{ID: newID("agent"), PoolID: poolID, Name: name, Version: version, Status: "idle", LastPingAt: s.now(), seq: st.next()}
		st.Agents[a.ID] = a
		st.touch("Agents", a.ID)
		id = a.ID
		return nil
	})
	return id, err
}

// CompareVersions compares MAJOR.MINOR.PATCH versions: -1, 0 or 1.
func CompareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < 3; i++ {
		x, _ := strconv.Atoi(at(pa, i))
		y, _ := strconv.Atoi(at(pb, i))
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "0"
}

// executionSettings works out an execution mode and agent pool from a
// request: the mode sent (or kept), and the pool sent as poolID (or kept);
// a pool needs agent mode, and leaving agent mode drops the pool.
func (st *State) executionSettings(org string, mode *string, poolID *string, curMode, curPool, pointer string) (string, string, error) {
	newMode, newPool := curMode, curPool
	if mode != nil {
		newMode = *mode
	}
	if poolID != nil {
		newPool = *poolID
	}
	if newMode != "agent" {
		if poolID != nil && *poolID != "" {
			return "", "", errPoolWithoutAgentMode(pointer)
		}
		newPool = ""
	}
	if newPool != "" {
		p, ok := st.AgentPools[newPool]
		if !ok || p.Org != org {
			return "", "", invalidAttribute(pointer, "Agent pool "+newPool+" was not found in organization "+org)
		}
	}
	return newMode, newPool, nil
}
