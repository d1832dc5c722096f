package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/ids"
)

// maxFaultLatency bounds an injected delay: load tests must stop by
// themselves.
const maxFaultLatency = 30 * time.Second

// faults holds injected faults; the first matching rule applies.
type faults struct {
	mu    sync.Mutex
	rules []*admin.Fault
}

// Add validates and stores a rule.
func (f *faults) Add(rule admin.Fault) (admin.Fault, error) {
	if !strings.HasPrefix(rule.PathPrefix, "/") {
		return rule, fmt.Errorf(`"path_prefix" must start with /, e.g. /api/v2/organizations`)
	}
	if strings.HasPrefix(rule.PathPrefix, admin.Prefix) {
		return rule, fmt.Errorf("faults cannot be injected into the admin API")
	}
	if rule.Status != 0 && (rule.Status < 400 || rule.Status > 599) {
		return rule, fmt.Errorf(`"status" must be an error status, 400 to 599`)
	}
	d, err := parseLatency(rule.Latency)
	if err != nil {
		return rule, err
	}
	if rule.Status == 0 && d == 0 {
		return rule, fmt.Errorf(`give "status", "latency" or both`)
	}
	if rule.Count < 0 {
		return rule, fmt.Errorf(`"count" must not be negative (0 means every matching request)`)
	}
	rule.ID = ids.New("fault")
	f.mu.Lock()
	defer f.mu.Unlock()
	r := rule
	f.rules = append(f.rules, &r)
	return r, nil
}

func parseLatency(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > maxFaultLatency {
		return 0, fmt.Errorf(`"latency" %q must be a duration between 0 and %s`, s, maxFaultLatency)
	}
	return d, nil
}

// List returns the rules with their remaining counts.
func (f *faults) List() []admin.Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []admin.Fault{}
	for _, r := range f.rules {
		out = append(out, *r)
	}
	return out
}

// Delete removes one rule, or all with an empty id.
func (f *faults) Delete(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id == "" {
		f.rules = nil
		return true
	}
	for i, r := range f.rules {
		if r.ID == id {
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
			return true
		}
	}
	return false
}

// match takes the first rule for the request, counting it down.
func (f *faults) match(r *http.Request) (admin.Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, rule := range f.rules {
		if !strings.HasPrefix(r.URL.Path, rule.PathPrefix) || (rule.Method != "" && !strings.EqualFold(rule.Method, r.Method)) {
			continue
		}
		hit := *rule
		if rule.Count > 0 {
			rule.Count--
			if rule.Count == 0 {
				f.rules = append(f.rules[:i], f.rules[i+1:]...)
			}
		}
		return hit, true
	}
	return admin.Fault{}, false
}

// apply delays and/or answers a request as a matching fault says, noting
// the fault's id in hit for the journal; it reports whether it answered.
func (f *faults) apply(w http.ResponseWriter, r *http.Request, service string, hit *string) bool {
	if strings.HasPrefix(r.URL.Path, admin.Prefix) {
		return false
	}
	rule, ok := f.match(r)
	if !ok {
		return false
	}
	*hit = rule.ID
	if d, _ := parseLatency(rule.Latency); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return true
		}
	}
	if rule.Status == 0 {
		return false
	}
	if rule.Status == http.StatusTooManyRequests {
		w.Header().Set("X-RateLimit-Reset", "1.000")
		w.Header().Set("Retry-After", "1")
	}
	writeStatus(w, service, rule.Status, "injected fault "+rule.ID)
	return true
}
