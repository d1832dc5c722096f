package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// snapshotter is a service whose state survives a restart through
// --state-file.
type snapshotter interface {
	Snapshot() (json.RawMessage, error)
	Restore(json.RawMessage) error
}

// stateDocument is the --state-file format.
type stateDocument struct {
	Version  int                        `json:"version"`
	Services map[string]json.RawMessage `json:"services"`
}

const stateVersion = 1

// stateFile loads the emulator's state at start and saves it atomically
// (temp file, fsync, rename) after each change and on close.
type stateFile struct {
	path     string
	services map[string]snapshotter
	log      interface{ Error(string, ...any) }

	mu sync.Mutex
}

func openStateFile(path string, e *Emulator) (*stateFile, error) {
	f := &stateFile{path: path, services: map[string]snapshotter{"identity": e.issuer, "tfc": e.tfc}, log: e.log}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return f, f.write()
	case err != nil:
		return nil, fmt.Errorf("state file: %w", err)
	}
	var doc stateDocument
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	if doc.Version != stateVersion {
		return nil, fmt.Errorf("state file %s: version %d, want %d", path, doc.Version, stateVersion)
	}
	for name, raw := range doc.Services {
		s, ok := f.services[name]
		if !ok {
			return nil, fmt.Errorf("state file %s: unknown service %q", path, name)
		}
		if err := s.Restore(raw); err != nil {
			return nil, fmt.Errorf("state file %s: %s: %w", path, name, err)
		}
	}
	return f, nil
}

// save writes the state now; a failure is logged, the request already done.
func (f *stateFile) save() {
	if err := f.write(); err != nil {
		f.log.Error("state file: save failed", "path", f.path, "err", err)
	}
}

func (f *stateFile) close() error { return f.write() }

func (f *stateFile) write() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	doc := stateDocument{Version: stateVersion, Services: map[string]json.RawMessage{}}
	for name, s := range f.services {
		raw, err := s.Snapshot()
		if err != nil {
			return err
		}
		doc.Services[name] = raw
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".tfcemu-state-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.path)
}
