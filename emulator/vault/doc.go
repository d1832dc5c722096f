// Package vault emulates the subset of Vault's HTTP API that TFC dynamic
// credentials use, with Vault's own envelopes and errors. For now it answers
// sys/health as an unsealed, initialized dev server.
package vault
