package gcp

import (
	"strings"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// Google's resource names and identifiers. Resource names are split on
// their slashes and the patterns check a name's shape with +, the
// functions below its ids' lengths (project numbers 1-20 digits, pool and
// provider ids 4-32 characters, attribute names up to 100, service
// account names 6-30): a counted repetition such as [a-z0-9-]{4,32}
// compiles to a program of hundreds of instructions, and those compiles
// were most of the GCP emulator's share of tfcemu's start-up. The tests
// hold the functions to the counted patterns.
var (
	attributeName  = lazyre.New(`^attribute\.[a-z_][a-z0-9_]*$`)
	serviceAccount = lazyre.New(`^[a-z][a-z0-9-]*[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$`)
	computeAccount = lazyre.New(`^[0-9]+-compute@developer\.gserviceaccount\.com$`)
	googleNames    = []string{"google.subject", "google.groups", "google.display_name", "google.profile_photo", "google.posix_username"}
)

// lengthIn reports whether s is min to max bytes long.
func lengthIn(s string, min, max int) bool { return len(s) >= min && len(s) <= max }

// only reports whether s is made of the bytes in set.
func only(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

const (
	digits  = "0123456789"
	idChars = "abcdefghijklmnopqrstuvwxyz0123456789-"
)

// cutPool cuts projects/N/locations/global/workloadIdentityPools/P off
// the front of s: the project number (1-20 digits), the pool id (4-32 of
// [a-z0-9-]) and what follows the pool's slash (rest, ok false without
// one).
func cutPool(s string) (project, pool, rest string, ok bool) {
	parts := strings.SplitN(s, "/", 7)
	if len(parts) != 7 || parts[0] != "projects" || parts[2] != "locations" || parts[3] != "global" || parts[4] != "workloadIdentityPools" {
		return "", "", "", false
	}
	project, pool = parts[1], parts[5]
	if !lengthIn(project, 1, 20) || !only(project, digits) || !lengthIn(pool, 4, 32) || !only(pool, idChars) {
		return "", "", "", false
	}
	return project, pool, parts[6], true
}

// matchProviderName returns a provider's resource name
// (projects/N/locations/global/workloadIdentityPools/P/providers/X) and
// its project number, pool and provider ids, or nil.
func matchProviderName(name string) []string {
	project, pool, rest, ok := cutPool(name)
	provider, isProvider := strings.CutPrefix(rest, "providers/")
	if !ok || !isProvider || !lengthIn(provider, 4, 32) || !only(provider, idChars) {
		return nil
	}
	return []string{name, project, pool, provider}
}

// matchPoolMember returns an IAM member of a workload identity pool
// (principal:// or principalSet://), its kind, project number, pool id and
// the rest after the pool (one line, not empty), or nil.
func matchPoolMember(member string) []string {
	kind, name, found := strings.Cut(member, "://iam.googleapis.com/")
	if !found || (kind != "principal" && kind != "principalSet") {
		return nil
	}
	project, pool, rest, ok := cutPool(name)
	if !ok || rest == "" || strings.Contains(rest, "\n") { // the rest is .+
		return nil
	}
	return []string{member, kind, project, pool, rest}
}

// isAttributeName reports whether key is attribute.NAME, NAME 1-100 of
// [a-z0-9_] not starting with a digit.
func isAttributeName(key string) bool {
	return lengthIn(key, len("attribute.")+1, len("attribute.")+100) && attributeName.MatchString(key)
}

// isServiceAccount reports whether email is a service account's:
// NAME@PROJECT.iam.gserviceaccount.com (NAME 6-30 characters) or a
// project's default compute account.
func isServiceAccount(email string) bool {
	name, _, _ := strings.Cut(email, "@")
	return (lengthIn(name, 6, 30) && serviceAccount.MatchString(email)) || computeAccount.MatchString(email)
}
