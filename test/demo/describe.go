package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/nhnpca/pca-issuer/internal/signer"
)

// describe prints the leaf's subject, key, SANs and validity and the issuer
// chain, then verifies the chain against the root.
func describe(tlsCrt, caCrt []byte, dir string) error {
	chain, err := parse(tlsCrt)
	if err != nil {
		return fmt.Errorf("tls.crt: %w", err)
	}
	roots, err := parse(caCrt)
	if err != nil {
		return fmt.Errorf("ca.crt: %w", err)
	}
	if len(chain) == 0 || len(roots) != 1 {
		return fmt.Errorf("tls.crt holds %d certificates and ca.crt %d; want a chain and one root", len(chain), len(roots))
	}
	leaf := chain[0]
	fmt.Println()
	fmt.Printf("  subject:   %s\n", leaf.Subject)
	fmt.Printf("  key:       %s (the issuer chose the template whose keyInfo takes it)\n", signer.DescribeKey(leaf.PublicKey))
	fmt.Printf("  DNS SANs:  %s\n", strings.Join(leaf.DNSNames, ", "))
	fmt.Printf("  IP SANs:   %s\n", joinIPs(leaf))
	fmt.Printf("  serial:    %s\n", strings.ReplaceAll(fmt.Sprintf("% X", leaf.SerialNumber.Bytes()), " ", ":"))
	fmt.Printf("  validity:  %s .. %s (%s, notBefore back-dated by the template)\n",
		leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339), leaf.NotAfter.Sub(leaf.NotBefore))
	fmt.Println("  chain:")
	for i, c := range chain {
		fmt.Printf("    tls.crt[%d] %s\n               issued by %s\n", i, c.Subject, c.Issuer)
	}
	fmt.Printf("    ca.crt     %s (self-signed root)\n", roots[0].Subject)
	fmt.Println()
	pool, inter := x509.NewCertPool(), x509.NewCertPool()
	pool.AddCert(roots[0])
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		return fmt.Errorf("the chain does not verify: %w", err)
	}
	progress("chain verified: leaf -> %d intermediate(s) -> root %q", len(chain)-1, roots[0].Subject.CommonName)
	crt, ca := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "ca.crt")
	progress("check it yourself: openssl verify -CAfile %s -untrusted %s %s", ca, crt, crt)
	return nil
}

func parse(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate")
	}
	return out, nil
}

func joinIPs(c *x509.Certificate) string {
	ips := make([]string, len(c.IPAddresses))
	for i, ip := range c.IPAddresses {
		ips[i] = ip.String()
	}
	return strings.Join(ips, ", ")
}
