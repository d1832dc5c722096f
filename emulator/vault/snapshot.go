package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/cubbyhole"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// snapshotVersion is the format of Snapshot's document.
const snapshotVersion = 1

// vaultSnapshot is the whole of the emulated Vault's state: its mounts
// (with their tune and their backend's own state: the terraform engine's
// config and roles, the jwt method's config and roles, the cubbyholes),
// policies, tokens (accessors and parents included) and leases, and the
// key that signs token IDs.
type vaultSnapshot struct {
	Version  int               `json:"version"`
	HMACKey  []byte            `json:"hmac_key"`
	Mounts   []mountSnapshot   `json:"mounts"`
	Policies map[string]string `json:"policies"`
	Tokens   []tokenSnapshot   `json:"tokens"`
	Leases   []leaseSnapshot   `json:"leases"`
}

type mountSnapshot struct {
	Path            string          `json:"path"`
	Type            string          `json:"type"`
	Description     string          `json:"description"`
	Accessor        string          `json:"accessor"`
	UUID            string          `json:"uuid"`
	Auth            bool            `json:"auth"`
	DefaultTTL      time.Duration   `json:"default_lease_ttl"`
	MaxTTL          time.Duration   `json:"max_lease_ttl"`
	Options         map[string]any  `json:"options"`
	Local           bool            `json:"local"`
	ExternalEntropy bool            `json:"external_entropy_access"`
	SealWrap        bool            `json:"seal_wrap"`
	Tainted         bool            `json:"tainted"`
	State           json.RawMessage `json:"state,omitempty"`
}

type tokenSnapshot struct {
	token
	MountPath string         `json:"mount_path"`
	Internal  map[string]any `json:"internal"`
}

type leaseSnapshot struct {
	ID          string          `json:"id"`
	MountPath   string          `json:"mount_path"`
	Secret      *logical.Secret `json:"secret"`
	IssueTime   time.Time       `json:"issue_time"`
	ExpireTime  time.Time       `json:"expire_time"`
	LastRenewal time.Time       `json:"last_renewal"`
	Token       string          `json:"token"`
	Failures    int             `json:"failures"`
}

// Snapshot encodes Vault's state for the state file and
// /_emulator/snapshot: tokens and leases in ID order.
func (s *Server) Snapshot() (json.RawMessage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	snap, err := s.snapshotLocked(true)
	if err != nil {
		return nil, err
	}
	return json.Marshal(snap)
}

// snapshotLocked is Snapshot's document, without its tokens and leases
// unless entries is set; the caller holds the lock.
func (s *Server) snapshotLocked(entries bool) (vaultSnapshot, error) {
	snap := vaultSnapshot{Version: snapshotVersion, HMACKey: s.hmacKey, Policies: map[string]string{}}
	for _, m := range s.mountsLocked() {
		ms := mountSnapshot{Path: m.path, Type: m.typ, Description: m.description, Accessor: m.accessor, UUID: m.uuid,
			Auth: m.auth, DefaultTTL: m.defaultTTL, MaxTTL: m.maxTTL, Options: m.options, Local: m.local,
			ExternalEntropy: m.externalEntropy, SealWrap: m.sealWrap, Tainted: m.tainted}
		if sn, ok := m.backend.(logical.Snapshotter); ok {
			st, err := sn.Snapshot()
			if err != nil {
				return snap, fmt.Errorf("vault mount %s: %w", m.path, err)
			}
			ms.State = st
		}
		snap.Mounts = append(snap.Mounts, ms)
	}
	for name, p := range s.policies {
		snap.Policies[name] = p.Raw
	}
	if !entries {
		return snap, nil
	}
	snap.Tokens, snap.Leases = make([]tokenSnapshot, 0, len(s.tokens)), make([]leaseSnapshot, 0, len(s.leases))
	for _, id := range slices.Sorted(maps.Keys(s.tokens)) {
		snap.Tokens = append(snap.Tokens, snapshotOfToken(s.tokens[id]))
	}
	for _, id := range slices.Sorted(maps.Keys(s.leases)) {
		snap.Leases = append(snap.Leases, snapshotOfLease(s.leases[id]))
	}
	return snap, nil
}

// snapshotOfToken is a token's snapshot entry.
func snapshotOfToken(t *token) tokenSnapshot {
	ts := tokenSnapshot{token: *t, Internal: t.internal}
	if t.mount != nil {
		ts.MountPath = t.mount.path
	}
	return ts
}

// snapshotOfLease is a lease's snapshot entry.
func snapshotOfLease(l *lease) leaseSnapshot {
	return leaseSnapshot{ID: l.ID, MountPath: l.Mount.path, Secret: l.Secret, IssueTime: l.IssueTime,
		ExpireTime: l.ExpireTime, LastRenewal: l.LastRenewal, Token: l.Token, Failures: l.failures}
}

// Restore replaces Vault's state with a snapshot's. It builds the new
// state aside and checks every reference (mount types and paths, token
// parents and issuing mounts, lease mounts and tokens, policies, each
// backend's own state) first: a bad snapshot is refused and nothing
// changes. The configured root token is kept.
func (s *Server) Restore(raw json.RawMessage) error {
	var snap vaultSnapshot
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&snap); err != nil {
		return fmt.Errorf("vault snapshot: %w", err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("vault snapshot: version %d, want %d", snap.Version, snapshotVersion)
	}
	if len(snap.HMACKey) != 32 {
		return errors.New("vault snapshot: hmac_key must be 32 bytes")
	}
	mounts := map[string]*mount{}
	sysMount, tokenMount := builtinMounts()
	sysMount.backend, tokenMount.backend = s.sysBackend, s.tokenBackend
	for _, ms := range snap.Mounts {
		m, err := s.restoreMount(ms, sysMount, tokenMount)
		if err != nil {
			return fmt.Errorf("vault snapshot: mount %q: %w", ms.Path, err)
		}
		if m == sysMount || m == tokenMount {
			continue
		}
		if _, dup := mounts[m.path]; dup {
			return fmt.Errorf("vault snapshot: mount %q twice", m.path)
		}
		mounts[m.path] = m
	}
	for _, p := range []string{"cubbyhole/", "identity/"} {
		if mounts[p] == nil {
			return fmt.Errorf("vault snapshot: no %s mount", p)
		}
	}
	all := append([]*mount{sysMount, tokenMount}, mapValues(mounts)...)
	byPath := func(p string) *mount {
		for _, m := range all {
			if m.path == p {
				return m
			}
		}
		return nil
	}
	policies := map[string]*policy{"default": defaultPolicy}
	for name, rules := range snap.Policies {
		if name == "default" {
			continue
		}
		if name == "root" || name != strings.ToLower(name) || name == "" {
			return fmt.Errorf("vault snapshot: policy name %q", name)
		}
		p, _, err := parsePolicy(name, rules)
		if err != nil {
			return fmt.Errorf("vault snapshot: policy %q: %w", name, err)
		}
		policies[name] = p
	}
	tokens := map[string]*token{}
	accessors := map[string]bool{}
	expiry := newExpiryQueue()
	for _, ts := range snap.Tokens {
		t := ts.token
		if t.ID == "" || t.Accessor == "" || tokens[t.ID] != nil || accessors[t.Accessor] {
			return fmt.Errorf("vault snapshot: token with accessor %q: missing or duplicate id or accessor", t.Accessor)
		}
		if ts.MountPath != "" {
			if t.mount = byPath(ts.MountPath); t.mount == nil || !t.mount.auth {
				return fmt.Errorf("vault snapshot: token %q: no auth mount %q", t.Accessor, ts.MountPath)
			}
		}
		t.internal = plainJSON(ts.Internal)
		tokens[t.ID], accessors[t.Accessor] = &t, true
		expiry.set(tokenKey(t.ID), t.ExpireTime)
	}
	for _, t := range tokens {
		if t.Parent != "" && tokens[t.Parent] == nil {
			return fmt.Errorf("vault snapshot: token %q: unknown parent", t.Accessor)
		}
	}
	if root := s.cfg.RootToken; tokens[root] == nil {
		now := s.cfg.Now()
		tokens[root] = &token{ID: root, Accessor: newAccessorID(), Policies: []string{"root"}, DisplayName: "token",
			Path: "auth/token/create", CreationTime: now, IssueTime: now}
	}
	leases := map[string]*lease{}
	for _, ls := range snap.Leases {
		m := byPath(ls.MountPath)
		switch {
		case ls.ID == "" || leases[ls.ID] != nil:
			return fmt.Errorf("vault snapshot: lease %q: missing or duplicate id", ls.ID)
		case m == nil || !strings.HasPrefix(ls.ID, m.path):
			return fmt.Errorf("vault snapshot: lease %q: no mount %q", ls.ID, ls.MountPath)
		case ls.Secret == nil || ls.Secret.LeaseID != ls.ID:
			return fmt.Errorf("vault snapshot: lease %q: no secret", ls.ID)
		case ls.Token != "" && tokens[ls.Token] == nil:
			return fmt.Errorf("vault snapshot: lease %q: unknown token", ls.ID)
		}
		ls.Secret.InternalData = plainJSON(ls.Secret.InternalData)
		l := &lease{ID: ls.ID, Mount: m, Secret: ls.Secret, IssueTime: ls.IssueTime, ExpireTime: ls.ExpireTime,
			LastRenewal: ls.LastRenewal, Token: ls.Token, failures: ls.Failures, revoking: new(sync.Mutex)}
		leases[l.ID] = l
		if l.failures < maxRevokeAttempts {
			expiry.set(leaseKey(l.ID), l.ExpireTime)
		}
	}
	if c, ok := mounts["cubbyhole/"].backend.(interface{ Tokens() []string }); ok {
		for _, id := range c.Tokens() {
			if tokens[id] == nil {
				return errors.New("vault snapshot: a cubbyhole of an unknown token")
			}
		}
	}
	var pending []string
	for id, t := range tokens {
		if t.NumUses == usesExhausted {
			pending = append(pending, id)
		}
	}
	s.mu.Lock()
	s.marks.MarkAll()
	s.gen.Add(1)
	s.hmacKey = snap.HMACKey
	s.mounts, s.sysMount, s.tokenMount = mounts, sysMount, tokenMount
	s.policies, s.tokens, s.leases, s.expiry = policies, tokens, leases, expiry
	s.mu.Unlock()
	// A token saved during its last use was pending revocation (endUse
	// revokes it once its request is answered): its revocation, leases and
	// children included, is finished now.
	for _, id := range pending {
		s.revokeToken(context.Background(), id)
	}
	return nil
}

// restoreMount rebuilds one mount with a fresh backend holding its
// state; sys/ and auth/token/ update the built-in mounts given.
func (s *Server) restoreMount(ms mountSnapshot, sysMount, tokenMount *mount) (*mount, error) {
	if !strings.HasSuffix(ms.Path, "/") || ms.Path == "/" || ms.Auth != strings.HasPrefix(ms.Path, "auth/") {
		return nil, errors.New("bad path")
	}
	if ms.DefaultTTL < 0 || ms.MaxTTL < 0 {
		return nil, errors.New("negative TTL")
	}
	var m *mount
	switch ms.Path {
	case "sys/":
		m = sysMount
	case "auth/token/":
		m = tokenMount
	default:
		if strings.HasPrefix(ms.Path, "sys/") || strings.HasPrefix(ms.Path, "auth/token/") {
			return nil, errors.New("reserved path")
		}
		m = &mount{path: ms.Path, options: plainJSON(ms.Options)}
	}
	if m.typ != "" && m.typ != ms.Type {
		return nil, fmt.Errorf("type %q", ms.Type)
	}
	m.typ, m.description, m.accessor, m.uuid, m.auth = ms.Type, ms.Description, ms.Accessor, ms.UUID, ms.Auth
	m.defaultTTL, m.maxTTL, m.tainted = ms.DefaultTTL, ms.MaxTTL, ms.Tainted
	m.local, m.externalEntropy, m.sealWrap = ms.Local, ms.ExternalEntropy, ms.SealWrap
	if m == sysMount || m == tokenMount {
		return m, nil
	}
	factories := secretEngines
	if m.auth {
		factories = authMethods
	}
	switch factory, ok := factories[ms.Type]; {
	case ok:
		m.backend = factory(logical.Config{Now: s.cfg.Now, HTTPClient: s.cfg.HTTPClient, System: system{m}})
	case ms.Type == "cubbyhole" && ms.Path == "cubbyhole/":
		m.backend, m.permanent = cubbyhole.Factory(logical.Config{Now: s.cfg.Now}), true
	case ms.Type == "identity" && ms.Path == "identity/":
		m.backend, m.permanent, m.passthrough = unserved(), true, []string{"Authorization"}
	case ms.Type == "kv" && !m.auth:
		m.backend = unserved()
	default:
		return nil, fmt.Errorf("unknown type %q", ms.Type)
	}
	if sn, ok := m.backend.(logical.Snapshotter); ok && ms.State != nil {
		if err := sn.Restore(ms.State); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func mapValues(m map[string]*mount) []*mount {
	out := make([]*mount, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// plainJSON turns the json.Numbers of a decoded map back into the plain
// values the live state holds (strings stay strings).
func plainJSON(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return m
	}
	out := map[string]any{}
	if json.Unmarshal(b, &out) != nil {
		return m
	}
	return out
}
