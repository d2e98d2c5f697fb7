package emulator

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"math/big"

	"github.com/nhnpca/pca-issuer/internal/emulator/ca"
	"github.com/nhnpca/pca-issuer/internal/emulator/db"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// Range and default of maxDepth (docs/pca-api.md, Request limits).
const (
	defaultMaxDepth = 0
	maxMaxDepth     = 3
)

// issuerPlan is a checked issuer-certificate request.
type issuerPlan struct {
	req      wire.IssuerCertRequest
	keyInfo  wire.KeyInfo
	backDate int64 // seconds
	maxDepth int
	sans     ca.SANs
}

// checkIssuerRequest validates POST /certs before any key is made.
func checkIssuerRequest(req wire.IssuerCertRequest) (issuerPlan, error) {
	p := issuerPlan{req: req, maxDepth: defaultMaxDepth}
	if req.CertificateType != wire.TypeRoot && req.CertificateType != wire.TypeIntermediate {
		return p, errValidation("certificateType", "ROOT or INTERMEDIATE, got %q", req.CertificateType)
	}
	if req.CertificateType == wire.TypeIntermediate && req.ParentCertID == 0 {
		return p, errValidation("parentCertId", "required for INTERMEDIATE")
	}
	if err := checkNameDescription(req.Name, req.Description); err != nil {
		return p, err
	}
	if req.SubjectInfo.CommonName == "" {
		return p, errValidation("subjectInfo.commonName", "required")
	}
	if err := checkSubjectInfo(req.SubjectInfo); err != nil {
		return p, err
	}
	var err error
	if p.keyInfo, err = checkKeyInfo(req.KeyInfo); err != nil {
		return p, err
	}
	if err := checkSignatureAlgorithm(req.SignatureAlgorithm, p.keyInfo.Algorithm); err != nil {
		return p, err
	}
	bd, err := backDate(req.BackDateValidation)
	if err != nil {
		return p, err
	}
	p.backDate = int64(bd.Seconds())
	if req.MaxDepth != nil {
		if *req.MaxDepth < -1 || *req.MaxDepth > maxMaxDepth {
			return p, errValidation("maxDepth", "between -1 and %d, got %d", maxMaxDepth, *req.MaxDepth)
		}
		p.maxDepth = *req.MaxDepth
	}
	if p.sans, err = parseSANs(req.Sans, req.IPSans, req.URLSans); err != nil {
		return p, err
	}
	if err := checkOidInfos("otherSans", req.OtherSans); err != nil {
		return p, err
	}
	p.sans.Other = req.OtherSans
	p.sans.DNS = withCommonName(p.sans.DNS, req.SubjectInfo.CommonName, req.ExcludeCommonNameFromSans)
	return p, nil
}

// CreateIssuerCert issues a ROOT (self-signed) or INTERMEDIATE (signed by
// parentCertId, a CA of the same store) and keeps its key (POST /certs).
// Errors: refused naming the field, not found for an unknown store, conflict for a parent revoked or
// expired.
func (s *service) CreateIssuerCert(actor string, storeID int64, req wire.IssuerCertRequest) (wire.Certificate, error) {
	plan, err := checkIssuerRequest(req)
	if err != nil {
		return wire.Certificate{}, err
	}
	// Key generation is slow (RSA 4096); do it before taking the lock.
	key, err := ca.GenerateKey(plan.keyInfo)
	if err != nil {
		return wire.Certificate{}, fmt.Errorf("generate key: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	store, err := s.loadStore(storeID)
	if err != nil {
		return wire.Certificate{}, err
	}
	rec, err := s.signIssuer(actor, store, plan, key)
	if err != nil {
		return wire.Certificate{}, err
	}
	return s.certDetail(rec, false, false)
}

// signIssuer makes and keeps the certificate of a checked plan.
func (s *service) signIssuer(actor string, store db.Store, plan issuerPlan, key crypto.Signer) (db.Cert, error) {
	now := s.now()
	expiry, given, err := notAfter(now, plan.req.TTLValue, plan.req.SpecificDate)
	if err != nil {
		return db.Cert{}, err
	}
	if !given {
		return db.Cert{}, errValidation("ttlValue", "either ttlValue or specificDate is required")
	}
	subject, err := ca.SubjectName(plan.req.SubjectInfo, nil)
	if err != nil {
		return db.Cert{}, errValidation("subjectInfo", "%v", err)
	}
	profile := ca.Profile{
		Subject:            subject,
		NotBefore:          now.Add(-secondsDuration(plan.backDate)),
		NotAfter:           expiry,
		IsCA:               true,
		MaxPathLen:         plan.maxDepth,
		KeyUsage:           ca.CAKeyUsage,
		SANs:               plan.sans,
		SignatureAlgorithm: ca.SignatureAlgorithms[plan.req.SignatureAlgorithm].X509,
	}
	var parent issuerCA
	if plan.req.CertificateType == wire.TypeIntermediate {
		if parent, err = s.loadIssuer(store.ID, plan.req.ParentCertID, "parentCertId"); err != nil {
			return db.Cert{}, err
		}
		if err := checkPathLength(parent.Cert, plan.maxDepth); err != nil {
			return db.Cert{}, err
		}
		if certTime(expiry).After(parent.Cert.NotAfter) {
			return db.Cert{}, errValidation(expiryField(plan.req.SpecificDate), "notAfter %s would pass the parent certificate's notAfter %s",
				wire.NewDateTime(expiry).Format(wire.DateTimeLayout), wire.NewDateTime(parent.Cert.NotAfter).Format(wire.DateTimeLayout))
		}
		profile.CRLURL, profile.OCSPURL = s.revocationURLs(store, parent.rec.ID)
		profile.SignatureAlgorithm = ca.SignerAlgorithm(profile.SignatureAlgorithm, parent.Cert.PublicKeyAlgorithm)
	}
	id, err := s.db.NextID(db.KindCert)
	if err != nil {
		return db.Cert{}, fmt.Errorf("new certificate id: %w", err)
	}
	// A ROOT is its own issuer: its serial is unique among its own.
	issuerID, signer := id, ca.Issuer{Key: key}
	if parent.Cert != nil {
		issuerID, signer = parent.rec.ID, parent.Issuer
	}
	if profile.Serial, err = s.newSerialFor(issuerID); err != nil {
		return db.Cert{}, err
	}
	cert, err := ca.Issue(profile, key.Public(), signer)
	if err != nil {
		return db.Cert{}, fmt.Errorf("issue certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return db.Cert{}, fmt.Errorf("keep key: %w", err)
	}
	rec := db.Cert{
		ID: id, StoreID: store.ID, ParentID: parent.rec.ID, Type: plan.req.CertificateType,
		Name: plan.req.Name, Description: plan.req.Description,
		DER: cert.Raw, KeyPKCS8: pkcs8, Created: now, CreatedBy: actor,
	}
	if err := s.keepCert(rec, issuerID, cert); err != nil {
		return db.Cert{}, err
	}
	return rec, nil
}

// keepCert writes a certificate and records its serial under its issuer.
func (s *service) keepCert(rec db.Cert, issuerID int64, cert *x509.Certificate) error {
	if err := s.db.PutCert(rec); err != nil {
		return fmt.Errorf("write certificate: %w", err)
	}
	if err := s.db.PutSerial(issuerID, cert.SerialNumber.Bytes(), rec.ID); err != nil {
		return fmt.Errorf("record serial number: %w", err)
	}
	return nil
}

// newSerialFor draws random serials (ca.NewSerial) until one is new for the
// issuer, so serials are unique per issuer (RFC 5280 4.1.2.2).
func (s *service) newSerialFor(issuerID int64) (*big.Int, error) {
	for range 16 {
		n, err := ca.NewSerial()
		if err != nil {
			return nil, fmt.Errorf("serial number: %w", err)
		}
		_, used, err := s.db.GetSerial(issuerID, n.Bytes())
		if err != nil {
			return nil, fmt.Errorf("read serial numbers: %w", err)
		}
		if !used {
			return n, nil
		}
	}
	return nil, fmt.Errorf("serial number: no free serial number for issuer %d", issuerID)
}

// checkPathLength refuses an INTERMEDIATE that its parent's path length
// constraint (RFC 5280 4.2.1.9) forbids, or whose own maxDepth would reach
// past it (docs/pca-api.md, A23).
func checkPathLength(parent *x509.Certificate, maxDepth int) error {
	limit := parent.MaxPathLen
	if limit == 0 && !parent.MaxPathLenZero {
		limit = -1
	}
	switch {
	case limit == -1:
		return nil
	case limit == 0:
		return errValidation("parentCertId", "the parent's maxDepth is 0: it cannot sign an INTERMEDIATE")
	case maxDepth == -1 || maxDepth >= limit:
		return errValidation("maxDepth", "must be below the parent's maxDepth %d, got %d", limit, maxDepth)
	}
	return nil
}

// expiryField names the request field that set notAfter.
func expiryField(specificDate string) string {
	if specificDate != "" {
		return "specificDate"
	}
	return "ttlValue"
}

// GetCert returns a certificate's detail with its children (GET
// /certs/{certId}), or not found. Leaves issued with storeInServer=false are not
// kept and so are not found (docs/pca-api.md, A24).
func (s *service) GetCert(storeID, certID int64) (wire.Certificate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return wire.Certificate{}, err
	}
	rec, err := s.loadCert(storeID, certID)
	if err != nil {
		return wire.Certificate{}, err
	}
	return s.certDetail(rec, false, true)
}

// ListCerts returns a page of a store's certificates of a type (all,
// issuer, leaf) whose Common Name matches opts.Search (GET /certs).
func (s *service) ListCerts(storeID int64, typ string, opts wire.ListOptions) (wire.CertificateList, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return wire.CertificateList{}, err
	}
	recs, err := s.db.ListCerts(storeID)
	if err != nil {
		return wire.CertificateList{}, fmt.Errorf("list certificates: %w", err)
	}
	now := s.now()
	items := []wire.CertificateListItem{}
	for _, rec := range recs {
		isLeaf := rec.Type == wire.TypeLeaf
		if (typ == wire.ListTypeIssuer && isLeaf) || (typ == wire.ListTypeLeaf && !isLeaf) {
			continue
		}
		cert, err := x509.ParseCertificate(rec.DER)
		if err != nil {
			return wire.CertificateList{}, fmt.Errorf("parse certificate: %w", err)
		}
		if !matchesSearch(opts.Search, cert.Subject.CommonName) {
			continue
		}
		items = append(items, wire.CertificateListItem{
			ID: rec.ID, Name: rec.Name, Type: rec.Type, CommonName: cert.Subject.CommonName,
			SerialNumber: wire.FormatSerial(cert.SerialNumber), Status: certStatus(rec, cert, now),
			NotBefore: wire.NewDateTime(cert.NotBefore), NotAfter: wire.NewDateTime(cert.NotAfter),
			IsLeaf: isLeaf, CreationDatetime: wire.NewDateTime(rec.Created), CreationUser: rec.CreatedBy,
		})
	}
	page, p := paginate(items, opts)
	return wire.CertificateList{ListCerts: page, Page: p}, nil
}

// RevokeCert marks a certificate REVOKED and keeps the time (POST
// /certs/{certId}/revoke). Not found for an unknown
// id, a conflict when already revoked (docs/pca-api.md, A27).
func (s *service) RevokeCert(storeID, certID int64) (wire.RevokeResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return wire.RevokeResult{}, err
	}
	rec, err := s.loadCert(storeID, certID)
	if err != nil {
		return wire.RevokeResult{}, err
	}
	if !rec.Revoked.IsZero() {
		return wire.RevokeResult{}, errConflict("certificate %d is already REVOKED", certID)
	}
	cert, err := x509.ParseCertificate(rec.DER)
	if err != nil {
		return wire.RevokeResult{}, fmt.Errorf("parse certificate: %w", err)
	}
	rec.Revoked = s.now()
	if err := s.db.PutCert(rec); err != nil {
		return wire.RevokeResult{}, fmt.Errorf("write certificate: %w", err)
	}
	return wire.RevokeResult{Result: true, SerialNumber: wire.FormatSerial(cert.SerialNumber), RevocationDatetime: wire.NewDateTime(rec.Revoked)}, nil
}

// certDetail is the wire detail of a kept certificate, read from its DER.
// withoutRoot leaves the root out of chainCertificatePem; withChildren fills
// childCertificateList.
func (s *service) certDetail(rec db.Cert, withoutRoot, withChildren bool) (wire.Certificate, error) {
	cert, err := x509.ParseCertificate(rec.DER)
	if err != nil {
		return wire.Certificate{}, fmt.Errorf("parse certificate: %w", err)
	}
	chain, err := s.chainOf(rec)
	if err != nil {
		return wire.Certificate{}, err
	}
	d := s.describeRecord(rec, cert, pemChain(chain, withoutRoot))
	if withChildren {
		if d.ChildCertificateList, err = s.children(rec); err != nil {
			return wire.Certificate{}, err
		}
	}
	return d, nil
}

// describeRecord is the wire detail of rec, whose DER cert was parsed
// from (or, for a new leaf, signed as), with chainPEM as its
// chainCertificatePem.
func (s *service) describeRecord(rec db.Cert, cert *x509.Certificate, chainPEM string) wire.Certificate {
	d := describeCert(cert)
	d.CertificateID, d.Name, d.Description, d.Type = rec.ID, rec.Name, rec.Description, rec.Type
	d.Status = certStatus(rec, cert, s.now())
	d.ChainCertificatePem = chainPEM
	if len(cert.CRLDistributionPoints) > 0 {
		d.CRLURL = cert.CRLDistributionPoints[0]
	}
	if len(cert.OCSPServer) > 0 {
		d.OCSPURL = cert.OCSPServer[0]
	}
	return d
}

// describeCert fills the detail fields that the certificate itself tells.
func describeCert(cert *x509.Certificate) wire.Certificate {
	alg, bits := ca.DescribeKey(cert.PublicKey)
	policies := []string{}
	for _, p := range cert.Policies {
		policies = append(policies, p.String())
	}
	return wire.Certificate{
		CommonName:         cert.Subject.CommonName,
		SerialNumber:       wire.FormatSerial(cert.SerialNumber),
		SubjectInfo:        ca.SubjectInfoOf(cert.Subject),
		NotAfterDateTime:   wire.NewDateTime(cert.NotAfter),
		NotBeforeDateTime:  wire.NewDateTime(cert.NotBefore),
		KeyAlgorithm:       alg,
		KeyLength:          bits,
		KeyUsage:           ca.KeyUsageNames(cert.KeyUsage),
		ExtendedKeyUsage:   ca.ExtKeyUsageNames(cert.ExtKeyUsage),
		CertificatePem:     ca.CertPEM(cert.Raw),
		SignatureAlgorithm: ca.SignatureAlgorithmName(cert.SignatureAlgorithm),
		IsLeaf:             !cert.IsCA,
		Policies:           policies,
	}
}

// children lists the kept certificates a certificate issued.
func (s *service) children(rec db.Cert) ([]wire.ChildCertificate, error) {
	recs, err := s.db.ListCerts(rec.StoreID)
	if err != nil {
		return nil, fmt.Errorf("list certificates: %w", err)
	}
	out := []wire.ChildCertificate{}
	for _, c := range recs {
		if c.ParentID != rec.ID {
			continue
		}
		cert, err := x509.ParseCertificate(c.DER)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		out = append(out, wire.ChildCertificate{
			CertificateID: c.ID, Name: c.Name, Description: c.Description, CN: cert.Subject.CommonName,
			SerialNumber: wire.FormatSerial(cert.SerialNumber), IsLeaf: c.Type == wire.TypeLeaf,
		})
	}
	return out, nil
}

// DownloadCert returns a kept certificate's name and PEM (GET
// /certs/{certId}/download), or not found.
func (s *service) DownloadCert(storeID, certID int64) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return "", "", err
	}
	rec, err := s.loadCert(storeID, certID)
	if err != nil {
		return "", "", err
	}
	return rec.Name, ca.CertPEM(rec.DER), nil
}
