package signer

import (
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func BenchmarkBuildSignRequest(b *testing.B) {
	csrPEM := newCSR(b, ecKey(b), csrSpec{cn: "app.example.com", dns: []string{"app.example.com", "www.example.com"}, ips: []string{"10.0.0.1"}})
	for b.Loop() {
		if _, err := BuildSignRequest(csrPEM, 24*time.Hour, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChainFromResponse(b *testing.B) {
	key := ecKey(b)
	csrPEM := newCSR(b, key, csrSpec{cn: "app.example.com", dns: []string{"app.example.com"}})
	root := newRoot(b, "Root", certOpts{})
	inter := newIntermediate(b, "Intermediate", root, certOpts{})
	resp := &wire.Certificate{CertificatePem: pemOf(issueLeaf(b, inter, key.Public(), certOpts{})), ChainCertificatePem: pemOf(root.cert, inter.cert)}
	for b.Loop() {
		if _, _, err := ChainFromResponse(csrPEM, resp); err != nil {
			b.Fatal(err)
		}
	}
}
