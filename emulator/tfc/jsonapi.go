package tfc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// MediaType is the JSON:API media type TFC answers with.
const MediaType = "application/vnd.api+json"

// MaxBodyBytes bounds request bodies; larger ones are refused unread.
const MaxBodyBytes = 1 << 20

// timeLayout is how every TFC timestamp is written: UTC, milliseconds, Z.
// go-tfe parses iso8601 attributes with a literal-Z layout.
const timeLayout = "2006-01-02T15:04:05.000Z"

// Timestamp formats t the one way TFC does.
func Timestamp(t time.Time) string { return t.UTC().Format(timeLayout) }

// timestampPtr formats t, or gives nil (JSON null) for the zero time.
func timestampPtr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := Timestamp(*t)
	return &s
}

// Resource is one JSON:API resource object. Attributes is a struct per
// resource type, so every representation of a resource (create, read, list,
// include) serializes identically.
type Resource struct {
	ID            string                  `json:"id"`
	Type          string                  `json:"type"`
	Attributes    any                     `json:"attributes"`
	Relationships map[string]Relationship `json:"relationships,omitempty"`
	Links         map[string]string       `json:"links,omitempty"`
}

// Ref is a resource identifier: {"id","type"}.
type Ref struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Relationship is a relationship object. Data is *Ref, []Ref or nil (null).
type Relationship struct {
	Data  any               `json:"data"`
	Links map[string]string `json:"links,omitempty"`
}

// toOne is a to-one relationship; an empty id gives {"data":null}.
func toOne(typ, id string) Relationship {
	if id == "" {
		return Relationship{Data: nil}
	}
	return Relationship{Data: &Ref{ID: id, Type: typ}}
}

// toMany is a to-many relationship; it is never null.
func toMany(typ string, ids []string) Relationship {
	refs := make([]Ref, 0, len(ids))
	for _, id := range ids {
		refs = append(refs, Ref{ID: id, Type: typ})
	}
	return Relationship{Data: refs}
}

// Document is a single-resource response.
type Document struct {
	Data     any        `json:"data"`
	Included []Resource `json:"included,omitempty"`
}

// ListDocument is a collection response.
type ListDocument struct {
	Data     []Resource        `json:"data"`
	Included []Resource        `json:"included,omitempty"`
	Links    map[string]string `json:"links,omitempty"`
	Meta     *ListMeta         `json:"meta,omitempty"`
}

// MarshalJSON writes the document with "data": [] when the list is empty:
// a collection is never null in TFC, whatever slice the handler built.
func (d ListDocument) MarshalJSON() ([]byte, error) {
	type plain ListDocument
	if d.Data == nil {
		d.Data = []Resource{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(plain(d)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ListMeta carries pagination.
type ListMeta struct {
	Pagination Pagination `json:"pagination"`
}

// Pagination is meta.pagination; absent neighbours are null.
type Pagination struct {
	CurrentPage int  `json:"current-page"`
	PageSize    int  `json:"page-size"`
	PrevPage    *int `json:"prev-page"`
	NextPage    *int `json:"next-page"`
	TotalPages  int  `json:"total-pages"`
	TotalCount  int  `json:"total-count"`
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"errors":[{"status":"500","title":"internal server error"}]}`)
	}
	w.Header().Set("Content-Type", MediaType)
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// requestResource is the "data" member of a request document.
type requestResource struct {
	Type          string                         `json:"type"`
	ID            string                         `json:"id"`
	Attributes    json.RawMessage                `json:"attributes"`
	Relationships map[string]requestRelationship `json:"relationships"`
}

type requestRelationship struct {
	Data json.RawMessage `json:"data"`
}

// readBody reads a request body up to MaxBodyBytes.
func readBody(r *http.Request) ([]byte, error) { return readBodyLimit(r, MaxBodyBytes) }

// readBodyLimit reads a request body up to limit bytes.
func readBodyLimit(r *http.Request, limit int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return nil, badRequest("could not read the request body")
	}
	if len(b) > limit {
		return nil, newError(http.StatusRequestEntityTooLarge, "payload too large", fmt.Sprintf("request bodies are limited to %d bytes", limit))
	}
	return b, nil
}

// decodeResource reads {"data":{...}} and decodes its attributes into attrs.
// A body that is not JSON is a 400; a missing data member or attributes of
// the wrong type are 422s pointing at the offending member. wantType, if
// not empty, must match data.type (token endpoints pass "" because go-tfe
// sends "type": "" there).
func decodeResource(r *http.Request, wantType string, attrs any) (*requestResource, error) {
	return decodeResourceLimit(r, wantType, attrs, MaxBodyBytes)
}

// decodeResourceLimit is decodeResource for a body of up to limit bytes,
// for the few endpoints that take file contents inline.
func decodeResourceLimit(r *http.Request, wantType string, attrs any, limit int) (*requestResource, error) {
	b, err := readBodyLimit(r, limit)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Data *json.RawMessage `json:"data"`
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, invalidAttribute("/data", "The request body is missing the data member")
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, badRequest("The request body is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	if doc.Data == nil || string(*doc.Data) == "null" {
		return nil, invalidAttribute("/data", "The request body is missing the data member")
	}
	var res requestResource
	if err := json.Unmarshal(*doc.Data, &res); err != nil {
		return nil, typeError("/data", err)
	}
	if wantType != "" && res.Type != wantType {
		e := newError(http.StatusConflict, "conflict", fmt.Sprintf("The resource type %q does not match the endpoint's type %q", res.Type, wantType))
		e.Source = &Source{Pointer: "/data/type"}
		return nil, e
	}
	if attrs != nil && len(res.Attributes) > 0 && string(res.Attributes) != "null" {
		if err := json.Unmarshal(res.Attributes, attrs); err != nil {
			return nil, typeError("/data/attributes", err)
		}
	}
	return &res, nil
}

// typeError turns a JSON decoding error into a 422 with a pointer.
func typeError(base string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		ptr := base
		if te.Field != "" {
			ptr += "/" + strings.ReplaceAll(te.Field, ".", "/")
		}
		name := te.Field
		if name == "" {
			name = strings.TrimPrefix(base, "/")
		}
		return invalidAttribute(ptr, fmt.Sprintf("%s must be %s, not %s", name, jsonKind(te.Type.Kind().String()), te.Value))
	}
	return invalidAttribute(base, strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(goKind string) string {
	switch goKind {
	case "bool":
		return "a boolean"
	case "string":
		return "a string"
	case "int", "int64", "int32", "float64":
		return "a number"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return goKind
}

// relationshipID reads a to-one relationship's id from a request.
func (res *requestResource) relationshipID(name string) (string, bool, error) {
	rel, ok := res.Relationships[name]
	if !ok || len(rel.Data) == 0 || string(rel.Data) == "null" {
		return "", false, nil
	}
	var ref Ref
	if err := json.Unmarshal(rel.Data, &ref); err != nil {
		return "", false, typeError("/data/relationships/"+name+"/data", err)
	}
	return ref.ID, true, nil
}

// requiredRelationshipID is relationshipID for a relationship the request
// must send: without it the request is invalid ("<what> is required").
func (res *requestResource) requiredRelationshipID(name, what string) (string, error) {
	id, ok, err := res.relationshipID(name)
	if err == nil && !ok {
		err = invalidAttribute("/data/relationships/"+name, what+" is required")
	}
	return id, err
}

// decodeRefs reads a {"data":[{type,id},...]} body, as relationship
// endpoints take; only type and id of each node are read.
func decodeRefs(r *http.Request, wantType string) ([]Ref, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Data []Ref `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, badRequest("The request body is not valid JSON: " + err.Error())
		}
		return nil, typeError("/data", err)
	}
	for i, ref := range doc.Data {
		if ref.Type != wantType || ref.ID == "" {
			return nil, invalidAttribute(fmt.Sprintf("/data/%d", i), fmt.Sprintf("each item must be a %s resource identifier", wantType))
		}
	}
	return doc.Data, nil
}

// decodeData reads a {"data": ...} body and gives the data member as sent
// (nil when absent), for relationship endpoints whose nodes carry
// attributes. A body that is not JSON is a 400.
func decodeData(r *http.Request) (json.RawMessage, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Data json.RawMessage `json:"data"`
	}
	if err := jsonUnmarshalStrict(b, &doc); err != nil {
		return nil, err
	}
	return doc.Data, nil
}

// peekEmpty reports whether the request body is empty or blank, leaving the
// body in place for a later decode.
func peekEmpty(r *http.Request) (bool, error) {
	b, err := readBody(r)
	if err != nil {
		return false, err
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return len(bytes.TrimSpace(b)) == 0, nil
}

// jsonUnmarshalStrict decodes a plain JSON body (run actions take
// {"comment": ...}, not JSON:API), refusing bad JSON with a 400.
func jsonUnmarshalStrict(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return badRequest("The request body is not valid JSON: " + err.Error())
		}
		return typeError("", err)
	}
	return nil
}
