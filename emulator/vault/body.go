package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// parseBody reads a write's body as Vault's HTTP layer does: a form when
// the content type says so and the body does not open a JSON container,
// else JSON, which must be one object. An empty body is no data.
// Structural JSON errors are found first, as the listener's JSON limits
// check finds them (a 500); decoding errors are a 400.
func parseBody(r *http.Request) (map[string]any, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, logical.NewCodedError(http.StatusBadRequest, "error reading request body")
	}
	if len(b) > MaxBodyBytes {
		return nil, logical.NewCodedError(http.StatusRequestEntityTooLarge, "http: request body too large")
	}
	if err := jsonStructureError(b); err != nil {
		return nil, logical.NewCodedError(http.StatusInternalServerError, err.Error())
	}
	data := map[string]any{}
	trimmed := bytes.TrimSpace(b)
	if isForm(trimmed, r.Header.Get("Content-Type")) {
		form, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return nil, logical.NewCodedError(http.StatusBadRequest, "error parsing form data")
		}
		for k, v := range form {
			if len(v) > 0 {
				// Repeated keys become one comma-separated value.
				data[k] = strings.Join(v, ",")
			}
		}
		return data, nil
	}
	if len(trimmed) == 0 {
		return data, nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		return nil, logical.NewCodedError(http.StatusBadRequest, "error parsing JSON: failed to parse JSON input: "+err.Error())
	}
	if data == nil { // the body was JSON null
		data = map[string]any{}
	}
	return data, nil
}

// isForm is Vault's: a form content type and a body that does not start a
// JSON object or array.
func isForm(head []byte, contentType string) bool {
	ct, _, err := mime.ParseMediaType(contentType)
	if err != nil || ct != "application/x-www-form-urlencoded" {
		return false
	}
	return len(head) == 0 || (head[0] != '{' && head[0] != '[')
}

// jsonStructureError is the structural part of Vault's JSON limits check
// (sdk/helper/jsonutil.VerifyMaxDepthStreaming) on a body that starts a
// JSON container, with its messages: unclosed strings and containers, a
// comma before a closing bracket, a character that cannot start a value,
// anything after the top-level value. Other errors are left to decoding.
func jsonStructureError(b []byte) error {
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	i := skipSpace(b, 0)
	if i == len(b) || (b[i] != '{' && b[i] != '[') {
		return nil
	}
	var depth int
	started, lastComma := false, false
	for i = skipSpace(b, i); i < len(b); i = skipSpace(b, i) {
		c := b[i]
		if lastComma && (c == '}' || c == ']') {
			if c == '}' {
				return fmt.Errorf("invalid character '}' after object key-value pair")
			}
			return fmt.Errorf("invalid character ']' after array element")
		}
		if depth == 0 && started {
			return fmt.Errorf("invalid character '%c' after top-level value", c)
		}
		started, lastComma = true, false
		switch {
		case c == '{' || c == '[':
			depth++
			i++
		case c == '}' || c == ']':
			depth--
			i++
		case c == ',':
			lastComma = true
			i++
		case c == ':':
			i++
		case c == '"':
			end := stringEnd(b, i+1)
			if end < 0 {
				return fmt.Errorf("malformed JSON, unclosed string")
			}
			i = end
		case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n':
			for i < len(b) && strings.IndexByte("0123456789+-.eEtrufalsn", b[i]) >= 0 {
				i++
			}
		default:
			return fmt.Errorf("invalid character '%c' looking for beginning of value", c)
		}
	}
	if depth > 0 {
		return fmt.Errorf("malformed JSON, unclosed containers")
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index after the closing quote of a string whose body
// starts at i, or -1.
func stringEnd(b []byte, i int) int {
	for ; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}
