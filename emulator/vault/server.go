package vault

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// Version is the Vault version the emulator reports.
const Version = "1.20.0"

// Server is the emulated Vault.
type Server struct {
	now         func() time.Time
	rootToken   string
	clusterName string
	clusterID   string
}

// New returns a Vault whose root token is rootToken; now is the virtual clock.
func New(rootToken string, now func() time.Time) *Server {
	id := uuid.NewString()
	return &Server{now: now, rootToken: rootToken, clusterName: "vault-cluster-" + id[:8], clusterID: id}
}

// RootToken is the token with the root policy.
func (s *Server) RootToken() string { return s.rootToken }

// Register adds Vault's routes to mux: the one route table of this service.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/sys/health", s.health)
	mux.HandleFunc("HEAD /v1/sys/health", s.health)
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string][]string{"errors": {}})
	})
}

// Health is the body of sys/health, in the field order of Vault's own
// response struct.
type Health struct {
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

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	h := Health{
		Initialized:                true,
		ReplicationPerformanceMode: "disabled",
		ReplicationDRMode:          "disabled",
		ServerTimeUTC:              s.now().Unix(),
		Version:                    Version,
		ClusterName:                s.clusterName,
		ClusterID:                  s.clusterID,
	}
	writeJSON(w, http.StatusOK, h)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"errors":["internal error"]}`)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
