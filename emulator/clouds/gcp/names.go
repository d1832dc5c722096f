package gcp

import (
	"strings"

	"github.com/tfcemu/tfcemu/emulator/clouds"
)

// Google's resource names and identifiers are checked by the functions
// below, not regular expressions: a start checks the seed's names, and
// compiling the patterns (a counted repetition such as [a-z0-9-]{4,32} is
// a program of hundreds of instructions) was most of the GCP emulator's
// share of tfcemu's start-up. The tests hold the functions to the
// documented patterns.
var (
	googleNames = []string{"google.subject", "google.groups", "google.display_name", "google.profile_photo", "google.posix_username"}
)

// lengthIn reports whether s is min to max bytes long.
func lengthIn(s string, min, max int) bool { return len(s) >= min && len(s) <= max }

// idChars are a pool's or a provider's id's characters.
const idChars = clouds.Lower + clouds.Digits + "-"

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
	if !lengthIn(project, 1, 20) || !clouds.MadeOf(project, clouds.Digits) || !lengthIn(pool, 4, 32) || !clouds.MadeOf(pool, idChars) {
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
	if !ok || !isProvider || !lengthIn(provider, 4, 32) || !clouds.MadeOf(provider, idChars) {
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
	name, ok := strings.CutPrefix(key, "attribute.")
	return ok && lengthIn(name, 1, 100) && clouds.MadeOf(name, clouds.Lower+clouds.Digits+"_") && !clouds.MadeOf(name[:1], clouds.Digits)
}

// isServiceAccount reports whether email is a service account's:
// NAME@PROJECT.iam.gserviceaccount.com (NAME 6-30 of [a-z0-9-], starting
// with a letter and not ending with '-'; PROJECT of [a-z0-9.-]) or a
// project's default compute account, NUMBER-compute@developer.gserviceaccount.com.
func isServiceAccount(email string) bool {
	if number, ok := strings.CutSuffix(email, "-compute@developer.gserviceaccount.com"); ok {
		return clouds.MadeOf(number, clouds.Digits)
	}
	name, domain, _ := strings.Cut(email, "@")
	project, ok := strings.CutSuffix(domain, ".iam.gserviceaccount.com")
	return ok && lengthIn(name, 6, 30) && clouds.MadeOf(name, clouds.Lower+clouds.Digits+"-") &&
		clouds.MadeOf(name[:1], clouds.Lower) && name[len(name)-1] != '-' && clouds.MadeOf(project, clouds.Lower+clouds.Digits+".-")
}
