package aws

import (
	"strings"
	"testing"
)

// TestConditionOperators: each operator's semantics as IAM documents them,
// set qualifiers, IfExists and absent keys included.
func TestConditionOperators(t *testing.T) {
	ctx := map[string][]string{
		"iss:sub": {"organization:my-org:project:p:workspace:w:run_phase:plan"},
		"iss:aud": {"a", "b"},
	}
	cases := []struct {
		op     string
		key    string
		values []string
		want   bool
	}{
		{"StringEquals", "iss:sub", []string{"organization:my-org:project:p:workspace:w:run_phase:plan"}, true},
		{"StringEquals", "ISS:SUB", []string{"organization:my-org:project:p:workspace:w:run_phase:plan"}, true}, // key names are case-insensitive
		{"StringEquals", "iss:sub", []string{"ORGANIZATION:my-org:project:p:workspace:w:run_phase:plan"}, false},
		{"StringEqualsIgnoreCase", "iss:sub", []string{"ORGANIZATION:my-org:project:p:workspace:w:run_phase:plan"}, true},
		{"StringLike", "iss:sub", []string{"organization:my-org:*:run_phase:plan"}, true},
		{"StringLike", "iss:sub", []string{"organization:my-org:*:run_phase:appl?"}, false},
		{"StringLike", "iss:sub", []string{"x", "*:run_phase:pla?"}, true},
		{"StringNotLike", "iss:sub", []string{"*:run_phase:apply"}, true},
		{"StringNotLike", "iss:sub", []string{"*:run_phase:plan"}, false},
		{"StringNotEquals", "iss:missing", []string{"x"}, true}, // negated operator, absent key: true
		{"StringEquals", "iss:missing", []string{"x"}, false},
		{"StringEqualsIfExists", "iss:missing", []string{"x"}, true},
		{"ForAnyValue:StringEquals", "iss:aud", []string{"b"}, true},
		{"ForAllValues:StringEquals", "iss:aud", []string{"b"}, false},
		{"ForAllValues:StringEquals", "iss:aud", []string{"a", "b"}, true},
		{"ForAllValues:StringEquals", "iss:missing", []string{"a"}, true},
		{"ForAnyValue:StringEquals", "iss:missing", []string{"a"}, false},
		{"Null", "iss:missing", []string{"true"}, true},
		{"Null", "iss:sub", []string{"true"}, false},
		{"Null", "iss:sub", []string{"false"}, true},
		{"Bool", "iss:missing", []string{"true"}, false},
	}
	for _, tc := range cases {
		got, why := Condition{Operator: tc.op, Key: tc.key, Values: tc.values}.evaluate(ctx)
		if got != tc.want || !strings.HasPrefix(why, tc.op+" on "+tc.key) {
			t.Errorf("%s %s %v = %v (%s), want %v", tc.op, tc.key, tc.values, got, why, tc.want)
		}
	}
}

// TestParsePolicyPositions: malformed documents name where they fail.
func TestParsePolicyPositions(t *testing.T) {
	for doc, want := range map[string]string{
		``:                                   "document: not a JSON object: EOF",
		`[]`:                                 "not a JSON object",
		`{"Statement":[{"Effect":"Allow"}]}`: "Statement[0].Action: missing",
		`{"Statement":[{"Effect":"Allow","Action":"sts:*"}]}`:                                                "Statement[0].Principal: missing",
		`{"Statement":[{"Effect":"Allow","Action":"sts:*","Principal":"me"}]}`:                               `Statement[0].Principal: "me": a string principal must be "*"`,
		`{"Statement":[{"Effect":"Allow","Action":"sts:*","Principal":{"Bad":"x"}}]}`:                        "Statement[0].Principal.Bad: unknown principal type",
		`{"Statement":[{"Effect":"Allow","Action":[{}],"Principal":"*"}]}`:                                   "Statement[0].Action[0]: must be a string",
		`{"Statement":[{"Effect":"Allow","Action":"a","Principal":"*","Condition":{"Null":{"k":"maybe"}}}]}`: `Statement[0].Condition.Null.k: "maybe": Null takes "true" or "false"`,
		`{"Version":"2020-01-01","Statement":[]}`:                                                            "Version: 2020-01-01 is not a policy language version",
		`{"Statement":[]} {}`: "more than one JSON value",
		`{"Statement":[{"Effect":"Allow","Action":"a","Principal":"*","NotAction":"b"}]}`: "Statement[0].NotAction: is not supported",
	} {
		_, err := ParsePolicy(doc)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePolicy(%s) = %v, want %q", doc, err, want)
		}
	}
}
