package admin

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
)

// Error is the admin API's error body: {"error": "..."}.
type Error struct {
	Error string `json:"error"`
}

// The admin API's errors, the one table: every error is a status and a
// message, rendered by write as an Error body. Handlers return them as
// their result.

// badRequest is a 400: the request is malformed or contradicts itself.
func badRequest(format string, a ...any) (int, any) {
	return failure(http.StatusBadRequest, fmt.Sprintf(format, a...))
}

// failure is any other error status (404 unknown route or id, 405, 409 a
// state that refuses the action, 500 a failure of the emulator) with msg.
func failure(status int, msg string) (int, any) { return status, Error{Error: msg} }

// respond is the one writer of the admin API: it writes a handler result,
// a status and a JSON body (or none), an error body included.
func (a *API) respond(w http.ResponseWriter) func(status int, body any) {
	return func(status int, body any) { a.write(w, status, body) }
}

func (a *API) write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	if body == nil {
		w.WriteHeader(status)
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		a.cfg.Logger.Error("admin: encode response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"error":"encode response"}`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// WriteError writes an admin error body with status, for refusals made in
// front of the admin API (the listeners' host and cross-site guard).
func WriteError(w http.ResponseWriter, status int, msg string) {
	(&API{cfg: Config{Logger: slog.New(slog.DiscardHandler)}}).write(w, status, Error{Error: msg})
}
