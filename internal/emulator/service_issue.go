package emulator

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// IssueWithTemplate issues a LEAF with a template (POST
// /templates/{templateId}/certificates). In SIGN mode the key is the CSR's;
// in GENERATE mode a key of the template's keyInfo is made and returned once
// in privateKey (privateKeyFormat), never kept. The rules are in
// leafpolicy.go. Errors: 400 naming the field, 404 unknown store or
// template, 409 issuer revoked or expired.
func (s *service) IssueWithTemplate(actor string, storeID, templateID int64, req wire.IssueRequest) (wire.Certificate, *apiError) {
	var csr *x509.CertificateRequest
	var generated crypto.Signer
	switch req.Mode {
	case wire.ModeSign:
		var err *apiError
		if csr, err = parseCSR(req.Csr); err != nil {
			return wire.Certificate{}, err
		}
		s.attempts.add(csr.PublicKey)
	case wire.ModeGenerate:
		// Make the key before taking the lock; a template that is not
		// there is answered below, under the lock.
		if tmpl, ok, _ := s.db.GetTemplate(templateID); ok {
			key, err := generateKey(tmpl.Request.KeyInfo)
			if err != nil {
				return wire.Certificate{}, errInternal("generate key", err)
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
		pub = csr.PublicKey
	} else {
		pub = generated.Public()
	}
	if csr != nil {
		if err := checkCSRKey(tmpl.Request.KeyInfo, csr.PublicKey); err != nil {
			return wire.Certificate{}, err
		}
	}
	// The chain first: a failure after signLeaf would leave a kept leaf
	// that nobody was given.
	chain, err := s.chainBelow(issuer, req.Mode == wire.ModeSign && req.RemoveRootsFromChain)
	if err != nil {
		return wire.Certificate{}, err
	}
	rec, cert, err := s.signLeaf(actor, store, tmpl, issuer, req, csr, pub)
	if err != nil {
		return wire.Certificate{}, err
	}
	d := s.describeRecord(rec, cert, chain)
	s.issued.add(pub)
	applyFormat(&d, rec.DER, req.Format)
	if generated != nil {
		if d.PrivateKey, err = privateKeyField(generated, req.PrivateKeyFormat); err != nil {
			return wire.Certificate{}, err
		}
	}
	return d, nil
}

// signLeaf makes the leaf and keeps it when the template's storeInServer is
// set. An unkept leaf gets certificateId 0 (assumed).
func (s *service) signLeaf(actor string, store storeRecord, tmpl templateRecord, issuer issuerCA, req wire.IssueRequest, csr *x509.CertificateRequest, pub crypto.PublicKey) (certRecord, *x509.Certificate, *apiError) {
	t := tmpl.Request
	cn, err := leafCommonName(t, req, csr)
	if err != nil {
		return certRecord{}, nil, err
	}
	subject, err := leafSubject(t, req, csr, cn)
	if err != nil {
		return certRecord{}, nil, err
	}
	sans, err := leafSANs(t, req, csr, cn)
	if err != nil {
		return certRecord{}, nil, err
	}
	now := s.now()
	notBefore, expiry, err := leafValidity(t, req, now, issuer.cert.NotAfter)
	if err != nil {
		return certRecord{}, nil, err
	}
	ku, eku, ekuOIDs, policies := leafUsages(t)
	issuerAlg, _ := describeKey(issuer.cert.PublicKey)
	profile := certProfile{
		Subject: subject, NotBefore: notBefore, NotAfter: expiry,
		BasicConstraintsValid: t.BasicConstraintsValidForNonCa,
		KeyUsage:              ku, ExtKeyUsage: eku, UnknownExtKeyUsage: ekuOIDs, Policies: policies,
		SANs:               sans,
		SignatureAlgorithm: signatureAlgorithms[templateSignatureAlgorithm(issuerAlg, t.SignatureBits)].x509,
	}
	profile.CRLURL, profile.OCSPURL = s.revocationURLs(store, issuer.rec.ID)
	if profile.Serial, err = s.newSerialFor(issuer.rec.ID); err != nil {
		return certRecord{}, nil, err
	}
	cert, signErr := issueLeaf(profile, pub, issuer.cert, issuer.key)
	if signErr != nil {
		return certRecord{}, nil, errValidation("csr", "cannot sign: %v", signErr)
	}
	rec := certRecord{
		StoreID: tmpl.StoreID, ParentID: issuer.rec.ID, TemplateID: tmpl.ID, Type: wire.TypeLeaf,
		Name: cn, DER: cert.Raw, Created: now, CreatedBy: actor,
	}
	if !*t.StoreInServer {
		// Not kept, but its serial is: it stays unique, and OCSP knows it.
		if err := s.db.PutSerial(issuer.rec.ID, cert.SerialNumber.Bytes(), 0); err != nil {
			return certRecord{}, nil, errInternal("record serial number", err)
		}
		return rec, cert, nil
	}
	id, idErr := s.db.NextID(kindCert)
	if idErr != nil {
		return certRecord{}, nil, errInternal("new certificate id", idErr)
	}
	rec.ID = id
	if err := s.keepCert(rec, issuer.rec.ID, cert); err != nil {
		return certRecord{}, nil, err
	}
	return rec, cert, nil
}

// applyFormat writes certificatePem per the format field. Assumed: DER is
// the base64 of the DER; PEM_BUNDLE is the leaf's PEM followed by the chain;
// anything else (PEM, unknown, empty) is the leaf's PEM, as the guide says
// unknown values fall back to PEM.
func applyFormat(d *wire.Certificate, der []byte, format string) {
	switch format {
	case wire.FormatDER:
		d.CertificatePem = base64.StdEncoding.EncodeToString(der)
	case wire.FormatPEMBundle:
		d.CertificatePem = pemCert(der) + d.ChainCertificatePem
	}
}

// privateKeyField encodes a generated key for the response.
func privateKeyField(key crypto.Signer, format string) (string, *apiError) {
	s, err := encodePrivateKey(key, format)
	if err != nil {
		return "", errInternal("encode private key", err)
	}
	return s, nil
}
