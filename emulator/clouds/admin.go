package clouds

import (
	"fmt"
	"net/http"

	"github.com/tfcemu/tfcemu/emulator/internal/routing"
)

// MaxBody bounds a cloud's request bodies, its API's and its admin
// routes', as the emulator's admin API bounds its own.
const MaxBody = 1 << 20

// Handler is a cloud's pure handler: it returns the status and the JSON
// body; the cloud's adapter writes them in its own way.
type Handler func(r *http.Request) (int, any)

// AdminError is the body of a cloud admin route's refusal, as the
// emulator's admin API answers.
type AdminError struct {
	Error string `json:"error"`
}

// AdminFail is an admin handler's refusal: status and an AdminError.
func AdminFail(status int, format string, a ...any) (int, any) {
	return status, AdminError{Error: fmt.Sprintf(format, a...)}
}

// ReadAdmin reads an admin request's body, one JSON value of at most
// MaxBody bytes, into v with ReadStrict.
func ReadAdmin(r *http.Request, v any) error { return ReadStrict(r, MaxBody, v) }

// DecisionRoutes are GET /decisions (the log, oldest first) and DELETE
// /decisions (empty it), relative to the cloud's admin prefix, written by
// the cloud's adapt.
func (b *Base) DecisionRoutes(adapt func(Handler) http.Handler) []routing.Route {
	return []routing.Route{
		{Method: http.MethodGet, Path: "/decisions", Handler: adapt(func(*http.Request) (int, any) { return http.StatusOK, b.Decisions() })},
		{Method: http.MethodDelete, Path: "/decisions", Handler: adapt(func(*http.Request) (int, any) { b.ClearDecisions(); return http.StatusNoContent, nil })},
	}
}
