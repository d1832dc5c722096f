package vault

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// tune reads or changes a mount's lease TTLs, as handleTuneReadCommon and
// handleTuneWriteCommon do: a TTL sent as "" is left alone, "system" is
// the system default again; an explicit max below an explicit default is
// refused in seconds.
func (s *Server) tune(w http.ResponseWriter, req *request, prefix, path string) {
	full := prefix + strings.Trim(path, "/") + "/"
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.mounts[full]
	switch full {
	case "sys/":
		m, ok = s.sysMount, true
	case "auth/token/":
		m, ok = s.tokenMount, true
	}
	switch {
	case req.op == logical.ReadOperation && !ok:
		writeErrors(w, http.StatusBadRequest, "cannot fetch sysview for path "+quote(full))
	case req.op == logical.ReadOperation:
		sv := system{m}
		data := map[string]any{
			"default_lease_ttl": int(sv.DefaultLeaseTTL().Seconds()),
			"max_lease_ttl":     int(sv.MaxLeaseTTL().Seconds()),
			"force_no_cache":    false,
			"description":       m.description,
		}
		if m.auth {
			data["token_type"] = "default-service"
		}
		if m.passthrough != nil {
			data["passthrough_request_headers"] = m.passthrough
		}
		writeLegacy(w, data)
	case req.op != logical.UpdateOperation:
		writeErrors(w, http.StatusMethodNotAllowed, multierror("unsupported operation"))
	case full == "sys/" || full == "cubbyhole/":
		writeErrors(w, http.StatusBadRequest, "cannot tune "+quote(full))
	case !ok:
		writeErrors(w, http.StatusBadRequest, "tune of path "+quote(full)+" failed: no mount entry found")
	default:
		s.tuneWrite(w, req, m)
	}
}

// tuneWrite applies a tune to m; the caller holds the lock.
func (s *Server) tuneWrite(w http.ResponseWriter, req *request, m *mount) {
	def, max := m.defaultTTL, m.maxTTL
	lreq := &logical.Request{Data: req.data}
	for _, f := range []struct {
		field string
		dst   *time.Duration
	}{{"default_lease_ttl", &def}, {"max_lease_ttl", &max}} {
		v, _, err := lreq.String(f.field)
		if err != nil {
			writeErrors(w, http.StatusBadRequest, logical.FieldError(f.field, err).Error())
			return
		}
		switch v {
		case "":
		case "system":
			*f.dst = 0
		default:
			d, err := logical.ParseDurationSecond(v)
			if err != nil {
				writeErrors(w, http.StatusBadRequest, err.Error())
				return
			}
			*f.dst = d
		}
	}
	if def != 0 && max != 0 && max < def {
		writeErrors(w, http.StatusBadRequest, fmt.Sprintf("backend max lease TTL of %d would be less than backend default lease TTL of %d", int(max.Seconds()), int(def.Seconds())))
		return
	}
	m.defaultTTL, m.maxTTL = def, max
	if d, ok, _ := lreq.String("description"); ok {
		m.description = d
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// humanDuration prints a duration as Vault's sdk/framework does in its
// messages: "1h", "10m", "1h5s".
func humanDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if idx := strings.Index(s, "h0m"); idx > 0 {
		s = s[:idx+1] + s[idx+3:]
	}
	return s
}
