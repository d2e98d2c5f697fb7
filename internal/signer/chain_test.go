package signer

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestChainFromResponse(t *testing.T) {
	key := ecKey(t)
	csrPEM := newCSR(t, key, csrSpec{cn: "app.example.com", dns: []string{"app.example.com"}})
	root := newRoot(t, "Root", certOpts{})
	inter := newIntermediate(t, "Intermediate", root, certOpts{})
	leaf := issueLeaf(t, inter, key.Public(), certOpts{})
	directLeaf := issueLeaf(t, root, key.Public(), certOpts{})
	future := certOpts{notBefore: time.Now().Add(24 * time.Hour)}
	futureInter := newIntermediate(t, "Intermediate", root, future)
	futureLeaf := issueLeaf(t, futureInter, key.Public(), future)

	tests := []struct {
		name            string
		certificatePem  string
		chain           string
		wantCertificate string
		wantCA          string
	}{
		{"leaf-then-issuer-then-root", pemOf(leaf), pemOf(inter.cert, root.cert), pemOf(leaf, inter.cert), pemOf(root.cert)},
		{"chain-from-root-down", pemOf(leaf), pemOf(root.cert, inter.cert), pemOf(leaf, inter.cert), pemOf(root.cert)},
		{"leaf-found-by-key-inside-the-chain-field", pemOf(root.cert), pemOf(inter.cert, leaf), pemOf(leaf, inter.cert), pemOf(root.cert)},
		{"leaf-issued-by-the-root", pemOf(directLeaf), pemOf(root.cert), pemOf(directLeaf), pemOf(root.cert)},
		{"duplicate-leaf-in-chain-tolerated", pemOf(leaf), pemOf(leaf, inter.cert, root.cert, inter.cert), pemOf(leaf, inter.cert), pemOf(root.cert)},
		{"blank-lines-and-crlf-tolerated", "\n\n" + strings.ReplaceAll(pemOf(leaf), "\n", "\r\n") + "\n\n",
			"\n" + pemOf(inter.cert) + "\n\n\n" + pemOf(root.cert) + "  \n", pemOf(leaf, inter.cert), pemOf(root.cert)},
		{"fields-without-trailing-newline", strings.TrimSpace(pemOf(leaf)), strings.TrimSpace(pemOf(inter.cert, root.cert)), pemOf(leaf, inter.cert), pemOf(root.cert)},
		{"not-yet-valid-chain-accepted-despite-clock-skew", pemOf(futureLeaf), pemOf(futureInter.cert, root.cert), pemOf(futureLeaf, futureInter.cert), pemOf(root.cert)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &wire.Certificate{CertificatePem: tt.certificatePem, ChainCertificatePem: tt.chain}
			certificate, ca, err := ChainFromResponse(csrPEM, resp)
			if err != nil {
				t.Fatalf("ChainFromResponse: %v", err)
			}
			if string(certificate) != tt.wantCertificate {
				t.Errorf("certificate =\n%s\nwant\n%s", certificate, tt.wantCertificate)
			}
			if string(ca) != tt.wantCA {
				t.Errorf("ca =\n%s\nwant\n%s", ca, tt.wantCA)
			}
		})
	}
}

func TestChainFromResponseRejectsBadAnswers(t *testing.T) {
	key := ecKey(t)
	csrPEM := newCSR(t, key, csrSpec{cn: "app.example.com", dns: []string{"app.example.com"}})
	root := newRoot(t, "Root", certOpts{})
	inter := newIntermediate(t, "Intermediate", root, certOpts{})
	leaf := issueLeaf(t, inter, key.Public(), certOpts{})
	otherLeaf := issueLeaf(t, inter, ecKey(t).Public(), certOpts{})
	otherInter := newIntermediate(t, "Intermediate", root, certOpts{})
	unrelatedRoot := newRoot(t, "Other Root", certOpts{})
	selfSignedLeaf := makeCert(t, "app.example.com", true, key.Public(), nil, key, certOpts{})

	// fakeRoot is named like a root (issuer == subject) but signed by a key
	// other than its own, so it is not self-signed; fakeInter hangs below it.
	fakeRootKey, otherKey := ecKey(t), ecKey(t)
	namesake := makeCert(t, "Fake Root", true, otherKey.Public(), nil, otherKey, certOpts{})
	fakeRoot := makeCert(t, "Fake Root", true, fakeRootKey.Public(), namesake, otherKey, certOpts{})
	fakeInter := newIntermediate(t, "Intermediate", &testCA{cert: fakeRoot, key: fakeRootKey}, certOpts{})
	fakeLeaf := issueLeaf(t, fakeInter, key.Public(), certOpts{})

	// pathLenRoot allows no CA below it, yet an intermediate hangs below it:
	// every signature holds, only path validation finds the fault.
	pathLenRoot := newRoot(t, "Strict Root", certOpts{maxPathLenZero: true})
	pathLenInter := newIntermediate(t, "Intermediate", pathLenRoot, certOpts{})
	pathLenLeaf := issueLeaf(t, pathLenInter, key.Public(), certOpts{})

	// disjointInter expired before the leaf became valid.
	past := time.Now().Add(-30 * 24 * time.Hour)
	disjointInter := newIntermediate(t, "Intermediate", root, certOpts{notBefore: past, notAfter: past.Add(time.Hour)})
	disjointLeaf := issueLeaf(t, disjointInter, key.Public(), certOpts{})

	// interCSR asks for a certificate for the intermediate's key, which
	// then sits in the chain, but not at its start.
	interCSR := newCSR(t, inter.key, csrSpec{cn: "app.example.com"})

	tests := []struct {
		name   string
		csr    []byte // csrPEM unless set
		resp   *wire.Certificate
		wantIn string
	}{
		{"nil-answer", nil, nil, "no certificate"},
		{"empty-answer", nil, &wire.Certificate{}, "certificatePem"},
		{"answer-not-pem", nil, &wire.Certificate{CertificatePem: "MIIB", ChainCertificatePem: "x"}, "certificatePem"},
		{"root-missing-from-chain", nil, &wire.Certificate{CertificatePem: pemOf(leaf), ChainCertificatePem: pemOf(inter.cert)}, "not a self-signed root"},
		{"leaf-alone", nil, &wire.Certificate{CertificatePem: pemOf(leaf)}, "no root"},
		{"wrong-public-key", nil, &wire.Certificate{CertificatePem: pemOf(otherLeaf), ChainCertificatePem: pemOf(inter.cert, root.cert)}, "CSR's public key"},
		{"chain-ends-in-root-that-is-not-self-signed", nil, &wire.Certificate{CertificatePem: pemOf(fakeLeaf), ChainCertificatePem: pemOf(fakeInter.cert, fakeRoot)}, "not a self-signed root"},
		{"intermediate-not-signing-the-leaf", nil, &wire.Certificate{CertificatePem: pemOf(leaf), ChainCertificatePem: pemOf(otherInter.cert, root.cert)}, "one chain"},
		{"unrelated-extra-certificate", nil, &wire.Certificate{CertificatePem: pemOf(leaf), ChainCertificatePem: pemOf(inter.cert, root.cert, unrelatedRoot.cert)}, "one chain"},
		{"self-signed-certificate-with-the-csr-key", nil, &wire.Certificate{CertificatePem: pemOf(selfSignedLeaf)}, "self-signed certificate only"},
		{"two-leaves", nil, &wire.Certificate{CertificatePem: pemOf(otherLeaf), ChainCertificatePem: pemOf(inter.cert, root.cert, leaf)}, "one chain"},
		{"csr-key-not-at-the-start-of-the-chain", interCSR, &wire.Certificate{CertificatePem: pemOf(otherLeaf), ChainCertificatePem: pemOf(inter.cert, root.cert)}, "does not start the chain"},
		{"path-length-of-root-forbids-intermediate", nil, &wire.Certificate{CertificatePem: pemOf(pathLenLeaf), ChainCertificatePem: pemOf(pathLenInter.cert, pathLenRoot.cert)}, "does not verify"},
		{"intermediate-expired-before-leaf-valid", nil, &wire.Certificate{CertificatePem: pemOf(disjointLeaf), ChainCertificatePem: pemOf(disjointInter.cert, root.cert)}, "does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			csr := csrPEM
			if tt.csr != nil {
				csr = tt.csr
			}
			certificate, ca, err := ChainFromResponse(csr, tt.resp)
			if err == nil {
				t.Fatal("ChainFromResponse accepted a bad answer")
			}
			if !IsRetryable(err) || !errors.Is(err, ErrBadResponse) || IsPermanent(err) {
				t.Errorf("err = %v (%T), want a RetryableError wrapping ErrBadResponse", err, err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not say %q", err, tt.wantIn)
			}
			if certificate != nil || ca != nil {
				t.Errorf("certificate %q, ca %q: want nothing to write", certificate, ca)
			}
		})
	}
}

func TestChainFromResponseChecksTheKeyOfAnRSACSR(t *testing.T) {
	key := rsaKey(t)
	csrPEM := newCSR(t, key, csrSpec{cn: "app.example.com"})
	root := newRoot(t, "Root", certOpts{})
	leaf := issueLeaf(t, root, key.Public(), certOpts{})
	certificate, ca, err := ChainFromResponse(csrPEM, &wire.Certificate{CertificatePem: pemOf(leaf), ChainCertificatePem: pemOf(root.cert)})
	if err != nil {
		t.Fatalf("ChainFromResponse: %v", err)
	}
	if string(certificate) != pemOf(leaf) || string(ca) != pemOf(root.cert) {
		t.Errorf("certificate %q ca %q, want the leaf and the root", certificate, ca)
	}
}

func TestChainFromResponseRejectsAnInvalidCSR(t *testing.T) {
	root := newRoot(t, "Root", certOpts{})
	_, _, err := ChainFromResponse([]byte("not a csr"), &wire.Certificate{CertificatePem: pemOf(root.cert)})
	var p *PermanentError
	if !errors.As(err, &p) || p.Reason != v1alpha1.ReasonInvalidCSR {
		t.Fatalf("err = %v (%T), want a PermanentError with reason %s", err, err, v1alpha1.ReasonInvalidCSR)
	}
}

// TestChainFromResponseVerifiesTheLeafAgainstTheRoot checks that the
// returned certificate, parsed again, verifies with the returned ca only.
func TestChainFromResponseVerifiesTheLeafAgainstTheRoot(t *testing.T) {
	key := ecKey(t)
	csrPEM := newCSR(t, key, csrSpec{cn: "app.example.com"})
	root := newRoot(t, "Root", certOpts{})
	i1 := newIntermediate(t, "Intermediate 1", root, certOpts{})
	i2 := newIntermediate(t, "Intermediate 2", i1, certOpts{})
	leaf := issueLeaf(t, i2, key.Public(), certOpts{})
	certificate, ca, err := ChainFromResponse(csrPEM, &wire.Certificate{CertificatePem: pemOf(leaf), ChainCertificatePem: pemOf(i1.cert, root.cert, i2.cert)})
	if err != nil {
		t.Fatalf("ChainFromResponse: %v", err)
	}
	if want := pemOf(leaf, i2.cert, i1.cert); string(certificate) != want {
		t.Fatalf("certificate not ordered leaf first by signature:\n%s", certificate)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	inters := x509.NewCertPool()
	inters.AppendCertsFromPEM(certificate)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters}); err != nil {
		t.Errorf("returned chain does not verify: %v", err)
	}
}
