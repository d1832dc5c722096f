package gcp

import (
	"regexp"
	"strings"
	"testing"
)

// The name checks agree with the counted-repetition patterns they
// replace (Google's documented forms) on each length boundary.
func TestNamesAgreeWithCountedPatterns(t *testing.T) {
	counted := map[string]*regexp.Regexp{
		"provider":       regexp.MustCompile(`^projects/([0-9]{1,20})/locations/global/workloadIdentityPools/([a-z0-9-]{4,32})/providers/([a-z0-9-]{4,32})$`),
		"member":         regexp.MustCompile(`^(principal|principalSet)://iam\.googleapis\.com/projects/([0-9]{1,20})/locations/global/workloadIdentityPools/([a-z0-9-]{4,32})/(.+)$`),
		"attribute":      regexp.MustCompile(`^attribute\.[a-z_][a-z0-9_]{0,99}$`),
		"serviceAccount": regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$|^[0-9]+-compute@developer\.gserviceaccount\.com$`),
	}
	checks := map[string]func(string) bool{
		"provider":       func(s string) bool { return matchProviderName(s) != nil },
		"member":         func(s string) bool { return matchPoolMember(s) != nil },
		"attribute":      isAttributeName,
		"serviceAccount": isServiceAccount,
	}
	n := func(c string, k int) string { return strings.Repeat(c, k) }
	var inputs []string
	for _, k := range []int{0, 1, 3, 4, 5, 20, 21, 32, 33} {
		for _, j := range []int{0, 1, 4, 20, 21, 32, 33} {
			pool := "projects/" + n("1", j) + "/locations/global/workloadIdentityPools/" + n("p", k)
			inputs = append(inputs,
				pool+"/providers/"+n("x", 4), pool+"/providers/"+n("x", k),
				"principal://iam.googleapis.com/"+pool+"/subject/s",
				"principalSet://iam.googleapis.com/"+pool+"/*", "principalSet://iam.googleapis.com/"+pool+"/",
				"principalSet://iam.googleapis.com/"+pool+"/a\nb", "principalX://iam.googleapis.com/"+pool+"/*",
				"principal://iam.googleapis.com/"+pool, pool+"/providers/"+n("x", 4)+"/", "/"+pool+"/providers/abcd")
		}
	}
	for _, k := range []int{0, 1, 99, 100, 101} {
		inputs = append(inputs, "attribute."+n("a", k), "attribute.1"+n("a", k), "attribute._"+n("9", k))
	}
	for _, k := range []int{2, 3, 4, 28, 29, 30} {
		inputs = append(inputs, "a"+n("b", k)+"c@p.iam.gserviceaccount.com", "a"+n("-", k)+"-@p.iam.gserviceaccount.com",
			"1"+n("b", k)+"c@p.iam.gserviceaccount.com")
	}
	inputs = append(inputs, "abcdef@my-proj.iam.gserviceaccount.com", "abcde-@p.iam.gserviceaccount.com", "Abcdef@p.iam.gserviceaccount.com",
		"abcdef@P.iam.gserviceaccount.com", "abcdef@@p.iam.gserviceaccount.com", "abcdef@.iam.gserviceaccount.com", "abcdef@p.iam.gserviceaccount.co",
		"abcdef-compute@developer.gserviceaccount.com", "1-compute@developer.gserviceaccount.com", "attribute.9a", "attribute.a-b", "attribute._",
		"123-compute@developer.gserviceaccount.com", "-compute@developer.gserviceaccount.com", "", "attribute.")
	for name, re := range counted {
		for _, in := range inputs {
			if want, got := re.MatchString(in), checks[name](in); got != want {
				t.Errorf("%s(%q) = %v, the counted pattern says %v", name, in, got, want)
			}
		}
	}
	if m := matchProviderName("projects/123/locations/global/workloadIdentityPools/pool/providers/prov"); len(m) != 4 || m[1] != "123" || m[2] != "pool" || m[3] != "prov" {
		t.Errorf("matchProviderName = %q", m)
	}
}
