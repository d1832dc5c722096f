package vault

import (
	"net/http"
	"time"
)

// httpHandler serves sys/health, sys/seal-status and sys/leader as a dev
// server answers them; none needs a token.
func (s *Server) httpHandler(path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			return
		}
		s.health(w, path)
	})
}

func (s *Server) health(w http.ResponseWriter, path string) {
	if path == "sys/leader" {
		// A dev server has no HA: the leader status is all zero values.
		writeVault(w, http.StatusOK, leaderBody{})
		return
	}
	if path == "sys/seal-status" {
		writeVault(w, http.StatusOK, map[string]any{
			"type": "shamir", "initialized": true, "sealed": false, "t": 1, "n": 1, "progress": 0, "nonce": "",
			"version": Version, "build_date": BuildDate, "migration": false, "cluster_name": s.clusterName,
			"cluster_id": s.clusterID, "recovery_seal": false, "storage_type": "inmem",
		})
		return
	}
	writeVault(w, http.StatusOK, healthBody{
		Initialized: true, ReplicationPerformanceMode: "disabled", ReplicationDRMode: "disabled",
		ServerTimeUTC: s.cfg.Now().Unix(), Version: Version, ClusterName: s.clusterName, ClusterID: s.clusterID,
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
	RemovedFromCluster                *bool  `json:"removed_from_cluster,omitempty"`
}
