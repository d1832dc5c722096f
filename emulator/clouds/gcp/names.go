package gcp

import (
	"strings"

	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// Google's resource names and identifiers. The patterns check a name's
// shape with + and the functions below check its ids' lengths (project
// numbers 1-20 digits, pool and provider ids 4-32 characters, attribute
// names up to 100, service account names 6-30): a counted repetition
// such as [a-z0-9-]{4,32} compiles to a program of hundreds of
// instructions, and those compiles were most of the GCP emulator's share
// of tfcemu's start-up.
var (
	providerName   = lazyre.New(`^projects/([0-9]+)/locations/global/workloadIdentityPools/([a-z0-9-]+)/providers/([a-z0-9-]+)$`)
	poolMember     = lazyre.New(`^(principal|principalSet)://iam\.googleapis\.com/projects/([0-9]+)/locations/global/workloadIdentityPools/([a-z0-9-]+)/(.+)$`)
	attributeName  = lazyre.New(`^attribute\.[a-z_][a-z0-9_]*$`)
	serviceAccount = lazyre.New(`^[a-z][a-z0-9-]*[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$`)
	computeAccount = lazyre.New(`^[0-9]+-compute@developer\.gserviceaccount\.com$`)
	googleNames    = []string{"google.subject", "google.groups", "google.display_name", "google.profile_photo", "google.posix_username"}
)

// lengthIn reports whether s is min to max bytes long.
func lengthIn(s string, min, max int) bool { return len(s) >= min && len(s) <= max }

// poolIDs reports whether project is a project number (1-20 digits) and
// each of ids a pool or provider id (4-32 characters).
func poolIDs(project string, ids ...string) bool {
	if !lengthIn(project, 1, 20) {
		return false
	}
	for _, id := range ids {
		if !lengthIn(id, 4, 32) {
			return false
		}
	}
	return true
}

// matchProviderName returns a provider's resource name
// (projects/N/locations/global/workloadIdentityPools/P/providers/X) and
// its project number, pool and provider ids, or nil.
func matchProviderName(name string) []string {
	m := providerName.FindStringSubmatch(name)
	if m == nil || !poolIDs(m[1], m[2], m[3]) {
		return nil
	}
	return m
}

// matchPoolMember returns an IAM member of a workload identity pool
// (principal:// or principalSet://), its kind, project number, pool id and
// the rest after the pool, or nil.
func matchPoolMember(member string) []string {
	m := poolMember.FindStringSubmatch(member)
	if m == nil || !poolIDs(m[2], m[3]) {
		return nil
	}
	return m
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
