// Package ca is the emulator's X.509 work: certificates from a profile,
// CRLs, OCSP responses, keys, serial numbers, names, key usages and
// signature algorithms, and the CA's state kept in memory (CA). It knows
// nothing of HTTP or storage: the emulator's rules (package emulator)
// decide what to sign, and package db keeps the results.
package ca
