package steps

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"

	"github.com/tfcemu/tfcemu/emulator"
)

// withStateFile gives the in-process emulator a state file in a fresh
// directory and returns the maker of its check: after a scenario, the
// state file as a kill -9 would leave it (the emulator still running: no
// compaction) loads into the state the emulator holds. A write path that
// logs its changes by entry but forgets one fails the scenario that took
// it. The signing key is made once, for the emulator and every copy.
func withStateFile(cfg *emulator.Config) (func(*emulator.Emulator) func() error, error) {
	dir, err := os.MkdirTemp("", "tfcemu-features-state-")
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	cfg.StateFile, cfg.SigningKey = filepath.Join(dir, "state.json"), key
	return func(e *emulator.Emulator) func() error {
		return func() error { return checkStateFile(e, cfg.StateFile, key) }
	}, nil
}

// checkStateFile loads a copy of path and its log into a second emulator
// and compares its snapshot with e's, service by service. A write request
// first saves what reads changed since the last write (the expiry sweep
// runs before any request; a read's token use is stamped), which the
// state file takes with the next write; token last-use stamps are left
// out of the comparison (a stamp pending in the read buffer is in
// neither the state nor its file).
func checkStateFile(e *emulator.Emulator, path string, key *rsa.PrivateKey) error {
	req, err := http.NewRequest("DELETE", e.Info().TFCURL+"/_emulator/requests", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+inProcessAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("DELETE /_emulator/requests: %s", resp.Status)
	}
	crash := path + ".crash"
	defer os.Remove(crash)
	defer os.Remove(crash + ".wal")
	for _, suffix := range []string{"", ".wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			return err
		}
		if err := os.WriteFile(crash+suffix, b, 0o600); err != nil {
			return err
		}
	}
	copied, err := emulator.New(emulator.Config{StateFile: crash, SigningKey: key, RateLimit: -1})
	if err != nil {
		return fmt.Errorf("the state file does not load: %w", err)
	}
	defer copied.Close()
	want, err := services(e)
	if err != nil {
		return err
	}
	got, err := services(copied)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if where := difference(name, got[name], want[name]); where != "" {
			return fmt.Errorf("the state file, loaded after a crash, differs from the emulator's state at %s", where)
		}
	}
	return nil
}

// services is an emulator's snapshot by service, decoded, without TFC's
// token last-use stamps.
func services(e *emulator.Emulator) (map[string]any, error) {
	raw, err := e.Snapshot()
	if err != nil {
		return nil, err
	}
	var doc struct {
		Services map[string]any `json:"services"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if tfc, ok := doc.Services["tfc"].(map[string]any); ok {
		tokens, _ := tfc["Tokens"].([]any)
		for _, t := range tokens {
			if t, ok := t.(map[string]any); ok {
				delete(t, "LastUsedAt")
			}
		}
	}
	return doc.Services, nil
}

// difference is the path of the first place where two decoded JSON values
// differ, with both values there; "" when they are the same.
func difference(path string, loaded, live any) string {
	if reflect.DeepEqual(loaded, live) {
		return ""
	}
	switch a := loaded.(type) {
	case map[string]any:
		if b, ok := live.(map[string]any); ok {
			keys := map[string]bool{}
			for k := range a {
				keys[k] = true
			}
			for k := range b {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				if d := difference(path+"."+k, a[k], b[k]); d != "" {
					return d
				}
			}
		}
	case []any:
		if b, ok := live.([]any); ok && len(a) == len(b) {
			for i := range a {
				if d := difference(fmt.Sprintf("%s[%d]", path, i), a[i], b[i]); d != "" {
					return d
				}
			}
		}
	}
	la, _ := json.Marshal(loaded)
	lb, _ := json.Marshal(live)
	return fmt.Sprintf("%s (loaded %.200s, live %.200s)", path, la, lb)
}
