package aws

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// sigV4 is a parsed Authorization: AWS4-HMAC-SHA256 header.
type sigV4 struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

func parseSigV4(h string) (sigV4, bool) {
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != "AWS4-HMAC-SHA256" {
		return sigV4{}, false
	}
	var sig sigV4
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return sigV4{}, false
		}
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return sigV4{}, false
			}
			sig.accessKey, sig.date, sig.region, sig.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			sig.signedHeaders = strings.Split(v, ";")
		case "Signature":
			sig.signature = v
		}
	}
	return sig, sig.accessKey != "" && sig.signature != "" && len(sig.signedHeaders) > 0
}

// authenticate verifies a SigV4-signed request made with credentials this
// service issued: the session exists, its token is the one sent, it has
// not expired on the virtual clock, and the signature is the one the
// canonical request, the string to sign and the HMAC key chain give.
// X-Amz-Date is not compared with the virtual clock: the SDK signs with
// the real time.
func (s *Service) authenticate(r *http.Request, body []byte) (session, *stsError) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return session{}, newSTSError(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	sig, ok := parseSigV4(auth)
	amzDate := r.Header.Get("X-Amz-Date")
	if !ok || amzDate == "" {
		return session{}, newSTSError(http.StatusBadRequest, "IncompleteSignature", "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, and the request an X-Amz-Date header. Authorization=%s", strings.SplitN(auth, " ", 2)[0])
	}
	s.mu.Lock()
	ses, found := s.st.Sessions[sig.accessKey]
	s.mu.Unlock()
	if !found || subtle.ConstantTimeCompare([]byte(ses.SessionToken), []byte(r.Header.Get("X-Amz-Security-Token"))) != 1 {
		return session{}, newSTSError(http.StatusForbidden, "InvalidClientTokenId", msgInvalidKey)
	}
	if !s.cfg.Now().Before(ses.Expiration) {
		return session{}, newSTSError(http.StatusBadRequest, "ExpiredToken", msgExpiredSession)
	}
	want := signature(ses.SecretAccessKey, sig, amzDate, canonicalRequest(r, body, sig.signedHeaders))
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig.signature)) != 1 {
		return session{}, newSTSError(http.StatusForbidden, "SignatureDoesNotMatch", msgSignature)
	}
	return ses, nil
}

// canonicalRequest is SigV4's canonical form of r:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
func canonicalRequest(r *http.Request, body []byte, signed []string) string {
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	var headers strings.Builder
	for _, name := range signed {
		var v string
		switch name {
		case "host":
			v = r.Host
		case "content-length":
			v = r.Header.Get("Content-Length")
			if v == "" && r.ContentLength >= 0 {
				v = strconv.FormatInt(r.ContentLength, 10)
			}
		default:
			v = strings.Join(r.Header.Values(name), ",")
		}
		headers.WriteString(name + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	return strings.Join([]string{r.Method, path, canonicalQuery(r.URL.Query()), headers.String(), strings.Join(signed, ";"), payload}, "\n")
}

func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, awsEscape(k)+"="+awsEscape(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// awsEscape is RFC 3986 percent-encoding of everything but unreserved
// characters, as SigV4 requires.
func awsEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func signature(secret string, sig sigV4, amzDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	scope := strings.Join([]string{sig.date, sig.region, sig.service, "aws4_request"}, "/")
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+secret), sig.date)
	for _, part := range []string{sig.region, sig.service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
