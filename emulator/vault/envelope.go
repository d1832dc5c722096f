package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

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
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
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

// respond turns a backend's result into HTTP as Vault's RespondErrorCommon
// and respondOk do. wrapped marks non-login requests, whose plain errors
// core reports in multierror form.
func respond(w http.ResponseWriter, op logical.Operation, resp *logical.Response, err error, wrapped bool, env envelope) {
	if err == nil && !resp.IsError() {
		switch {
		case resp == nil && (op == logical.ReadOperation):
			writeErrors(w, http.StatusNotFound)
			return
		case op == logical.ListOperation && emptyList(resp):
			writeErrors(w, http.StatusNotFound)
			return
		case resp == nil:
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		env.Data = resp.Data
		env.Warnings = resp.Warnings
		writeVault(w, http.StatusOK, env)
		return
	}
	status := http.StatusInternalServerError
	if resp != nil {
		status = http.StatusBadRequest
	}
	if err != nil {
		switch {
		case errorsContain(err, logical.ErrPermissionDenied):
			status = http.StatusForbidden
		case errorsContain(err, logical.ErrUnsupportedOperation):
			status = http.StatusMethodNotAllowed
		case errorsContain(err, logical.ErrUnsupportedPath):
			status = http.StatusNotFound
		case errorsContain(err, logical.ErrInvalidRequest):
			status = http.StatusBadRequest
		}
	}
	var msg string
	switch {
	case resp.IsError():
		msg = resp.Error()
	case wrapped:
		msg = multierror(err.Error())
	default:
		msg = err.Error()
	}
	writeErrors(w, status, msg)
}

func errorsContain(err, target error) bool {
	for e := err; e != nil; {
		if e == target || e.Error() == target.Error() {
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

func emptyList(resp *logical.Response) bool {
	if resp == nil {
		return true
	}
	if len(resp.Data) == 0 {
		return len(resp.Warnings) == 0
	}
	keys, ok := resp.Data["keys"]
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

func newEnvelope() envelope { return envelope{RequestID: uuid.NewString()} }
