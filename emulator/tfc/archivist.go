package tfc

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// archivistPrefix is where hosted objects live on the TFC listener, shaped
// like TFC's archivist (https://archivist.terraform.io/v1/object/<key>).
const archivistPrefix = "/_archivist/v1/object/"

// Size caps of hosted objects. TFC does not document its own; these keep
// an in-memory emulator safe and are far above what tests upload.
const (
	MaxStateBytes  = 16 << 20 // a raw or JSON state file
	MaxConfigBytes = 32 << 20 // a configuration version's tar.gz
)

// Kinds of hosted object: what an upload fills or a download serves.
const (
	objectState     = "state"
	objectJSONState = "json-state"
	objectConfig    = "configuration"
)

// HostedObject is one archivist URL: an unguessable key that lets its
// holder upload (PUT, once) or download (GET) one object of a state or
// configuration version, without an API token, as TFC's signed archivist
// URLs do. The bytes live on the owner.
type HostedObject struct {
	Key       string
	Kind      string // objectState, objectJSONState or objectConfig
	OwnerID   string // a state version or configuration version id
	Upload    bool
	CreatedAt time.Time
	seq       int64
}

func (o *HostedObject) order() int64 { return o.seq }

// newObject registers a fresh archivist key for an owner's object.
func (st *State) newObject(kind, ownerID string, upload bool, now time.Time) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	key := "v1-" + base64.RawURLEncoding.EncodeToString(b)
	st.Objects[key] = &HostedObject{Key: key, Kind: kind, OwnerID: ownerID, Upload: upload, CreatedAt: now, seq: st.next()}
	st.changes.mark("Objects", key)
	return key
}

// dropObjects removes every archivist key of an owner.
func (st *State) dropObjects(ownerID string) {
	for k, o := range st.Objects {
		if o.OwnerID == ownerID {
			delete(st.Objects, k)
			st.changes.mark("Objects", k)
		}
	}
}

// objectURL is the absolute archivist URL of key, on the host and scheme
// the request came in on (so it works behind the in-process transport, a
// container port mapping or --tls alike); empty for no key.
func objectURL(r *http.Request, key string) *string {
	if key == "" {
		return nil
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	u := scheme + "://" + r.Host + archivistPrefix + key
	return &u
}

// archivist adapts an object handler to the listener: the key is the
// path's {key}; errors are JSON:API documents, as the rest of the listener
// answers.
func (s *Service) archivist(h func(w http.ResponseWriter, r *http.Request, key string) error) http.Handler {
	return s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r, r.PathValue("key")); err != nil {
			s.logIfInternal(r, err)
			writeError(w, err)
		}
	}))
}

// downloadObject is GET (and HEAD) of a hosted object.
func (s *Service) downloadObject(w http.ResponseWriter, r *http.Request, key string) error {
	if strings.HasPrefix(key, logKeyPrefix) {
		return s.downloadLog(w, r, key)
	}
	body, err := s.download(key)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
	return nil
}

// uploadObject is PUT of a hosted object.
func (s *Service) uploadObject(w http.ResponseWriter, r *http.Request, key string) error {
	if err := s.upload(key, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// download returns the bytes behind a download key.
func (s *Service) download(key string) ([]byte, error) {
	var out []byte
	err := s.store.View(func(st *State) error {
		o, ok := st.Objects[key]
		if !ok || o.Upload {
			return errNotFound
		}
		switch o.Kind {
		case objectState, objectJSONState:
			sv, ok := st.StateVersions[o.OwnerID]
			if !ok {
				return errNotFound
			}
			out = sv.State
			if o.Kind == objectJSONState {
				out = sv.JSONState
			}
		case objectConfig:
			cv, ok := st.ConfigVersions[o.OwnerID]
			if !ok || cv.Archive == nil {
				return errNotFound
			}
			out = cv.Archive
		}
		return nil
	})
	return out, err
}

// upload reads a PUT body, bounded by the object's cap, and hands it to
// the owner; a refused upload leaves the key usable and nothing changed.
func (s *Service) upload(key string, r *http.Request) error {
	var kind string
	if err := s.store.View(func(st *State) error {
		o, ok := st.Objects[key]
		if !ok || !o.Upload {
			return errNotFound
		}
		kind = o.Kind
		return nil
	}); err != nil {
		return err
	}
	limit := int64(MaxStateBytes)
	if kind == objectConfig {
		limit = MaxConfigBytes
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return badRequest("could not read the request body")
	}
	if int64(len(body)) > limit {
		return newError(http.StatusRequestEntityTooLarge, "payload too large", fmt.Sprintf("objects of this kind are limited to %d bytes", limit))
	}
	now := s.now().Truncate(time.Millisecond)
	var refused *Error
	queued := ""
	err = s.store.Update(func(st *State) error {
		o, ok := st.Objects[key]
		if !ok || !o.Upload {
			return errNotFound // used by a concurrent upload meanwhile
		}
		st.touch("Objects", key)
		if o.Kind == objectConfig {
			st.touch("ConfigVersions", o.OwnerID)
			refused = st.uploadConfig(o, body, now)
			if refused == nil {
				queued = s.autoQueue(st, o.OwnerID, now)
			}
			return nil
		}
		st.touch("StateVersions", o.OwnerID)
		if err := st.uploadState(o, body, now); err != nil {
			return err
		}
		delete(st.Objects, key) // a state upload URL works once
		return nil
	})
	if err != nil {
		return err
	}
	if refused != nil {
		return refused
	}
	if queued != "" {
		s.wake(queued)
	}
	return nil
}

// isGzip reports whether b starts like a gzip stream.
func isGzip(b []byte) bool { return bytes.HasPrefix(b, []byte{0x1f, 0x8b}) }

// indexHosted rebuilds, after a restore, the state version output index
// and each workspace's current configuration version.
func (st *State) indexHosted() error {
	for _, sv := range st.StateVersions {
		for _, o := range sv.Outputs {
			if o == nil || o.ID == "" {
				return fmt.Errorf("tfc snapshot: state version %s: an output without its id", sv.ID)
			}
			st.svOutputs[o.ID] = sv.ID
		}
	}
	for _, cv := range sortedBySeq(st.ConfigVersions, nil) {
		if cv.Timestamps == nil {
			cv.Timestamps = map[string]time.Time{}
		}
		st.addConfigVersion(cv)
	}
	return nil
}

// checkHostedReferences refuses state and configuration versions of
// unknown workspaces, keys of unknown owners, and a current state version
// that is not a finalized one of its workspace.
func (st *State) checkHostedReferences() error {
	for _, sv := range st.StateVersions {
		if st.Workspaces[sv.WorkspaceID] == nil {
			return fmt.Errorf("state version %s: unknown workspace", sv.ID)
		}
	}
	for _, cv := range st.ConfigVersions {
		if st.Workspaces[cv.WorkspaceID] == nil {
			return fmt.Errorf("configuration version %s: unknown workspace", cv.ID)
		}
	}
	for _, o := range st.Objects {
		_, sv := st.StateVersions[o.OwnerID]
		_, cv := st.ConfigVersions[o.OwnerID]
		if !(sv && (o.Kind == objectState || o.Kind == objectJSONState)) && !(cv && o.Kind == objectConfig) {
			return fmt.Errorf("hosted object: unknown %s owner %q", o.Kind, o.OwnerID)
		}
	}
	for ws, id := range st.CurrentStateVersions {
		sv := st.StateVersions[id]
		if sv == nil || sv.WorkspaceID != ws || sv.Status != StateVersionFinalized {
			return fmt.Errorf("workspace %s: current state version %q is not a finalized state version of it", ws, id)
		}
	}
	return nil
}
