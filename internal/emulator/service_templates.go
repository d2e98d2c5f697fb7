package emulator

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator/ca"
	"github.com/nhnpca/pca-issuer/internal/emulator/db"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// signatureBitsAllowed are the signatureBits values; 256 is the default
// (docs/pca-api.md, Templates).
var signatureBitsAllowed = []int{256, 384, 512}

// checkTemplateRequest validates a template request and returns it with the
// defaults of docs/pca-api.md, Templates filled in (backDateValidation 30, storeInServer true,
// signatureBits 256, keyInfo normalized).
func checkTemplateRequest(req wire.TemplateRequest) (wire.TemplateRequest, error) {
	if err := checkNameDescription(req.Name, req.Description); err != nil {
		return req, err
	}
	if req.ParentCertID == 0 {
		return req, errValidation("parentCertId", "required")
	}
	switch {
	case req.MaxTTL != nil && req.MaxSpecificDate != "":
		return req, errValidation("maxTTL", "give either maxTTL or maxSpecificDate, not both")
	case req.MaxTTL != nil:
		if err := checkSeconds("maxTTL", *req.MaxTTL, maxTTLSeconds); err != nil {
			return req, err
		}
	case req.MaxSpecificDate != "":
		if _, err := parseDate("maxSpecificDate", req.MaxSpecificDate); err != nil {
			return req, err
		}
	default:
		return req, errValidation("maxTTL", "either maxTTL or maxSpecificDate is required")
	}
	bd, err := backDate(req.BackDateValidation)
	if err != nil {
		return req, err
	}
	req.BackDateValidation = ptr(int64(bd / time.Second))
	if req.StoreInServer == nil {
		req.StoreInServer = ptr(true)
	}
	if req.SignatureBits == 0 {
		req.SignatureBits = 256
	}
	if !slices.Contains(signatureBitsAllowed, req.SignatureBits) {
		return req, errValidation("signatureBits", "256, 384 or 512, got %d", req.SignatureBits)
	}
	if req.KeyInfo, err = checkKeyInfo(req.KeyInfo); err != nil {
		return req, err
	}
	return req, checkTemplateLists(req)
}

// checkTemplateLists checks the list fields of a template request.
func checkTemplateLists(req wire.TemplateRequest) error {
	for i, w := range req.URLSansWhitelist {
		if w == "" {
			return errValidation(fmt.Sprintf("urlSansWhitelist[%d]", i), "empty")
		}
	}
	for i, w := range req.OtherSansWhitelist {
		f := fmt.Sprintf("otherSansWhitelist[%d]", i)
		if _, err := ca.ParseOID(w.OID); err != nil {
			return errValidation(f+".oid", "%v", err)
		}
		if !ca.IsStringType(w.Type) {
			return errValidation(f+".type", "unknown value %q", w.Type)
		}
		if err := checkLen(f+".value", w.Value, maxOidValueLen); err != nil {
			return err
		}
	}
	checks := []error{
		checkEnum("keyUsage", req.KeyUsage, ca.KeyUsages),
		checkEnum("extendedKeyUsage", req.ExtendedKeyUsage, ca.ExtKeyUsages),
		checkOIDs("extendedKeyUsageOids", req.ExtendedKeyUsageOids),
		checkPolicies(req.Policies),
		checkSubjectInfo(req.SubjectInfo),
		checkOidInfos("otherFields", req.OtherFields),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// CreateTemplate keeps a leaf template under an issuer of the store (POST
// /templates). Errors: refused naming the field (parentCertId must name a ROOT
// or INTERMEDIATE of the store), not found for an unknown store, conflict for a parent revoked or
// expired.
func (s *service) CreateTemplate(actor string, storeID int64, req wire.TemplateRequest) (wire.TemplateCreated, error) {
	req, err := checkTemplateRequest(req)
	if err != nil {
		return wire.TemplateCreated{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return wire.TemplateCreated{}, err
	}
	parent, err := s.loadIssuer(storeID, req.ParentCertID, "parentCertId")
	if err != nil {
		return wire.TemplateCreated{}, err
	}
	attrs, err := templateAttributes(req)
	if err != nil {
		return wire.TemplateCreated{}, fmt.Errorf("template attributes: %w", err)
	}
	id, err := s.db.NextID(db.KindTemplate)
	if err != nil {
		return wire.TemplateCreated{}, fmt.Errorf("new template id: %w", err)
	}
	now := s.now()
	rec := db.Template{ID: id, StoreID: storeID, Request: req, Created: now, CreatedBy: actor, Changed: now, ChangedBy: actor}
	if err := s.db.PutTemplate(rec); err != nil {
		return wire.TemplateCreated{}, fmt.Errorf("write template: %w", err)
	}
	return wire.TemplateCreated{
		TemplateID: id, Name: req.Name, Description: req.Description, Attributes: attrs,
		SigningCertificateID: parent.rec.ID, SigningCertificateName: parent.rec.Name,
	}, nil
}

// ModifyTemplate replaces a template's settings (PUT
// /templates/{templateId}); the body is as create and is checked the same
// way. Certificates already issued are not touched. Errors: as
// CreateTemplate, and not found for an unknown template.
func (s *service) ModifyTemplate(actor string, storeID, templateID int64, req wire.TemplateRequest) (bool, error) {
	req, err := checkTemplateRequest(req)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return false, err
	}
	rec, err := s.loadTemplate(storeID, templateID)
	if err != nil {
		return false, err
	}
	if _, err := s.loadIssuer(storeID, req.ParentCertID, "parentCertId"); err != nil {
		return false, err
	}
	rec.Request, rec.Changed, rec.ChangedBy = req, s.now(), actor
	if err := s.db.PutTemplate(rec); err != nil {
		return false, fmt.Errorf("write template: %w", err)
	}
	return true, nil
}

// DeleteTemplate forgets a template (DELETE /templates/{templateId}): it
// is no longer listed, read or used; the certificates it issued stay.
// Errors: not found for an unknown store or template.
func (s *service) DeleteTemplate(storeID, templateID int64) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return false, err
	}
	if _, err := s.loadTemplate(storeID, templateID); err != nil {
		return false, err
	}
	if err := s.db.DeleteTemplate(templateID); err != nil {
		return false, fmt.Errorf("delete template: %w", err)
	}
	return true, nil
}

// templateAttributes is the attributes field of template create: the
// request (defaults filled) as a JSON string, without name and description.
func templateAttributes(req wire.TemplateRequest) (string, error) {
	raw, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return "", err
	}
	delete(fields, "name")
	delete(fields, "description")
	out, err := json.Marshal(fields) // map keys come out sorted
	return string(out), err
}

// loadTemplate returns a template of a store, or not found.
func (s *service) loadTemplate(storeID, id int64) (db.Template, error) {
	rec, ok, err := s.db.GetTemplate(id)
	if err != nil {
		return db.Template{}, fmt.Errorf("read template: %w", err)
	}
	if !ok || rec.StoreID != storeID {
		return db.Template{}, errNotFound("template", id)
	}
	return rec, nil
}

// GetTemplate returns a template's detail (GET /templates/{templateId}),
// or not found.
func (s *service) GetTemplate(storeID, templateID int64) (wire.Template, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return wire.Template{}, err
	}
	rec, err := s.loadTemplate(storeID, templateID)
	if err != nil {
		return wire.Template{}, err
	}
	return s.templateView(rec)
}

// templateView is the wire template detail. signatureAlgorithm is the one
// leaves are signed with: the issuer key's family at signatureBits.
func (s *service) templateView(rec db.Template) (wire.Template, error) {
	req := rec.Request
	parent, err := s.loadCert(rec.StoreID, req.ParentCertID)
	if err != nil {
		return wire.Template{}, fmt.Errorf("read template issuer: %v", err) // a 500: the template names a missing issuer
	}
	parentCert, err := x509.ParseCertificate(parent.DER)
	if err != nil {
		return wire.Template{}, fmt.Errorf("parse template issuer: %w", err)
	}
	issuerAlg, _ := ca.DescribeKey(parentCert.PublicKey)
	maxTTL := ""
	if req.MaxTTL != nil {
		maxTTL = strconv.FormatInt(*req.MaxTTL, 10)
	}
	return wire.Template{
		ID: rec.ID, Name: req.Name, Description: req.Description, SubjectInfo: req.SubjectInfo,
		KeyAlgorithm: req.KeyInfo.Algorithm, KeyLength: req.KeyInfo.KeySize, KeyInfo: req.KeyInfo,
		KeyUsage: orEmpty(req.KeyUsage), ExtendedKeyUsage: orEmpty(req.ExtendedKeyUsage),
		ExtendedKeyUsageOids: orEmpty(req.ExtendedKeyUsageOids),
		SignatureAlgorithm:   ca.TemplateSignatureAlgorithm(issuerAlg, req.SignatureBits),
		IsLeaf:               true,
		SigningCertificateID: parent.ID, SigningCertificateName: parent.Name,
		BasicConstraintsValidForNonCa: req.BasicConstraintsValidForNonCa,
		StoreInServer:                 *req.StoreInServer, AllowIPSans: req.AllowIPSans,
		UseCsrCommonName: req.UseCsrCommonName, UseCsrSans: req.UseCsrSans, UseCsrOtherFields: req.UseCsrOtherFields,
		MaxTTL: maxTTL, SignatureBits: req.SignatureBits, BackDateValidation: *req.BackDateValidation,
		URLSansWhitelist: orEmpty(req.URLSansWhitelist), OtherSansWhitelist: orEmpty(req.OtherSansWhitelist),
		Policies: orEmpty(req.Policies), OtherFields: orEmpty(req.OtherFields),
		CreationUser: rec.CreatedBy, CreationDatetime: wire.NewDateTime(rec.Created),
		LastChangeUser: rec.ChangedBy, LastChangeDatetime: wire.NewDateTime(rec.Changed),
	}, nil
}

// orEmpty turns a nil list into an empty one, so JSON shows [] not null.
func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// ListTemplates returns a page of a store's templates whose name matches
// opts.Search (GET /templates).
func (s *service) ListTemplates(storeID int64, opts wire.ListOptions) (wire.TemplateList, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return wire.TemplateList{}, err
	}
	recs, err := s.db.ListTemplates(storeID)
	if err != nil {
		return wire.TemplateList{}, fmt.Errorf("list templates: %w", err)
	}
	items := []wire.TemplateSummary{}
	for _, rec := range recs {
		if matchesSearch(opts.Search, rec.Request.Name) {
			items = append(items, wire.TemplateSummary{ID: rec.ID, Name: rec.Request.Name, Description: rec.Request.Description})
		}
	}
	page, p := paginate(items, opts)
	return wire.TemplateList{Templates: page, Page: p}, nil
}
