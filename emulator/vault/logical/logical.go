// Package logical is the contract between the emulated Vault core and its
// backends (the terraform secrets engine, the jwt auth method), shaped like
// Vault's sdk/logical: requests with an operation, a path inside the mount
// and data; responses with data, a secret (lease) or an auth block; and the
// sentinel errors the core maps to status codes.
package logical

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Operation is what a request does.
type Operation string

// The operations the emulated backends handle.
const (
	ReadOperation   Operation = "read"
	ListOperation   Operation = "list"
	CreateOperation Operation = "create"
	UpdateOperation Operation = "update"
	DeleteOperation Operation = "delete"
	// PatchOperation (HTTP PATCH) and HeaderOperation (HEAD, OPTIONS) reach
	// the backends, which serve neither.
	PatchOperation  Operation = "patch"
	HeaderOperation Operation = "header"
)

// Sentinel errors, matched by the core as Vault's errwrap.Contains does.
var (
	ErrUnsupportedPath      = errors.New("unsupported path")
	ErrUnsupportedOperation = errors.New("unsupported operation")
	ErrPermissionDenied     = errors.New("permission denied")
	ErrInvalidRequest       = errors.New("invalid request")
	ErrInvalidToken         = errors.New("invalid token")
)

// Request is one operation on a path inside a mount.
type Request struct {
	Operation Operation
	// Path is relative to the mount, e.g. "creds/my-role".
	Path string
	// MountPoint is the mount's path with a trailing slash, e.g.
	// "terraform/" or "auth/jwt/".
	MountPoint string
	Data       map[string]any
	RemoteAddr string
	// ClientToken is the ID of the token the request carries ("" on an
	// unauthenticated path); the cubbyhole is keyed by it.
	ClientToken string
	// fields is where the router builds the FieldData it hands the
	// path's handler (or existence check), so a request's fields take no
	// allocation of their own; valid until the next call on the request.
	fields FieldData
}

// TokenForgetter is a backend that keeps per-token state (the cubbyhole)
// and drops it when the token is revoked.
type TokenForgetter interface {
	ForgetToken(token string)
}

// Response is a backend's answer. A response whose Data holds only "error"
// is an error response: HTTP 400 with that message.
type Response struct {
	Data map[string]any
	// StringData is data whose every value is a string, for a backend
	// that answers without building a map (the creds read): the core
	// writes Data with StringData's fields added (DataMap), the bytes the
	// map would give. Its keys are distinct.
	StringData []StringField
	Secret     *Secret
	Auth       *Auth
	Warnings   []string
}

// StringField is one member of a response's StringData.
type StringField struct{ Key, Value string }

// HasData reports whether r has any data, in Data or StringData.
func (r *Response) HasData() bool { return r != nil && (len(r.Data) > 0 || len(r.StringData) > 0) }

// DataMap is r's data as one map: Data itself when there is no
// StringData, else a new map of both (a StringData field over a Data
// member of its key; the last of a repeated key).
func (r *Response) DataMap() map[string]any {
	if r == nil || len(r.StringData) == 0 {
		if r == nil {
			return nil
		}
		return r.Data
	}
	m := make(map[string]any, len(r.Data)+len(r.StringData))
	for k, v := range r.Data {
		m[k] = v
	}
	for _, f := range r.StringData {
		m[f.Key] = f.Value
	}
	return m
}

// ErrorResponse is Vault's logical.ErrorResponse.
func ErrorResponse(format string, a ...any) *Response {
	return &Response{Data: map[string]any{"error": fmt.Sprintf(format, a...)}}
}

// IsError reports whether r is an error response.
func (r *Response) IsError() bool {
	if r == nil {
		return false
	}
	if len(r.StringData) > 0 {
		// Data and StringData together hold "error" and nothing else.
		for _, f := range r.StringData {
			if f.Key != "error" {
				return false
			}
		}
		for k := range r.Data {
			if k != "error" {
				return false
			}
		}
		return true
	}
	if r.Data == nil {
		return false
	}
	_, ok := r.Data["error"]
	return ok && len(r.Data) == 1
}

// Error returns the message of an error response.
func (r *Response) Error() string { return fmt.Sprint(r.DataMap()["error"]) }

// Secret is a leased secret a backend returns; the core registers the
// lease and fills LeaseID and the effective TTL.
type Secret struct {
	TTL          time.Duration
	MaxTTL       time.Duration
	Renewable    bool
	InternalData map[string]any
	LeaseID      string
	IssueTime    time.Time
}

// Auth is what a successful login returns; the core mints the token. The
// token store returns tokens it has issued itself: those have an Accessor.
type Auth struct {
	ClientToken string
	Accessor    string
	EntityID    string
	Orphan      bool

	DisplayName  string
	Policies     []string
	Metadata     map[string]string
	TTL          time.Duration
	MaxTTL       time.Duration
	Renewable    bool
	InternalData map[string]any
	NoDefault    bool
	NumUses      int
	BoundCIDRs   []string
	// Period makes a periodic token; ExplicitMaxTTL caps the token's life
	// whatever renewals come.
	Period         time.Duration
	ExplicitMaxTTL time.Duration
}

// SystemView is what a backend may ask of the core about its mount.
type SystemView interface {
	DefaultLeaseTTL() time.Duration
	MaxLeaseTTL() time.Duration
}

// Config is what the core gives a backend when it mounts it.
type Config struct {
	// Now is the emulator's virtual clock.
	Now func() time.Time
	// HTTPClient reaches other services; it serves the emulator's own TFC
	// and issuer in-process.
	HTTPClient *http.Client
	System     SystemView
}

// Backend is a secrets engine or an auth method.
type Backend interface {
	// HandleRequest serves an operation on a path of the mount.
	HandleRequest(ctx context.Context, req *Request) (*Response, error)
	// Unauthenticated lists the paths (inside the mount) that need no token.
	Unauthenticated() []string
	// RenewSecret and RevokeSecret serve the leases the backend issued.
	RenewSecret(ctx context.Context, s *Secret) (*Response, error)
	RevokeSecret(ctx context.Context, s *Secret) error
}

// AuthRenewer is an auth method that takes part in renewing the tokens
// it issued (Vault's AuthRenew callback): given the login's internal
// data, it answers the TTLs that apply now, or an error.
type AuthRenewer interface {
	RenewAuth(ctx context.Context, internalData map[string]any) (*Auth, error)
}

// Factory builds a backend of one type.
type Factory func(Config) Backend

// ErrAbortConnection asks the core to drop the connection without a
// response, which is what a client sees when a real plugin panics.
var ErrAbortConnection = errors.New("abort connection")

// CodedError is an error with the HTTP status and message the client
// sees verbatim (Vault's logical.CodedError).
type CodedError struct {
	Status int
	Msg    string
}

func (e *CodedError) Error() string { return e.Msg }

// NewCodedError is Vault's logical.CodedError.
func NewCodedError(status int, msg string) error { return &CodedError{Status: status, Msg: msg} }

// Keys of a raw response's Data: the core writes the body as it is, with
// the status and content type given (Vault's logical.HTTP* keys).
const (
	HTTPContentType = "http_content_type"
	HTTPRawBody     = "http_raw_body"
	HTTPStatusCode  = "http_status_code"
)

// RawResponse is an answer the core writes as it is.
func RawResponse(status int, body []byte) *Response {
	return &Response{Data: map[string]any{HTTPContentType: "application/json", HTTPStatusCode: status, HTTPRawBody: body}}
}

// IsRaw reports whether r is a raw response.
func (r *Response) IsRaw() bool {
	if r == nil {
		return false
	}
	for _, f := range r.StringData {
		if f.Key == HTTPStatusCode {
			return true
		}
	}
	if r.Data == nil {
		return false
	}
	_, ok := r.Data[HTTPStatusCode]
	return ok
}

// Snapshotter is a backend whose state survives a restart: Snapshot
// encodes it, Restore replaces it with a snapshot's (refusing a bad one
// and changing nothing then).
type Snapshotter interface {
	Snapshot() (json.RawMessage, error)
	Restore(json.RawMessage) error
}

// ChildKeys answers a LIST of prefix over paths: the keys one level under
// prefix, a folder with a trailing slash and once; none is an empty list.
func ChildKeys(prefix string, paths []string) *Response {
	seen := map[string]bool{}
	for _, p := range paths {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		if dir, _, nested := strings.Cut(rest, "/"); nested {
			rest = dir + "/"
		}
		seen[rest] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	return Keys(keys)
}
