package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// envelope is Vault's HTTP response body (sdk logical.HTTPResponse), in its
// fixed field order.
type envelope struct {
	RequestID     string         `json:"request_id"`
	LeaseID       string         `json:"lease_id"`
	Renewable     bool           `json:"renewable"`
	LeaseDuration int            `json:"lease_duration"`
	Data          map[string]any `json:"data"`
	WrapInfo      any            `json:"wrap_info"`
	Warnings      []string       `json:"warnings"`
	Auth          *authBlock     `json:"auth"`
	MountType     string         `json:"mount_type"`
	// stringData is written as data when Data is nil: a response's
	// StringData, written without the map (appendJSON).
	stringData []logical.StringField
	// id is newEnvelope's request_id, written when RequestID is "": kept
	// as its bytes, so no string is made of it unless encoding/json
	// writes the envelope (withRequestID).
	id [36]byte
}

// withRequestID is env with its id, if it has one, as RequestID.
func (env envelope) withRequestID() envelope {
	if env.RequestID == "" && env.id[0] != 0 {
		env.RequestID = string(env.id[:])
	}
	return env
}

// authBlock is the "auth" member of a login response.
type authBlock struct {
	ClientToken    string            `json:"client_token"`
	Accessor       string            `json:"accessor"`
	Policies       []string          `json:"policies"`
	TokenPolicies  []string          `json:"token_policies,omitempty"`
	Metadata       map[string]string `json:"metadata"`
	LeaseDuration  int               `json:"lease_duration"`
	Renewable      bool              `json:"renewable"`
	EntityID       string            `json:"entity_id"`
	TokenType      string            `json:"token_type"`
	Orphan         bool              `json:"orphan"`
	MFARequirement any               `json:"mfa_requirement"`
	NumUses        int               `json:"num_uses"`
}

// writeVault encodes body as Vault does: json.Encoder (HTML escaped, with a
// trailing newline), application/json, Cache-Control: no-store.
func writeVault(w http.ResponseWriter, status int, body any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(body); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"errors":["internal error"]}` + "\n")
	}
	h := w.Header()
	h["Cache-Control"] = noStore
	h["Content-Type"] = applicationJSON
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeErrors writes {"errors":[...]}; nil messages give {"errors":[]}.
func writeErrors(w http.ResponseWriter, status int, msgs ...string) {
	if msgs == nil {
		msgs = []string{}
	}
	writeVault(w, status, map[string][]string{"errors": msgs})
}

// multierror formats errors as go-multierror does, which is how Vault core
// reports plain backend errors.
func multierror(msgs ...string) string {
	var b strings.Builder
	if len(msgs) == 1 {
		b.WriteString("1 error occurred:\n")
	} else {
		fmt.Fprintf(&b, "%d errors occurred:\n", len(msgs))
	}
	for _, m := range msgs {
		fmt.Fprintf(&b, "\t* %s\n", m)
	}
	b.WriteString("\n")
	return b.String()
}

// errInvalidToken is Vault ≥1.17's answer to an unknown, expired or revoked
// token.
var errInvalidToken = multierror("permission denied", "invalid token")

// respond is the one writer of Vault's logical answers: it turns a
// handler's result into HTTP as Vault's RespondErrorCommon and respondOk
// do. A CodedError is its status and message verbatim (the HTTP layer's
// own errors among them); an error response is a 400; a plain error is
// mapped (permission denied 403, unsupported path 404, unsupported
// operation 405, invalid request 400, anything else 500) and, on a
// non-login request, reported in multierror form as Vault's core wraps
// it. A successful read of nothing is a 404, an empty list too, a write
// with nothing to say a 204; raw responses are written as they are.
func respond(w http.ResponseWriter, req *request, resp *logical.Response, err error, env envelope) {
	if errors.Is(err, logical.ErrAbortConnection) {
		// What a client sees when a real plugin panics.
		panic(http.ErrAbortHandler)
	}
	if err == nil && !resp.IsError() {
		op := logical.UpdateOperation
		if req != nil {
			op = req.op
		}
		switch {
		case resp.IsRaw():
			writeRaw(w, resp)
		case resp == nil && op == logical.ReadOperation,
			op == logical.ListOperation && emptyList(resp):
			writeErrors(w, http.StatusNotFound)
		case resp == nil:
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusNoContent)
		case req != nil && injectsTopLevel(req.path) && resp.HasData():
			env.Data, env.Warnings = resp.DataMap(), resp.Warnings
			writeLegacy(w, env)
		default:
			if resp.HasData() || env.Auth == nil {
				if resp.Data == nil && len(resp.StringData) > 0 {
					env.stringData = resp.StringData
				} else {
					env.Data = resp.DataMap()
				}
			}
			env.Warnings = resp.Warnings
			writeEnvelope(w, http.StatusOK, &env)
		}
		return
	}
	var coded *logical.CodedError
	if errors.As(err, &coded) {
		if coded.Msg == "" {
			writeErrors(w, coded.Status)
		} else {
			writeErrors(w, coded.Status, coded.Msg)
		}
		return
	}
	status := http.StatusInternalServerError
	if resp != nil {
		status = http.StatusBadRequest
	}
	var user logical.UserError
	switch {
	case err == nil:
	case errors.As(err, &user):
		status = http.StatusBadRequest
	case errorsContain(err, logical.ErrPermissionDenied):
		status = http.StatusForbidden
	case errorsContain(err, logical.ErrUnsupportedOperation):
		status = http.StatusMethodNotAllowed
	case errorsContain(err, logical.ErrUnsupportedPath):
		status = http.StatusNotFound
	case errorsContain(err, logical.ErrInvalidRequest):
		status = http.StatusBadRequest
	}
	login := env.MountType == "" && req != nil
	var msg string
	switch {
	case resp.IsError():
		msg = resp.Error()
	case user.Err != "" || login:
		msg = err.Error()
	default:
		msg = multierror(err.Error())
	}
	writeErrors(w, status, msg)
}

// writeRaw writes a raw response: its status, content type and body.
func writeRaw(w http.ResponseWriter, resp *logical.Response) {
	data := resp.DataMap()
	status, _ := data[logical.HTTPStatusCode].(int)
	if ct, ok := data[logical.HTTPContentType].(string); ok {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if body, ok := data[logical.HTTPRawBody].([]byte); ok {
		_, _ = w.Write(body)
	}
}

// injectDataIntoTopRoutes are the paths (a trailing '/' is a prefix) on
// which Vault repeats a response's data at the top level of the body for
// old clients (http/handler.go).
var injectDataIntoTopRoutes = []string{
	"sys/audit", "sys/audit/", "sys/audit-hash/", "sys/auth", "sys/auth/", "sys/config/cors",
	"sys/config/auditing/request-headers/", "sys/config/auditing/request-headers", "sys/capabilities",
	"sys/capabilities-accessor", "sys/capabilities-self", "sys/key-status", "sys/mounts", "sys/mounts/",
	"sys/policy", "sys/policy/", "sys/rekey/backup", "sys/rekey/recovery-key-backup", "sys/remount",
	"sys/rotate", "sys/wrapping/wrap",
}

func injectsTopLevel(path string) bool {
	if !strings.HasPrefix(path, "sys/") {
		return false // every route of the list is under sys/
	}
	for _, p := range injectDataIntoTopRoutes {
		if path == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(path, p)) {
			return true
		}
	}
	return false
}

// writeLegacy answers as Vault does on the routes it injects data into the
// top level for old clients: the data both in the envelope and repeated
// before it.
func writeLegacy(w http.ResponseWriter, env envelope) {
	env = env.withRequestID()
	top, err := json.Marshal(env.Data)
	body, err2 := json.Marshal(env)
	if err != nil || err2 != nil {
		writeVault(w, http.StatusOK, env)
		return
	}
	out := append(top[:len(top)-1:len(top)-1], ',')
	writeVault(w, http.StatusOK, json.RawMessage(append(out, body[1:]...)))
}

// errorsContain is errwrap.Contains: err or an error it wraps has
// target's message.
func errorsContain(err, target error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e == target || e.Error() == target.Error() {
			return true
		}
	}
	return false
}

func emptyList(resp *logical.Response) bool {
	if resp == nil {
		return true
	}
	data := resp.DataMap()
	if len(data) == 0 {
		return len(resp.Warnings) == 0
	}
	keys, ok := data["keys"]
	if !ok {
		return false
	}
	switch k := keys.(type) {
	case []any:
		return len(k) == 0
	case []string:
		return len(k) == 0
	}
	return keys == nil
}

func newEnvelope() envelope { return envelope{id: newRequestIDBytes()} }
