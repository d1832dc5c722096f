package vault

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// acl is the union of a token's policies, compiled as Vault's NewACL does:
// rules for the same path merge their capabilities, and a deny on a path
// leaves only deny.
type acl struct {
	exact   map[string]uint32
	prefix  map[string]uint32
	segment map[string]uint32 // keyed by the full path, '*' included
	// byLength is prefix's keys, longest first: the first a path starts
	// with is the longest.
	byLength []string
}

func mergeCaps(m map[string]uint32, path string, caps uint32) {
	old, ok := m[path]
	switch {
	case !ok:
		m[path] = caps
	case old&capDeny != 0:
	case caps&capDeny != 0:
		m[path] = capDeny
	default:
		m[path] = old | caps
	}
}

// aclFor is the ACL of a token's policies; unknown policies add nothing.
// Callers hold no lock. The ACL of a set of policies is compiled once and
// kept while each policy of the set is still the one the server holds (a
// write or delete replaces a policy, it never changes one in place).
func (s *Server) aclFor(t *token) *acl {
	var buf [128]byte
	key := buf[:0]
	for i, name := range t.Policies {
		if i > 0 {
			key = append(key, 0)
		}
		key = append(key, name...)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.aclMu.Lock()
	c := s.acls[string(key)]
	s.aclMu.Unlock()
	if c != nil && c.current(s.policies, t.Policies) {
		return c.acl
	}
	c = &compiledACL{names: slices.Clone(t.Policies), policies: make([]*policy, len(t.Policies))}
	for i, name := range t.Policies {
		c.policies[i] = s.policies[name]
	}
	c.acl = compileACL(c.policies)
	s.aclMu.Lock()
	if s.acls == nil || len(s.acls) >= maxCompiledACLs {
		s.acls = map[string]*compiledACL{}
	}
	s.acls[string(key)] = c
	s.aclMu.Unlock()
	return c.acl
}

// maxCompiledACLs bounds the ACLs kept; past it the cache starts over.
const maxCompiledACLs = 1024

// compiledACL is the ACL of a set of policies, as they were compiled.
type compiledACL struct {
	names    []string
	policies []*policy // nil for a name no policy had
	acl      *acl
}

// current reports whether the ACL is that of names as policies holds them.
func (c *compiledACL) current(policies map[string]*policy, names []string) bool {
	if !slices.Equal(c.names, names) {
		return false
	}
	for i, name := range names {
		if policies[name] != c.policies[i] {
			return false
		}
	}
	return true
}

// compileACL merges the rules of policies (nil ones add nothing).
func compileACL(policies []*policy) *acl {
	a := &acl{exact: map[string]uint32{}, prefix: map[string]uint32{}, segment: map[string]uint32{}}
	for _, p := range policies {
		if p == nil {
			continue
		}
		for _, r := range p.Paths {
			switch {
			case r.SegmentWildcards:
				mergeCaps(a.segment, r.Path, r.Caps)
			case r.IsPrefix:
				mergeCaps(a.prefix, r.Path, r.Caps)
			default:
				mergeCaps(a.exact, r.Path, r.Caps)
			}
		}
	}
	for p := range a.prefix {
		a.byLength = append(a.byLength, p)
	}
	slices.SortFunc(a.byLength, func(x, y string) int { return cmp.Compare(len(y), len(x)) })
	return a
}

// caps is ACL.AllowOperation's lookup: the exact rule, else (for a list,
// first without the trailing slash) the best of the longest prefix rule
// and the matching segment-wildcard rules. ok is false when no rule
// matches.
func (a *acl) caps(path string, list bool) (uint32, bool) {
	path = strings.TrimLeft(path, "/")
	if c, ok := a.exact[path]; ok {
		return c, true
	}
	if list {
		if c, ok := a.exact[strings.TrimSuffix(path, "/")]; ok {
			return c, true
		}
		if strings.HasSuffix(path, "/") {
			if c, ok := a.nonExact(strings.TrimSuffix(path, "/")); ok {
				return c, true
			}
		}
	}
	return a.nonExact(path)
}

// wcMatch describes one matching non-exact rule for Vault's priority
// order.
type wcMatch struct {
	firstWC   int
	isPrefix  bool
	wildcards int
	path      string
	caps      uint32
}

// lower reports whether m has lower priority than o
// (CheckAllowedFromNonExactPaths' less).
func (m wcMatch) lower(o wcMatch) bool {
	switch {
	case m.firstWC != o.firstWC:
		return m.firstWC < o.firstWC
	case m.isPrefix != o.isPrefix:
		return m.isPrefix
	case m.wildcards != o.wildcards:
		return m.wildcards > o.wildcards
	case len(m.path) != len(o.path):
		return len(m.path) < len(o.path)
	}
	return m.path < o.path
}

// splitPath appends strings.Split(path, "/") to buf: on the stack when
// it fits in buf's room.
func splitPath(buf []string, path string) []string {
	for {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return append(buf, path)
		}
		buf, path = append(buf, path[:i]), path[i+1:]
	}
}

func (a *acl) nonExact(path string) (uint32, bool) {
	var stack [4]wcMatch
	matches := stack[:0]
	best := ""
	found := false
	for _, p := range a.byLength {
		if strings.HasPrefix(path, p) {
			best, found = p, true
			break
		}
	}
	if found {
		matches = append(matches, wcMatch{firstWC: len(best), isPrefix: true, path: best, caps: a.prefix[best]})
	}
	var parts []string
	var partsBuf, ruleBuf [16]string
	if len(a.segment) > 0 {
		parts = splitPath(partsBuf[:0], path)
	}
	for full, caps := range a.segment {
		m := wcMatch{firstWC: strings.Index(full, "+"), path: full, caps: caps}
		cur := full
		if strings.HasSuffix(cur, "*") {
			m.isPrefix, cur = true, strings.TrimSuffix(cur, "*")
		}
		m.path = cur
		rule := splitPath(ruleBuf[:0], cur)
		if len(parts) < len(rule) || (!m.isPrefix && len(rule) != len(parts)) {
			continue
		}
		ok := true
		for i, seg := range rule {
			switch {
			case seg == "+":
				m.wildcards++
			case seg == parts[i]:
			case m.isPrefix && i == len(rule)-1 && strings.HasPrefix(parts[i], seg):
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok {
			matches = append(matches, m)
		}
	}
	if len(matches) == 0 {
		return 0, false
	}
	top := matches[0]
	for _, m := range matches[1:] {
		if top.lower(m) {
			top = m
		}
	}
	return top.caps, true
}

// opCaps is the capability an operation needs.
var opCaps = map[logical.Operation]uint32{
	logical.ReadOperation: capRead, logical.ListOperation: capList, logical.UpdateOperation: capUpdate,
	logical.CreateOperation: capCreate, logical.DeleteOperation: capDelete,
}

// sudoPaths are the paths Vault marks as root paths (PathsSpecial.Root of
// the system backend and the token store): they need sudo besides the
// operation's capability. A trailing '*' is a prefix.
var sudoPaths = []string{
	"sys/auth/*", "sys/remount", "sys/audit", "sys/audit/*", "sys/raw", "sys/raw/*", "sys/rotate", "sys/config/cors",
	"sys/config/auditing/*", "sys/config/ui/headers/*", "sys/plugins/catalog/*", "sys/revoke-prefix/*",
	"sys/revoke-force/*", "sys/leases/revoke-prefix/*", "sys/leases/revoke-force/*", "sys/leases/lookup/*",
	"sys/leases", "sys/seal", "sys/step-down", "auth/token/revoke-orphan", "auth/token/accessors/",
}

// sudoRoots are the first path segments of sudoPaths: a path under none
// of them needs no sudo, without a look at the list.
var sudoRoots = func() map[string]bool {
	roots := map[string]bool{}
	for _, p := range sudoPaths {
		root, _, _ := strings.Cut(p, "/")
		roots[root] = true
	}
	return roots
}()

func needsSudo(path string) bool {
	if root, _, _ := strings.Cut(path, "/"); !sudoRoots[root] {
		return false
	}
	for _, p := range sudoPaths {
		if pre, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(path, pre) {
				return true
			}
		} else if strings.TrimSuffix(path, "/") == strings.TrimSuffix(p, "/") {
			return true
		}
	}
	return false
}

// allowed reports whether a non-root token may do op on path: its ACL has
// the operation's capability (deny wins) and, on a root path, sudo.
func (s *Server) allowed(t *token, path string, op logical.Operation) bool {
	c, ok := s.aclFor(t).caps(path, op == logical.ListOperation)
	if !ok || c&capDeny != 0 || c&opCaps[op] == 0 {
		return false
	}
	return !needsSudo(path) || c&capSudo != 0
}

// capabilities is ACL.Capabilities: the token's capabilities on path,
// sorted; "root" for a root token; "deny" when nothing is granted.
func (s *Server) capabilities(t *token, path string) []string {
	if t.root() {
		return []string{"root"}
	}
	c, _ := s.aclFor(t).caps(path, true)
	var out []string
	if c&capDeny == 0 {
		for name, bit := range capNames {
			if bit != capDeny && c&bit != 0 {
				out = append(out, name)
			}
		}
	}
	if len(out) == 0 {
		return []string{"deny"}
	}
	sort.Strings(out)
	return out
}

// existenceChecker is a backend whose paths may have existence checks.
type existenceChecker interface {
	ExistenceCheck(ctx context.Context, req *logical.Request) (found, exists bool, err error)
}

// existenceCheck runs the path's existence check on a POST or PUT: the
// write is "create" when the entry is missing and "update" when it exists
// (Vault's documented rule); a field that does not convert is the
// client's error, reported bare.
func (s *Server) existenceCheck(req *request, m *mount, rel string) error {
	if req.op != logical.UpdateOperation || m == nil {
		return nil
	}
	ec, ok := m.backend.(existenceChecker)
	if !ok {
		return nil
	}
	found, exists, err := ec.ExistenceCheck(req.http.Context(), &logical.Request{Operation: req.op, Path: rel, MountPoint: m.path, Data: req.data})
	if err != nil {
		return err
	}
	if found && !exists {
		req.op = logical.CreateOperation
	}
	return nil
}

// capabilitiesOp serves sys/capabilities, sys/capabilities-self and
// sys/capabilities-accessor.
func (s *Server) capabilitiesOp(which string) handler {
	return func(c *call) (*logical.Response, error) {
		var t *token
		switch which {
		case "self":
			t = c.tok
		case "accessor":
			a := c.d.String("accessor")
			if a == "" {
				return logical.ErrorResponse("missing accessor"), nil
			}
			if t = s.tokenByAccessor(a, c.now); t == nil {
				return logical.ErrorResponse("invalid accessor"), nil
			}
		default:
			id := c.d.String("token")
			if id == "" {
				return nil, errors.New("no token found")
			}
			if t = s.liveToken(id, c.now); t == nil {
				return logical.ErrorResponse("invalid token"), nil
			}
		}
		paths := c.d.Strings("paths")
		if len(paths) == 0 {
			paths = c.d.Strings("path")
		}
		if len(paths) == 0 {
			return logical.ErrorResponse("paths must be supplied"), nil
		}
		data := map[string]any{}
		for _, p := range paths {
			data[p] = s.capabilities(t, p)
		}
		if len(paths) == 1 {
			data["capabilities"] = data[paths[0]]
		}
		return &logical.Response{Data: data}, nil
	}
}
