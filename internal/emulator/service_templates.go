package emulator

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// signatureBitsAllowed are the seed's signatureBits values; 256 is the
// default.
var signatureBitsAllowed = []int{256, 384, 512}

// checkTemplateRequest validates a template request and returns it with the
// seed's defaults filled in (backDateValidation 30, storeInServer true,
// signatureBits 256, keyInfo normalized).
func checkTemplateRequest(req wire.TemplateRequest) (wire.TemplateRequest, *apiError) {
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
func checkTemplateLists(req wire.TemplateRequest) *apiError {
	for i, w := range req.URLSansWhitelist {
		if w == "" {
			return errValidation(fmt.Sprintf("urlSansWhitelist[%d]", i), "empty")
		}
	}
	for i, w := range req.OtherSansWhitelist {
		f := fmt.Sprintf("otherSansWhitelist[%d]", i)
		if _, err := parseOID(w.OID); err != nil {
			return errValidation(f+".oid", "%v", err)
		}
		if _, ok := asn1StringTags[w.Type]; !ok {
			return errValidation(f+".type", "unknown value %q", w.Type)
		}
		if err := checkLen(f+".value", w.Value, maxOidValueLen); err != nil {
			return err
		}
	}
	checks := []*apiError{
		checkEnum("keyUsage", req.KeyUsage, keyUsages),
		checkEnum("extendedKeyUsage", req.ExtendedKeyUsage, extKeyUsages),
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
// /templates). Errors: 400 naming the field (parentCertId must name a ROOT
// or INTERMEDIATE of the store), 404 unknown store, 409 parent revoked or
// expired.
func (s *service) CreateTemplate(actor string, storeID int64, req wire.TemplateRequest) (wire.TemplateCreated, *apiError) {
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
	attrs, aErr := templateAttributes(req)
	if aErr != nil {
		return wire.TemplateCreated{}, errInternal("template attributes", aErr)
	}
	id, dbErr := s.db.NextID(kindTemplate)
	if dbErr != nil {
		return wire.TemplateCreated{}, errInternal("new template id", dbErr)
	}
	now := s.now()
	rec := templateRecord{ID: id, StoreID: storeID, Request: req, Created: now, CreatedBy: actor, Changed: now, ChangedBy: actor}
	if err := s.db.PutTemplate(rec); err != nil {
		return wire.TemplateCreated{}, errInternal("write template", err)
	}
	return wire.TemplateCreated{
		TemplateID: id, Name: req.Name, Description: req.Description, Attributes: attrs,
		SigningCertificateID: parent.rec.ID, SigningCertificateName: parent.rec.Name,
	}, nil
}

// ModifyTemplate replaces a template's settings (PUT
// /templates/{templateId}); the body is as create and is checked the same
// way. Certificates already issued are not touched. Errors: as
// CreateTemplate, and 404 for an unknown template.
func (s *service) ModifyTemplate(actor string, storeID, templateID int64, req wire.TemplateRequest) (bool, *apiError) {
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
		return false, errInternal("write template", err)
	}
	return true, nil
}

// DeleteTemplate forgets a template (DELETE /templates/{templateId}): it
// is no longer listed, read or used; the certificates it issued stay.
// Errors: 404 for an unknown store or template.
func (s *service) DeleteTemplate(storeID, templateID int64) (bool, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return false, err
	}
	if _, err := s.loadTemplate(storeID, templateID); err != nil {
		return false, err
	}
	if err := s.db.DeleteTemplate(templateID); err != nil {
		return false, errInternal("delete template", err)
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

// loadTemplate returns a template of a store, or 404.
func (s *service) loadTemplate(storeID, id int64) (templateRecord, *apiError) {
	rec, ok, err := s.db.GetTemplate(id)
	if err != nil {
		return templateRecord{}, errInternal("read template", err)
	}
	if !ok || rec.StoreID != storeID {
		return templateRecord{}, errNotFound("template", id)
	}
	return rec, nil
}

// GetTemplate returns a template's detail (GET /templates/{templateId}),
// or 404.
func (s *service) GetTemplate(storeID, templateID int64) (wire.Template, *apiError) {
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
func (s *service) templateView(rec templateRecord) (wire.Template, *apiError) {
	req := rec.Request
	parent, err := s.loadCert(rec.StoreID, req.ParentCertID)
	if err != nil {
		return wire.Template{}, errInternal("read template issuer", err)
	}
	parentCert, pErr := x509.ParseCertificate(parent.DER)
	if pErr != nil {
		return wire.Template{}, errInternal("parse template issuer", pErr)
	}
	issuerAlg, _ := describeKey(parentCert.PublicKey)
	maxTTL := ""
	if req.MaxTTL != nil {
		maxTTL = strconv.FormatInt(*req.MaxTTL, 10)
	}
	return wire.Template{
		ID: rec.ID, Name: req.Name, Description: req.Description, SubjectInfo: req.SubjectInfo,
		KeyAlgorithm: req.KeyInfo.Algorithm, KeyLength: req.KeyInfo.KeySize, KeyInfo: req.KeyInfo,
		KeyUsage: orEmpty(req.KeyUsage), ExtendedKeyUsage: orEmpty(req.ExtendedKeyUsage),
		ExtendedKeyUsageOids: orEmpty(req.ExtendedKeyUsageOids),
		SignatureAlgorithm:   templateSignatureAlgorithm(issuerAlg, req.SignatureBits),
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
func (s *service) ListTemplates(storeID int64, opts wire.ListOptions) (wire.TemplateList, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadStore(storeID); err != nil {
		return wire.TemplateList{}, err
	}
	recs, dbErr := s.db.ListTemplates(storeID)
	if dbErr != nil {
		return wire.TemplateList{}, errInternal("list templates", dbErr)
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
