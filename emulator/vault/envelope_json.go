package vault

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// The envelope is written on every logical answer, so it is encoded by
// hand: the same bytes json.Encoder writes for it (HTML escaped, its
// fields in order, a data map's keys sorted, a trailing newline), without
// reflection. A value it has no fast form for (a nested map, a time, the
// auth block) goes through encoding/json, which gives the bytes it would
// give inside the envelope. envelope_json_test.go compares both.

// writeEnvelope writes env as writeVault(w, status, env) does.
func writeEnvelope(w http.ResponseWriter, status int, env *envelope) {
	bp := encodeBuffers.Get().(*[]byte)
	buf, err := env.appendJSON((*bp)[:0])
	if err != nil {
		buf = append(buf[:0], `{"errors":["internal error"]}`...)
		status = http.StatusInternalServerError
	}
	buf = append(buf, '\n')
	h := w.Header()
	h["Cache-Control"] = noStore
	h["Content-Type"] = applicationJSON
	w.WriteHeader(status)
	_, _ = w.Write(buf)
	if cap(buf) <= maxPooledBuffer {
		*bp = buf
		encodeBuffers.Put(bp)
	}
}

// Header values every answer sets, assigned rather than Set (no copy per
// answer): each slice has no room to grow, so an Add to the header copies
// it rather than writing into the shared one, and no code writes a
// header's values in place.
var (
	noStore         = []string{"no-store"}
	applicationJSON = []string{"application/json"}
	hsts            = []string{"max-age=31536000; includeSubDomains"}
)

// encodeBuffers are reused envelope buffers (the writer copies what it is
// given); one that grew past maxPooledBuffer is left to the collector.
var encodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledBuffer = 64 << 10

// appendJSON appends env as encoding/json marshals it.
func (env *envelope) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"request_id":`...)
	if env.RequestID == "" && env.id[0] != 0 {
		// A UUID: nothing in it to escape.
		b = append(b, '"')
		b = append(b, env.id[:]...)
		b = append(b, '"')
	} else {
		b = appendJSONString(b, env.RequestID)
	}
	b = append(b, `,"lease_id":`...)
	b = appendJSONString(b, env.LeaseID)
	b = append(b, `,"renewable":`...)
	b = strconv.AppendBool(b, env.Renewable)
	b = append(b, `,"lease_duration":`...)
	b = strconv.AppendInt(b, int64(env.LeaseDuration), 10)
	b = append(b, `,"data":`...)
	if env.Data == nil && env.stringData != nil {
		b = appendStringFields(b, env.stringData)
	} else if b, err = appendJSONMap(b, env.Data); err != nil {
		return b, err
	}
	b = append(b, `,"wrap_info":`...)
	if b, err = appendJSONValue(b, env.WrapInfo); err != nil {
		return b, err
	}
	b = append(b, `,"warnings":`...)
	if env.Warnings == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, s := range env.Warnings {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		b = append(b, ']')
	}
	b = append(b, `,"auth":`...)
	if env.Auth == nil {
		b = append(b, "null"...)
	} else if b, err = appendMarshaled(b, env.Auth); err != nil {
		return b, err
	}
	b = append(b, `,"mount_type":`...)
	b = appendJSONString(b, env.MountType)
	return append(b, '}'), nil
}

// appendJSONMap appends m with its keys sorted, as encoding/json does; a
// nil map is null.
func appendJSONMap(b []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	var stack [16]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if b, err = appendJSONValue(b, m[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendStringFields appends fields as encoding/json marshals the map
// they make: the keys sorted, the last of a repeated key.
func appendStringFields(b []byte, fields []logical.StringField) []byte {
	var stack [16]logical.StringField
	if len(fields) > len(stack) {
		m := make(map[string]any, len(fields))
		for _, f := range fields {
			m[f.Key] = f.Value
		}
		b, _ = appendJSONMap(b, m) // strings always encode
		return b
	}
	sorted := stack[:len(fields)]
	copy(sorted, fields)
	// An insertion sort, stable: of a repeated key the last comes last.
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].Key < sorted[j-1].Key; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	b = append(b, '{')
	first := true
	for i, f := range sorted {
		if i+1 < len(sorted) && sorted[i+1].Key == f.Key {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, f.Key)
		b = append(b, ':')
		b = appendJSONString(b, f.Value)
	}
	return append(b, '}')
}

// appendJSONValue appends the values a backend's data usually holds by
// hand and any other through encoding/json.
func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	}
	return appendMarshaled(b, v)
}

func appendMarshaled(b []byte, v any) ([]byte, error) {
	out, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, out...), nil
}

// appendJSONString appends s quoted: as it is when no byte of it needs
// an escape (printable ASCII but for '"', '\\' and the HTML-escaped '<',
// '>', '&'), else as encoding/json escapes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			out, _ := json.Marshal(s) // a string always marshals
			return append(b, out...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// newRequestIDBytes is a request_id's text: a random (version 4) UUID, as Vault's
// uuid.GenerateUUID makes them; it names a response, not a secret, so the
// runtime's per-thread generator serves it without a system call.
func newRequestIDBytes() [36]byte {
	var u [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	const hex = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[c>>4], hex[c&0x0f]
		j += 2
	}
	return out
}
