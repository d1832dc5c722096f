// Package vault emulates the part of Vault 1.21.0's HTTP API that TFC
// dynamic credentials use, answering as a dev server does, byte for byte.
//
// One shape serves every logical path: each mount's backend (sys/ and
// auth/token/ served by the core itself, the terraform secrets engine,
// the jwt auth method, the cubbyhole) is a logical.Router, a table of
// logical.Path rows (an anchored regexp pattern, a typed field schema,
// one handler per operation, an optional existence check and the help
// texts path-help renders) compiled once. A handler returns
// (*logical.Response, error) and respond (envelope.go) is the one writer
// that renders it with Vault's status mapping. gorilla/mux routes the
// listener: the HTTP-level handlers Vault has (sys/health, sys/seal-status,
// sys/leader) and /v1/ for the logical paths. Leases and tokens expire
// from a queue ordered by time; Snapshot and Restore carry the whole
// state across restarts.
package vault
