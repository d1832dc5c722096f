package aws_test

import (
	"encoding/base64"
	"strconv"
)

func jsonB64(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
