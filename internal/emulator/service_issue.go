package emulator

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	"github.com/nhnpca/pca-issuer/internal/emulator/ca"
	"github.com/nhnpca/pca-issuer/internal/emulator/db"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// IssueWithTemplate issues a LEAF with a template (POST
// /templates/{templateId}/certificates). In SIGN mode the key is the CSR's;
// in GENERATE mode a key of the template's keyInfo is made and returned once
// in privateKey (privateKeyFormat), never kept. The rules are in
// leafpolicy.go. Errors: refused naming the field, not found for an unknown
// store or template, conflict for an issuer revoked or expired.
func (s *service) IssueWithTemplate(actor string, storeID, templateID int64, req wire.IssueRequest) (wire.Certificate, error) {
	var csr *x509.CertificateRequest
	var generated crypto.Signer
	switch req.Mode {
	case wire.ModeSign:
		var err error
		if csr, err = parseCSR(req.Csr); err != nil {
			return wire.Certificate{}, err
		}
		s.attempts.add(csr.PublicKey)
	case wire.ModeGenerate:
		// Make the key before taking the lock; a template that is not
		// there is answered below, under the lock.
		if tmpl, ok, _ := s.db.GetTemplate(templateID); ok {
			key, err := ca.GenerateKey(tmpl.Request.KeyInfo)
			if err != nil {
				return wire.Certificate{}, fmt.Errorf("generate key: %w", err)
			}
			generated = key
		}
	case "":
		return wire.Certificate{}, errValidation("mode", "required")
	default:
		return wire.Certificate{}, errValidation("mode", "GENERATE or SIGN, got %q", req.Mode)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	store, err := s.loadStore(storeID)
	if err != nil {
		return wire.Certificate{}, err
	}
	tmpl, err := s.loadTemplate(storeID, templateID)
	if err != nil {
		return wire.Certificate{}, err
	}
	issuer, err := s.loadIssuer(storeID, tmpl.Request.ParentCertID, "parentCertId")
	if err != nil {
		return wire.Certificate{}, err
	}
	var pub crypto.PublicKey
	if csr != nil {
		if err := checkCSRKey(tmpl.Request.KeyInfo, csr.PublicKey); err != nil {
			return wire.Certificate{}, err
		}
		pub = csr.PublicKey
	} else {
		pub = generated.Public()
	}
	// The chain first: a failure after signLeaf would leave a kept leaf
	// that nobody was given.
	above, err := s.chainOf(issuer.rec)
	if err != nil {
		return wire.Certificate{}, err
	}
	chain := pemChain(append([]db.Cert{issuer.rec}, above...), req.Mode == wire.ModeSign && req.RemoveRootsFromChain)
	rec, cert, err := s.signLeaf(actor, store, tmpl, issuer, req, csr, pub)
	if err != nil {
		return wire.Certificate{}, err
	}
	d := s.describeRecord(rec, cert, chain)
	s.issued.add(pub)
	applyFormat(&d, rec.DER, req.Format)
	if generated != nil {
		if d.PrivateKey, err = ca.EncodePrivateKey(generated, req.PrivateKeyFormat); err != nil {
			return wire.Certificate{}, fmt.Errorf("encode private key: %w", err)
		}
	}
	return d, nil
}

// signLeaf makes the leaf and keeps it when the template's storeInServer is
// set. An unkept leaf gets certificateId 0 (docs/pca-api.md, A24).
func (s *service) signLeaf(actor string, store db.Store, tmpl db.Template, issuer issuerCA, req wire.IssueRequest, csr *x509.CertificateRequest, pub crypto.PublicKey) (db.Cert, *x509.Certificate, error) {
	t := tmpl.Request
	cn, err := leafCommonName(t, req, csr)
	if err != nil {
		return db.Cert{}, nil, err
	}
	subject, err := leafSubject(t, req, csr, cn)
	if err != nil {
		return db.Cert{}, nil, err
	}
	sans, err := leafSANs(t, req, csr, cn)
	if err != nil {
		return db.Cert{}, nil, err
	}
	now := s.now()
	notBefore, expiry, err := leafValidity(t, req, now, issuer.Cert.NotAfter)
	if err != nil {
		return db.Cert{}, nil, err
	}
	ku, eku, ekuOIDs, policies := leafUsages(t)
	issuerAlg, _ := ca.DescribeKey(issuer.Cert.PublicKey)
	profile := ca.Profile{
		Subject: subject, NotBefore: notBefore, NotAfter: expiry,
		BasicConstraintsValid: t.BasicConstraintsValidForNonCa,
		KeyUsage:              ku, ExtKeyUsage: eku, UnknownExtKeyUsage: ekuOIDs, Policies: policies,
		SANs:               sans,
		SignatureAlgorithm: ca.SignatureAlgorithms[ca.TemplateSignatureAlgorithm(issuerAlg, t.SignatureBits)].X509,
	}
	profile.CRLURL, profile.OCSPURL = s.revocationURLs(store, issuer.rec.ID)
	if profile.Serial, err = s.newSerialFor(issuer.rec.ID); err != nil {
		return db.Cert{}, nil, err
	}
	cert, err := ca.Issue(profile, pub, issuer.Issuer)
	if err != nil {
		return db.Cert{}, nil, errValidation("csr", "cannot sign: %v", err)
	}
	rec := db.Cert{
		StoreID: tmpl.StoreID, ParentID: issuer.rec.ID, TemplateID: tmpl.ID, Type: wire.TypeLeaf,
		Name: cn, DER: cert.Raw, Created: now, CreatedBy: actor,
	}
	if !*t.StoreInServer {
		// Not kept, but its serial is: it stays unique, and OCSP knows it.
		if err := s.db.PutSerial(issuer.rec.ID, cert.SerialNumber.Bytes(), 0); err != nil {
			return db.Cert{}, nil, fmt.Errorf("record serial number: %w", err)
		}
		return rec, cert, nil
	}
	id, err := s.db.NextID(db.KindCert)
	if err != nil {
		return db.Cert{}, nil, fmt.Errorf("new certificate id: %w", err)
	}
	rec.ID = id
	if err := s.keepCert(rec, issuer.rec.ID, cert); err != nil {
		return db.Cert{}, nil, err
	}
	return rec, cert, nil
}

// applyFormat writes certificatePem per the format field (docs/pca-api.md,
// A25); an unknown value means PEM.
func applyFormat(d *wire.Certificate, der []byte, format string) {
	switch format {
	case wire.FormatDER:
		d.CertificatePem = base64.StdEncoding.EncodeToString(der)
	case wire.FormatPEMBundle:
		d.CertificatePem = ca.CertPEM(der) + d.ChainCertificatePem
	}
}
