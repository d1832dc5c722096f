package vault

import (
	"strings"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// tuneOp reads or changes a mount's lease TTLs, as handleTuneReadCommon
// and handleTuneWriteCommon do: a TTL sent as "" is left alone, "system"
// is the system default again; an explicit max below an explicit default
// is refused in seconds.
func (s *Server) tuneOp(prefix string) handler {
	return func(c *call) (*logical.Response, error) {
		full := prefix + strings.Trim(capture(c, "path"), "/") + "/"
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
		case c.req.Operation == logical.ReadOperation && !ok:
			return logical.ErrorResponse("cannot fetch sysview for path %s", quote(full)), nil
		case c.req.Operation == logical.ReadOperation:
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
			if len(m.options) > 0 {
				data["options"] = m.options
			}
			return &logical.Response{Data: data}, nil
		case full == "sys/" || full == "cubbyhole/":
			return logical.ErrorResponse("cannot tune %s", quote(full)), nil
		case !ok:
			return logical.ErrorResponse("tune of path %s failed: no mount entry found", quote(full)), nil
		}
		return tuneWrite(c.d, m)
	}
}

// tuneWrite applies a tune to m; the caller holds the lock.
func tuneWrite(d *logical.FieldData, m *mount) (*logical.Response, error) {
	def, max := m.defaultTTL, m.maxTTL
	for _, f := range []struct {
		field string
		dst   *time.Duration
	}{{"default_lease_ttl", &def}, {"max_lease_ttl", &max}} {
		switch v := d.String(f.field); v {
		case "":
		case "system":
			*f.dst = 0
		default:
			d, err := logical.ParseDurationSecond(v)
			if err != nil {
				return logical.ErrorResponse("%s", err), nil
			}
			*f.dst = d
		}
	}
	if def != 0 && max != 0 && max < def {
		return logical.ErrorResponse("backend max lease TTL of %d would be less than backend default lease TTL of %d", int(max.Seconds()), int(def.Seconds())), nil
	}
	m.defaultTTL, m.maxTTL = def, max
	if desc, ok := d.GetOk("description"); ok {
		m.description = desc.(string)
	}
	return nil, nil
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
