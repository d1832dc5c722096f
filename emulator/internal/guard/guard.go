// Package guard keeps web pages out of the emulator's listeners: a request
// whose Host is not one the emulator is known by (DNS rebinding) and a
// state-changing request a browser marks as cross-site (a form or fetch
// from another origin) are refused with 403 before any API sees them.
// Clients that are not browsers (curl, the SDKs, Terraform, containers on
// a Docker network) send neither Origin nor Sec-Fetch-Site and pass.
package guard

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// AllowedHostsFlag names the setting that admits more hosts; every refusal
// of a Host names it.
const AllowedHostsFlag = "--allowed-hosts"

// Deny writes a refusal in the API's own error format.
type Deny func(w http.ResponseWriter, r *http.Request, status int, msg string)

// Guard decides which hosts a listener answers to.
type Guard struct {
	// Hosts reports, at request time, the host names (or URLs) the emulator
	// is known by besides loopback: its external URLs and issuer.
	Hosts func() []string
	// Allowed are more host names (--allowed-hosts); "*" admits any host.
	Allowed []string
}

// Wrap refuses what the guard does not admit with deny and hands the rest
// to next.
func (g *Guard) Wrap(next http.Handler, deny Deny) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.hostAllowed(r.Host) {
			deny(w, r, http.StatusForbidden, "host "+quote(r.Host)+" is not allowed: the emulator answers loopback, its external URLs and issuer, and the hosts given with "+AllowedHostsFlag)
			return
		}
		if msg := crossSite(r); msg != "" {
			deny(w, r, http.StatusForbidden, msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// HostName is the host part of a Host header or URL authority, lowercased,
// without port, brackets or trailing dot.
func HostName(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// IsLoopback reports whether host (a name, without port) is loopback:
// localhost, 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool { return loopbackName(HostName(host)) }

// loopbackName is IsLoopback of a name HostName has made.
func loopbackName(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// nameOf reads an entry of Hosts or Allowed: a URL or a host[:port].
func nameOf(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil {
			return HostName(u.Host)
		}
	}
	return HostName(s)
}

func (g *Guard) hostAllowed(hostport string) bool {
	host := HostName(hostport)
	if host == "" {
		// HTTP/1.0 without Host: nothing a browser sends.
		return true
	}
	if loopbackName(host) {
		return true
	}
	for _, a := range g.Allowed {
		if a = strings.TrimSpace(a); a == "*" || nameOf(a) == host {
			return true
		}
	}
	if g.Hosts != nil {
		for _, h := range g.Hosts() {
			if h != "" && nameOf(h) == host {
				return true
			}
		}
	}
	return false
}

// stateChanging are the methods a cross-site page must not send.
func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// crossSite explains why a state-changing request came from another site,
// or is "" when it did not (or is not state-changing).
func crossSite(r *http.Request) string {
	if !stateChanging(r.Method) {
		return ""
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return "cross-site " + r.Method + " refused (Sec-Fetch-Site: cross-site)"
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return ""
	}
	if origin == "null" {
		return "cross-site " + r.Method + " refused (Origin: null)"
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return "cross-site " + r.Method + " refused (Origin " + quote(origin) + ")"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	} else if p := r.Header.Get("X-Forwarded-Proto"); p == "https" {
		// Behind a TLS-terminating proxy; a page cannot set this header on
		// a request without a CORS preflight, which the emulator never grants.
		scheme = "https"
	}
	if !strings.EqualFold(u.Scheme, scheme) || withoutDefaultPort(u.Host, scheme) != withoutDefaultPort(r.Host, scheme) {
		return "cross-site " + r.Method + " refused: Origin " + quote(origin) + " is not " + scheme + "://" + r.Host
	}
	return ""
}

// withoutDefaultPort lowercases hostport and drops the scheme's default port.
func withoutDefaultPort(hostport, scheme string) string {
	hostport = strings.ToLower(hostport)
	if scheme == "http" {
		return strings.TrimSuffix(hostport, ":80")
	}
	return strings.TrimSuffix(hostport, ":443")
}
