package emulator

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"math/big"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// Seed range and default of maxDepth.
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
	sans     sanSet
}

// checkIssuerRequest validates POST /certs before any key is made.
func checkIssuerRequest(req wire.IssuerCertRequest) (issuerPlan, *apiError) {
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
	var err *apiError
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
// Errors: 400 naming the field, 404 unknown store, 409 parent revoked or
// expired.
func (s *service) CreateIssuerCert(actor string, storeID int64, req wire.IssuerCertRequest) (wire.Certificate, *apiError) {
	plan, err := checkIssuerRequest(req)
	if err != nil {
		return wire.Certificate{}, err
	}
	// Key generation is slow (RSA 4096); do it before taking the lock.
	key, genErr := generateKey(plan.keyInfo)
	if genErr != nil {
		return wire.Certificate{}, errInternal("generate key", genErr)
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
func (s *service) signIssuer(actor string, store storeRecord, plan issuerPlan, key crypto.Signer) (certRecord, *apiError) {
	now := s.now()
	expiry, given, err := notAfter(now, plan.req.TTLValue, plan.req.SpecificDate)
	if err != nil {
		return certRecord{}, err
	}
	if !given {
		return certRecord{}, errValidation("ttlValue", "either ttlValue or specificDate is required")
	}
	subject, subjErr := subjectName(plan.req.SubjectInfo, nil)
	if subjErr != nil {
		return certRecord{}, errValidation("subjectInfo", "%v", subjErr)
	}
	profile := certProfile{
		Subject:            subject,
		NotBefore:          now.Add(-secondsDuration(plan.backDate)),
		NotAfter:           expiry,
		IsCA:               true,
		MaxPathLen:         plan.maxDepth,
		KeyUsage:           caKeyUsage,
		SANs:               plan.sans,
		SignatureAlgorithm: signatureAlgorithms[plan.req.SignatureAlgorithm].x509,
	}
	var parent issuerCA
	if plan.req.CertificateType == wire.TypeIntermediate {
		if parent, err = s.loadIssuer(store.ID, plan.req.ParentCertID, "parentCertId"); err != nil {
			return certRecord{}, err
		}
		if err := checkPathLength(parent.cert, plan.maxDepth); err != nil {
			return certRecord{}, err
		}
		if certTime(expiry).After(parent.cert.NotAfter) {
			return certRecord{}, errValidation(expiryField(plan.req.SpecificDate), "notAfter %s would pass the parent certificate's notAfter %s",
				wire.NewDateTime(expiry).Format(wire.DateTimeLayout), wire.NewDateTime(parent.cert.NotAfter).Format(wire.DateTimeLayout))
		}
		profile.CRLURL, profile.OCSPURL = s.revocationURLs(store, parent.rec.ID)
		profile.SignatureAlgorithm = signerAlgorithm(profile.SignatureAlgorithm, parent.cert.PublicKeyAlgorithm)
	}
	id, idErr := s.db.NextID(kindCert)
	if idErr != nil {
		return certRecord{}, errInternal("new certificate id", idErr)
	}
	// A ROOT is its own issuer: its serial is unique among its own.
	issuerID, signer, issuerCert := id, key, (*x509.Certificate)(nil)
	if parent.cert != nil {
		issuerID, signer, issuerCert = parent.rec.ID, parent.key, parent.cert
	}
	if profile.Serial, err = s.newSerialFor(issuerID); err != nil {
		return certRecord{}, err
	}
	cert, signErr := issueCertificate(profile, key.Public(), issuerCert, signer)
	if signErr != nil {
		return certRecord{}, errInternal("issue certificate", signErr)
	}
	pkcs8, mErr := x509.MarshalPKCS8PrivateKey(key)
	if mErr != nil {
		return certRecord{}, errInternal("keep key", mErr)
	}
	rec := certRecord{
		ID: id, StoreID: store.ID, ParentID: parent.rec.ID, Type: plan.req.CertificateType,
		Name: plan.req.Name, Description: plan.req.Description,
		DER: cert.Raw, KeyPKCS8: pkcs8, Created: now, CreatedBy: actor,
	}
	if err := s.keepCert(rec, issuerID, cert); err != nil {
		return certRecord{}, err
	}
	return rec, nil
}

// keepCert writes a certificate and records its serial under its issuer.
func (s *service) keepCert(rec certRecord, issuerID int64, cert *x509.Certificate) *apiError {
	if err := s.db.PutCert(rec); err != nil {
		return errInternal("write certificate", err)
	}
	if err := s.db.PutSerial(issuerID, cert.SerialNumber.Bytes(), rec.ID); err != nil {
		return errInternal("record serial number", err)
	}
	return nil
}

// newSerialFor draws random serials (newSerial) until one is new for the
// issuer, so serials are unique per issuer (RFC 5280 4.1.2.2).
func (s *service) newSerialFor(issuerID int64) (*big.Int, *apiError) {
	for range 16 {
		n, err := newSerial()
		if err != nil {
			return nil, errInternal("serial number", err)
		}
		_, used, err := s.db.GetSerial(issuerID, n.Bytes())
		if err != nil {
			return nil, errInternal("read serial numbers", err)
		}
		if !used {
			return n, nil
		}
	}
	return nil, errInternal("serial number", fmt.Errorf("no free serial number for issuer %d", issuerID))
}

// checkPathLength refuses an INTERMEDIATE that its parent's path length
// constraint (RFC 5280 4.2.1.9) forbids, or whose own maxDepth would reach
// past it (assumed: refused rather than trimmed).
func checkPathLength(parent *x509.Certificate, maxDepth int) *apiError {
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
// /certs/{certId}), or 404. Leaves issued with storeInServer=false are not
// kept and so answer 404.
func (s *service) GetCert(storeID, certID int64) (wire.Certificate, *apiError) {
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
func (s *service) ListCerts(storeID int64, typ string, opts wire.ListOptions) (wire.CertificateList, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return wire.CertificateList{}, err
	}
	recs, dbErr := s.db.ListCerts(storeID)
	if dbErr != nil {
		return wire.CertificateList{}, errInternal("list certificates", dbErr)
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
			return wire.CertificateList{}, errInternal("parse certificate", err)
		}
		if !matchesSearch(opts.Search, cert.Subject.CommonName) {
			continue
		}
		items = append(items, wire.CertificateListItem{
			ID: rec.ID, Name: rec.Name, Type: rec.Type, CommonName: cert.Subject.CommonName,
			SerialNumber: formatSerial(cert.SerialNumber), Status: certStatus(rec, cert, now),
			NotBefore: wire.NewDateTime(cert.NotBefore), NotAfter: wire.NewDateTime(cert.NotAfter),
			IsLeaf: isLeaf, CreationDatetime: wire.NewDateTime(rec.Created), CreationUser: rec.CreatedBy,
		})
	}
	page, p := paginate(items, opts)
	return wire.CertificateList{ListCerts: page, Page: p}, nil
}

// RevokeCert marks a certificate REVOKED and keeps the time (POST
// /certs/{certId}/revoke). 404 unknown, 409 already revoked.
func (s *service) RevokeCert(storeID, certID int64) (wire.RevokeResult, *apiError) {
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
	cert, pErr := x509.ParseCertificate(rec.DER)
	if pErr != nil {
		return wire.RevokeResult{}, errInternal("parse certificate", pErr)
	}
	rec.Revoked = s.now()
	if err := s.db.PutCert(rec); err != nil {
		return wire.RevokeResult{}, errInternal("write certificate", err)
	}
	return wire.RevokeResult{Result: true, SerialNumber: formatSerial(cert.SerialNumber), RevocationDatetime: wire.NewDateTime(rec.Revoked)}, nil
}

// certDetail is the wire detail of a kept certificate, read from its DER.
// withoutRoot leaves the root out of chainCertificatePem; withChildren fills
// childCertificateList.
func (s *service) certDetail(rec certRecord, withoutRoot, withChildren bool) (wire.Certificate, *apiError) {
	cert, err := x509.ParseCertificate(rec.DER)
	if err != nil {
		return wire.Certificate{}, errInternal("parse certificate", err)
	}
	chain, aErr := s.chainOf(rec)
	if aErr != nil {
		return wire.Certificate{}, aErr
	}
	d := s.describeRecord(rec, cert, pemChain(chain, withoutRoot))
	if withChildren {
		if d.ChildCertificateList, aErr = s.children(rec); aErr != nil {
			return wire.Certificate{}, aErr
		}
	}
	return d, nil
}

// describeRecord is the wire detail of rec, whose DER cert was parsed
// from (or, for a new leaf, signed as), with chainPEM as its
// chainCertificatePem.
func (s *service) describeRecord(rec certRecord, cert *x509.Certificate, chainPEM string) wire.Certificate {
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
	alg, bits := describeKey(cert.PublicKey)
	policies := []string{}
	for _, p := range cert.Policies {
		policies = append(policies, p.String())
	}
	return wire.Certificate{
		CommonName:         cert.Subject.CommonName,
		SerialNumber:       formatSerial(cert.SerialNumber),
		SubjectInfo:        subjectInfoOf(cert.Subject),
		NotAfterDateTime:   wire.NewDateTime(cert.NotAfter),
		NotBeforeDateTime:  wire.NewDateTime(cert.NotBefore),
		KeyAlgorithm:       alg,
		KeyLength:          bits,
		KeyUsage:           keyUsageNames(cert.KeyUsage),
		ExtendedKeyUsage:   extKeyUsageNames(cert.ExtKeyUsage),
		CertificatePem:     pemCert(cert.Raw),
		SignatureAlgorithm: wireSignatureAlgorithm(cert.SignatureAlgorithm),
		IsLeaf:             !cert.IsCA,
		Policies:           policies,
	}
}

// children lists the kept certificates a certificate issued.
func (s *service) children(rec certRecord) ([]wire.ChildCertificate, *apiError) {
	recs, err := s.db.ListCerts(rec.StoreID)
	if err != nil {
		return nil, errInternal("list certificates", err)
	}
	out := []wire.ChildCertificate{}
	for _, c := range recs {
		if c.ParentID != rec.ID {
			continue
		}
		cert, err := x509.ParseCertificate(c.DER)
		if err != nil {
			return nil, errInternal("parse certificate", err)
		}
		out = append(out, wire.ChildCertificate{
			CertificateID: c.ID, Name: c.Name, Description: c.Description, CN: cert.Subject.CommonName,
			SerialNumber: formatSerial(cert.SerialNumber), IsLeaf: c.Type == wire.TypeLeaf,
		})
	}
	return out, nil
}

// DownloadCert returns a kept certificate's name and PEM (GET
// /certs/{certId}/download), or 404.
func (s *service) DownloadCert(storeID, certID int64) (string, string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return "", "", err
	}
	rec, err := s.loadCert(storeID, certID)
	if err != nil {
		return "", "", err
	}
	return rec.Name, pemCert(rec.DER), nil
}
