package vault

import "net/http"

// WriteErrors writes Vault's {"errors":[...]} body through Vault's one
// writer, for answers the emulator gives on the Vault listener (an unknown
// path, an injected fault, a panic).
func WriteErrors(w http.ResponseWriter, status int, msgs ...string) { writeErrors(w, status, msgs...) }
