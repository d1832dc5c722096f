package tfc

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/internal/recovery"
	"github.com/tfcemu/tfcemu/emulator/internal/reqinfo"
)

// The error catalogue of the TFC API: every error a handler, the router,
// the rate limiter, the panic recovery or an injected fault answers with is
// one of these, and writeError is the one writer that renders them
// (https://developer.hashicorp.com/terraform/cloud-docs/api-docs#json-api-documents).
var (
	errUnauthorized     = newError(http.StatusUnauthorized, "unauthorized", "")
	errNotFound         = newError(http.StatusNotFound, "not found", "")
	errMethodNotAllowed = newError(http.StatusMethodNotAllowed, "method not allowed", "")
	errInternal         = newError(http.StatusInternalServerError, "internal server error", "")
)

// docInvalidTitle is the capitalized title the registry module test
// configuration API documents for its 422s
// (https://developer.hashicorp.com/terraform/cloud-docs/api-docs/private-registry/test-configuration).
const docInvalidTitle = "Invalid Attribute"

func badRequest(detail string) *Error { return newError(http.StatusBadRequest, "bad request", detail) }

func errConflict(detail string) *Error { return newError(http.StatusConflict, "conflict", detail) }

// errRateLimited is TFC's 429 (with a string status, unlike the docs'
// sample, so go-tfe can decode it).
func errRateLimited() *Error {
	return newError(http.StatusTooManyRequests, "Too many requests", "You have exceeded the API's rate limit.")
}

// errDescriptionTaken is the exact body go-tfe maps to
// ErrInvalidDescriptionConflict.
func errDescriptionTaken() *Error {
	return newError(http.StatusUnprocessableEntity, "invalid attributes", "Validation failed: Description has already been taken")
}

func errKeyTaken() *Error {
	return invalidAttribute("/data/attributes/key", "Key has already been taken")
}

// errOverwritesDisagree is TFC's refusal of disagreeing overwrites, for
// projects and workspaces alike.
func errOverwritesDisagree() *Error {
	return invalidAttribute("/data/attributes/setting-overwrites", "If agent-pool and execution-mode are both included in setting-overwrites, their values must be the same.")
}

// errPoolWithoutAgentMode is TFC's refusal of a pool outside agent mode.
func errPoolWithoutAgentMode(pointer string) *Error {
	return invalidAttribute(pointer, "Default agent pool must not be specified unless using 'agent' execution mode")
}

// errLastOwner refuses to leave the owners team empty.
func errLastOwner() *Error {
	return newError(http.StatusForbidden, "forbidden", "The last member of the owners team cannot be removed")
}

func docInvalid(pointer, detail string) *Error {
	e := invalidAttribute(pointer, detail)
	e.Title = docInvalidTitle
	return e
}

func errModuleNotFound() *Error {
	return newError(http.StatusNotFound, "Not Found", "Registry module not found")
}

func errTestConfigForbidden() *Error {
	return newError(http.StatusForbidden, "Forbidden", "You do not have permission to modify this module's test configuration")
}

// Error is one JSON:API error object. Status is a string: go-tfe cannot
// decode a numeric one.
type Error struct {
	Status string  `json:"status"`
	Title  string  `json:"title"`
	Detail string  `json:"detail,omitempty"`
	Source *Source `json:"source,omitempty"`
	code   int
}

// Source points at the part of the request an error is about.
type Source struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Title
	}
	return e.Title + ": " + e.Detail
}

// Errors is a response with several error objects, e.g. every invalid
// attribute of one request.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// sortByPointer orders errors by their pointer, so a response lists
// problems the same way every time.
func (es Errors) sortByPointer() {
	sort.SliceStable(es, func(i, j int) bool { return es[i].pointer() < es[j].pointer() })
}

func (e *Error) pointer() string {
	if e.Source == nil {
		return ""
	}
	return e.Source.Pointer
}

func newError(code int, title, detail string) *Error {
	return &Error{Status: fmt.Sprint(code), Title: title, Detail: detail, code: code}
}

// invalidAttribute is a 422 about one attribute, with its JSON pointer.
func invalidAttribute(pointer, detail string) *Error {
	e := newError(http.StatusUnprocessableEntity, "invalid attribute", detail)
	if pointer != "" {
		e.Source = &Source{Pointer: pointer}
	}
	return e
}

// writeError writes err as a JSON:API error document. Anything that is not
// an *Error or Errors is a bug and becomes errInternal (logged by the
// caller).
func writeError(w http.ResponseWriter, err error) {
	var list Errors
	var one *Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = Errors{one}
	default:
		list = Errors{errInternal}
	}
	writeJSON(w, list[0].code, map[string]Errors{"errors": list})
}

// NotFound is TFC's answer to a path no route serves: the JSON:API 404,
// recorded as unmatched for the request journal.
func NotFound(w http.ResponseWriter, r *http.Request) {
	reqinfo.MarkUnmatched(r)
	writeError(w, errNotFound)
}

// MethodNotAllowed is TFC's answer to a known path with a method it is not
// routed for: a JSON:API 405 (the router sets Allow), recorded as
// unmatched.
func MethodNotAllowed(w http.ResponseWriter, r *http.Request, _ []string) {
	reqinfo.MarkUnmatched(r)
	writeError(w, errMethodNotAllowed)
}

// WriteStatus writes a JSON:API error document of status with TFC's
// lowercase title for it and detail, e.g. for an injected fault.
func WriteStatus(w http.ResponseWriter, status int, detail string) {
	writeError(w, newError(status, strings.ToLower(http.StatusText(status)), detail))
}

// recoverPanics answers a handler's panic with TFC's 500 document (unless
// the response was already started) and logs it, through the emulator's
// one recovery.
func (s *Service) recoverPanics(next http.Handler) http.Handler {
	return recovery.Guard{Log: s.log, Attrs: []any{"service", "tfc"},
		Write500: func(w http.ResponseWriter) { writeError(w, errInternal) }}.Handler(next)
}
