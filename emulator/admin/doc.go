// Package admin serves the emulator's own API under /_emulator/: health,
// reset, the virtual clock, key rotation and token minting. It is the same
// in-process and in a container, and it is strict: unknown fields and bad
// values are a 400 with a clear message, and a rejected request changes
// nothing.
package admin
