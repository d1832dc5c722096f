package vault

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// mount is a secrets engine or an auth method at a path.
type mount struct {
	path        string // "terraform/" or "auth/jwt/"
	typ         string
	description string
	accessor    string
	uuid        string
	auth        bool
	defaultTTL  time.Duration // 0: the system default
	maxTTL      time.Duration // 0: the system default
	backend     logical.Backend
}

// system is the mount's view for its backend.
type system struct{ m *mount }

func (s system) DefaultLeaseTTL() time.Duration {
	if s.m.defaultTTL > 0 {
		return s.m.defaultTTL
	}
	return DefaultLeaseTTL
}

func (s system) MaxLeaseTTL() time.Duration {
	if s.m.maxTTL > 0 {
		return s.m.maxTTL
	}
	return DefaultLeaseTTL
}

// mountFor returns the mount with the longest path that prefixes path, and
// the rest of the path.
func (s *Server) mountFor(path string) (*mount, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var best *mount
	for p, m := range s.mounts {
		if (strings.HasPrefix(path, p) || path+"/" == p) && (best == nil || len(p) > len(best.path)) {
			best = m
		}
	}
	if best == nil {
		return nil, ""
	}
	if path+"/" == best.path {
		return best, ""
	}
	return best, path[len(best.path):]
}

// sys serves the system backend's paths.
func (s *Server) sys(w http.ResponseWriter, req *request, tok *token) {
	rest := strings.TrimPrefix(req.path, "sys/")
	switch {
	case rest == "policy" || strings.HasPrefix(rest, "policy/") || rest == "policies/acl" || strings.HasPrefix(rest, "policies/acl/"):
		s.sysPolicies(w, req, rest)
	case rest == "capabilities" || rest == "capabilities-self" || rest == "capabilities-accessor":
		s.sysCapabilities(w, req, tok, rest)
	case rest == "mounts" || rest == "mounts/":
		s.listMounts(w, req, false)
	case rest == "auth" || rest == "auth/":
		s.listMounts(w, req, true)
	case strings.HasPrefix(rest, "mounts/") && strings.HasSuffix(strings.TrimSuffix(rest, "/"), "/tune"):
		s.tune(w, req, "", strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(rest, "mounts/"), "/"), "/tune"))
	case strings.HasPrefix(rest, "auth/") && strings.HasSuffix(strings.TrimSuffix(rest, "/"), "/tune"):
		s.tune(w, req, "auth/", strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(rest, "auth/"), "/"), "/tune"))
	case strings.HasPrefix(rest, "mounts/"):
		s.mountOp(w, req, "", strings.TrimPrefix(rest, "mounts/"))
	case strings.HasPrefix(rest, "auth/"):
		s.mountOp(w, req, "auth/", strings.TrimPrefix(rest, "auth/"))
	case strings.HasPrefix(rest, "leases/"):
		s.leaseOp(w, req, strings.TrimPrefix(rest, "leases/"))
	default:
		writeErrors(w, http.StatusNotFound, multierror("unsupported path"))
	}
}

// mountOp enables (POST/PUT) or disables (DELETE) a mount.
func (s *Server) mountOp(w http.ResponseWriter, req *request, prefix, path string) {
	path = strings.Trim(path, "/")
	if path == "" {
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
		return
	}
	full := prefix + path + "/"
	switch req.op {
	case logical.UpdateOperation:
		s.enable(w, req, prefix, full)
	case logical.DeleteOperation:
		s.disable(req, full)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	case logical.ReadOperation:
		s.readMount(w, full)
	default:
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
	}
}

func (s *Server) enable(w http.ResponseWriter, req *request, prefix, full string) {
	lreq := &logical.Request{Data: req.data}
	typ, _, err := lreq.String("type")
	if err != nil || typ == "" {
		writeErrors(w, http.StatusBadRequest, "backend type must be specified as a string")
		return
	}
	factories := secretEngines
	if prefix == "auth/" {
		factories = authMethods
	}
	factory, ok := factories[typ]
	if !ok {
		writeErrors(w, http.StatusBadRequest, "plugin not found in the catalog: "+typ)
		return
	}
	desc, _, _ := lreq.String("description")
	m := &mount{path: full, typ: typ, description: desc, auth: prefix == "auth/", uuid: uuid.NewString(),
		accessor: strings.ReplaceAll(typ, "-", "_") + "_" + uuid.NewString()[:8]}
	if cfg, ok := req.data["config"].(map[string]any); ok {
		for field, dst := range map[string]*time.Duration{"default_lease_ttl": &m.defaultTTL, "max_lease_ttl": &m.maxTTL} {
			if v, ok := cfg[field]; ok {
				d, err := logical.ParseDurationSecond(v)
				if err != nil {
					writeErrors(w, http.StatusBadRequest, "error parsing "+field+": "+err.Error())
					return
				}
				*dst = d
			}
		}
	}
	m.backend = factory(logical.Config{Now: s.cfg.Now, HTTPClient: s.cfg.HTTPClient, System: system{m}})
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range s.mounts {
		if strings.HasPrefix(full, p) || strings.HasPrefix(p, full) {
			writeErrors(w, http.StatusBadRequest, "path is already in use at "+p)
			return
		}
	}
	if full == "sys/" || full == "auth/token/" || strings.HasPrefix(full, "sys/") {
		writeErrors(w, http.StatusBadRequest, "cannot mount at reserved path "+quote(full))
		return
	}
	s.mounts[full] = m
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// disable unmounts and revokes the mount's leases, as Vault does.
func (s *Server) disable(req *request, full string) {
	s.mu.Lock()
	_, ok := s.mounts[full]
	delete(s.mounts, full)
	s.mu.Unlock()
	if ok {
		s.revokePrefix(req.http.Context(), full)
	}
}

// mountInfo is one entry of sys/mounts and sys/auth.
func (m *mount) info() map[string]any {
	return map[string]any{
		"accessor": m.accessor,
		"config": map[string]any{
			"default_lease_ttl": int(m.defaultTTL.Seconds()),
			"max_lease_ttl":     int(m.maxTTL.Seconds()),
			"force_no_cache":    false,
		},
		"description":             m.description,
		"external_entropy_access": false,
		"local":                   false,
		"options":                 nil,
		"plugin_version":          "",
		"running_plugin_version":  "v" + Version + "+builtin",
		"running_sha256":          "",
		"seal_wrap":               false,
		"type":                    m.typ,
		"uuid":                    m.uuid,
	}
}

func (s *Server) listMounts(w http.ResponseWriter, req *request, auth bool) {
	if req.op != logical.ReadOperation {
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
		return
	}
	data := map[string]any{}
	s.mu.RLock()
	for p, m := range s.mounts {
		if m.auth == auth {
			data[strings.TrimPrefix(p, "auth/")] = m.info()
		}
	}
	s.mu.RUnlock()
	sys := &mount{typ: "system", description: "system endpoints used for control, policy and debugging", accessor: "system_tfcemu0", uuid: s.clusterID}
	key := "sys/"
	if auth {
		sys = &mount{typ: "token", description: "token based credentials", accessor: "auth_token_tfcemu0", uuid: s.clusterID}
		key = "token/"
	}
	data[key] = sys.info()
	env := sysEnvelope()
	env.Data = data
	writeVault(w, http.StatusOK, env)
}

func (s *Server) readMount(w http.ResponseWriter, full string) {
	s.mu.RLock()
	m, ok := s.mounts[full]
	s.mu.RUnlock()
	if !ok {
		writeErrors(w, http.StatusBadRequest, "No secret engine mount at "+full)
		return
	}
	env := sysEnvelope()
	env.Data = m.info()
	writeVault(w, http.StatusOK, env)
}

// tune reads or changes a mount's lease TTLs.
func (s *Server) tune(w http.ResponseWriter, req *request, prefix, path string) {
	full := prefix + strings.Trim(path, "/") + "/"
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.mounts[full]
	if !ok {
		writeErrors(w, http.StatusBadRequest, "cannot fetch sysview for path "+quote(full))
		return
	}
	sv := system{m}
	switch req.op {
	case logical.ReadOperation:
		env := sysEnvelope()
		env.Data = map[string]any{
			"default_lease_ttl": int(sv.DefaultLeaseTTL().Seconds()),
			"max_lease_ttl":     int(sv.MaxLeaseTTL().Seconds()),
			"force_no_cache":    false,
			"description":       m.description,
		}
		writeVault(w, http.StatusOK, env)
	case logical.UpdateOperation:
		def, max := m.defaultTTL, m.maxTTL
		lreq := &logical.Request{Data: req.data}
		for field, dst := range map[string]*time.Duration{"default_lease_ttl": &def, "max_lease_ttl": &max} {
			d, sent, err := lreq.DurationSecond(field)
			if err != nil {
				writeErrors(w, http.StatusBadRequest, "unable to parse "+field+": "+err.Error())
				return
			}
			if sent {
				*dst = d
			}
		}
		effDef, effMax := system{&mount{defaultTTL: def}}.DefaultLeaseTTL(), system{&mount{maxTTL: max}}.MaxLeaseTTL()
		if effDef > effMax {
			writeErrors(w, http.StatusBadRequest, "backend max lease TTL of "+humanDuration(effMax)+" would be less than backend default lease TTL of "+humanDuration(effDef))
			return
		}
		m.defaultTTL, m.maxTTL = def, max
		if d, ok, _ := lreq.String("description"); ok {
			m.description = d
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	default:
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
	}
}

// humanDuration prints a duration as Vault does in messages: "1h", "10m".
func humanDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

func (s *Server) health(w http.ResponseWriter, req *request) {
	if req.path == "sys/leader" {
		// A dev server has no HA: the leader status is all zero values.
		writeVault(w, http.StatusOK, leaderBody{})
		return
	}
	if req.path == "sys/seal-status" {
		writeVault(w, http.StatusOK, map[string]any{
			"type": "shamir", "initialized": true, "sealed": false, "t": 1, "n": 1, "progress": 0, "nonce": "",
			"version": Version, "build_date": "", "migration": false, "cluster_name": s.clusterName,
			"cluster_id": s.clusterID, "recovery_seal": false, "storage_type": "inmem",
		})
		return
	}
	writeVault(w, http.StatusOK, healthBody{
		Initialized: true, ReplicationPerformanceMode: "disabled", ReplicationDRMode: "disabled",
		ServerTimeUTC: req.now.Unix(), Version: Version, ClusterName: s.clusterName, ClusterID: s.clusterID,
	})
}

// leaderBody is sys/leader (Vault's LeaderResponse) on a server without
// HA storage.
type leaderBody struct {
	HAEnabled                bool      `json:"ha_enabled"`
	IsSelf                   bool      `json:"is_self"`
	ActiveTime               time.Time `json:"active_time"`
	LeaderAddress            string    `json:"leader_address"`
	LeaderClusterAddress     string    `json:"leader_cluster_address"`
	PerfStandby              bool      `json:"performance_standby"`
	PerfStandbyLastRemoteWAL uint64    `json:"performance_standby_last_remote_wal"`
}

// healthBody is sys/health in the field order of Vault's response struct.
type healthBody struct {
	Initialized                       bool   `json:"initialized"`
	Sealed                            bool   `json:"sealed"`
	Standby                           bool   `json:"standby"`
	PerformanceStandby                bool   `json:"performance_standby"`
	ReplicationPerformanceMode        string `json:"replication_performance_mode"`
	ReplicationDRMode                 string `json:"replication_dr_mode"`
	ServerTimeUTC                     int64  `json:"server_time_utc"`
	Version                           string `json:"version"`
	Enterprise                        bool   `json:"enterprise"`
	ClusterName                       string `json:"cluster_name"`
	ClusterID                         string `json:"cluster_id"`
	EchoDurationMillis                int64  `json:"echo_duration_ms"`
	ClockSkewMillis                   int64  `json:"clock_skew_ms"`
	ReplicationPrimaryCanaryAgeMillis int64  `json:"replication_primary_canary_age_ms"`
	RemovedFromCluster                bool   `json:"removed_from_cluster"`
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
