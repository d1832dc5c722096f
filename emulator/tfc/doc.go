// Package tfc emulates the HCP Terraform (TFC) API. Its state lives in
// memory behind one mutex, loaded from a fixtures.Seed and reset to it.
package tfc
