package clouds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// DecodeStrict decodes raw, exactly one JSON value, into v, refusing
// unknown fields and trailing data.
func DecodeStrict(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON body: %v", err)
	}
	if d.More() {
		return errors.New("malformed JSON body: trailing data")
	}
	return nil
}

// ErrBodyUnreadable is what ReadStrict's error wraps when the body could
// not be read or was over the limit (not when it did not decode).
var ErrBodyUnreadable = errors.New("request body is unreadable")

// ReadBody reads r's body, at most limit bytes; a longer or unreadable
// one is an error wrapping ErrBodyUnreadable.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil || int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w or over %d bytes", ErrBodyUnreadable, limit)
	}
	return raw, nil
}

// ReadStrict reads r's body, at most limit bytes, and decodes it with
// DecodeStrict.
func ReadStrict(r *http.Request, limit int64, v any) error {
	raw, err := ReadBody(r, limit)
	if err != nil {
		return err
	}
	return DecodeStrict(raw, v)
}

// WriteJSON writes status and body as one line of JSON (HTML characters
// not escaped), ended by a newline when newline is true (Google's APIs end
// their bodies with one, Entra's do not), or fallback with 500 when body
// does not encode; a 204 has no body. The caller sets Content-Type and
// other headers first.
func WriteJSON(w http.ResponseWriter, status int, body any, fallback string, newline bool) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(fallback + "\n")
	}
	b := buf.Bytes()
	if !newline {
		b = bytes.TrimSuffix(b, []byte("\n"))
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
