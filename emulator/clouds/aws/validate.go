package aws

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/clouds"
)

// nameChars are the characters of IAM's role and session names, [\w+=,.@-]:
// checked with clouds.MadeOf, which a start does not compile.
const nameChars = clouds.Word + "+=,.@-"

// validateAssume checks the parameters as STS's model constrains them and
// answers AWS's "N validation errors detected" text.
func validateAssume(form url.Values) (duration int, err *stsError) {
	var problems []string
	bad := func(value *string, member, constraint string) {
		v := "null"
		if value != nil {
			v = "'" + *value + "'"
		}
		if member == "webIdentityToken" && value != nil {
			// A sensitive member: AWS leaves its value out.
			problems = append(problems, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", member, constraint))
			return
		}
		problems = append(problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", v, member, constraint))
	}
	get := func(k string) *string {
		if _, ok := form[k]; !ok {
			return nil
		}
		v := form.Get(k)
		return &v
	}
	if v := get("RoleArn"); v == nil {
		bad(nil, "roleArn", "Member must not be null")
	} else if len(*v) < 20 || len(*v) > 2048 {
		bad(v, "roleArn", fmt.Sprintf("Member must have length %s", lengthBound(len(*v), 20, 2048)))
	}
	if v := get("RoleSessionName"); v == nil {
		bad(nil, "roleSessionName", "Member must not be null")
	} else {
		if len(*v) < 2 || len(*v) > 64 {
			bad(v, "roleSessionName", fmt.Sprintf("Member must have length %s", lengthBound(len(*v), 2, 64)))
		}
		if *v != "" && !clouds.MadeOf(*v, nameChars) {
			bad(v, "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
		}
	}
	if v := get("WebIdentityToken"); v == nil {
		bad(nil, "webIdentityToken", "Member must not be null")
	} else if len(*v) < 4 || len(*v) > maxTokenLength {
		bad(v, "webIdentityToken", fmt.Sprintf("Member must have length %s", lengthBound(len(*v), 4, maxTokenLength)))
	}
	duration = DefaultDurationSeconds
	if v := get("DurationSeconds"); v != nil {
		n, perr := strconv.Atoi(*v)
		switch {
		case perr != nil:
			bad(v, "durationSeconds", "Member must be an integer")
		case n < MinDurationSeconds:
			bad(v, "durationSeconds", fmt.Sprintf("Member must have value greater than or equal to %d", MinDurationSeconds))
		case n > MaxDurationSeconds:
			bad(v, "durationSeconds", fmt.Sprintf("Member must have value less than or equal to %d", MaxDurationSeconds))
		default:
			duration = n
		}
	}
	if len(problems) == 0 {
		return duration, nil
	}
	noun := "error"
	if len(problems) > 1 {
		noun = "errors"
	}
	return 0, newSTSError(http.StatusBadRequest, "ValidationError", "%d validation %s detected: %s", len(problems), noun, strings.Join(problems, "; "))
}

func lengthBound(n, lo, hi int) string {
	if n < lo {
		return fmt.Sprintf("greater than or equal to %d", lo)
	}
	return fmt.Sprintf("less than or equal to %d", hi)
}
