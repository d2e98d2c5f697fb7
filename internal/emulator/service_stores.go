package emulator

import "github.com/nhnpca/pca-issuer/internal/pca"

// Seed defaults and ranges of the store's refresh periods.
const (
	defaultCRLRefreshDays   = 7
	maxCRLRefreshDays       = 30
	defaultOCSPRefreshHours = 1
	maxOCSPRefreshHours     = 12
)

// CreateStore makes a store (POST /ca-stores). It answers 400 naming the
// field for a missing or too long name, a too long description, or a
// refresh period out of range.
func (s *service) CreateStore(actor string, req pca.StoreRequest) (pca.Store, *apiError) {
	if err := checkNameDescription(req.Name, req.Description); err != nil {
		return pca.Store{}, err
	}
	crl, err := period("crlRefreshPeriod", req.CRLRefreshPeriod, defaultCRLRefreshDays, maxCRLRefreshDays)
	if err != nil {
		return pca.Store{}, err
	}
	ocsp, err := period("ocspRefreshPeriod", req.OCSPRefreshPeriod, defaultOCSPRefreshHours, maxOCSPRefreshHours)
	if err != nil {
		return pca.Store{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, dbErr := s.db.NextID(kindStore)
	if dbErr != nil {
		return pca.Store{}, errInternal("new store id", dbErr)
	}
	now := s.now()
	rec := storeRecord{
		ID: id, Name: req.Name, Description: req.Description,
		CRLActive: req.CRLActive, CRLRefreshPeriod: crl,
		OCSPActive: req.OCSPActive, OCSPRefreshPeriod: ocsp,
		Status:  pca.StatusActive,
		Created: now, CreatedBy: actor, Changed: now, ChangedBy: actor,
	}
	if dbErr := s.db.PutStore(rec); dbErr != nil {
		return pca.Store{}, errInternal("write store", dbErr)
	}
	return s.storeView(rec)
}

// period applies a seed default (when 0) and range 1..max.
func period(field string, v, def, max int) (int, *apiError) {
	if v == 0 {
		return def, nil
	}
	if v < 1 || v > max {
		return 0, errValidation(field, "between 1 and %d, got %d", max, v)
	}
	return v, nil
}

// GetStore returns one store (GET /ca-stores/{caStoreId}), or 404.
func (s *service) GetStore(id int64) (pca.Store, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.loadStore(id)
	if err != nil {
		return pca.Store{}, err
	}
	return s.storeView(rec)
}

// ListStores returns a page of the stores whose name or description
// matches opts.Search (GET /ca-stores).
func (s *service) ListStores(opts pca.ListOptions) (pca.StoreList, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, dbErr := s.db.ListStores()
	if dbErr != nil {
		return pca.StoreList{}, errInternal("list stores", dbErr)
	}
	var views []pca.Store
	for _, rec := range recs {
		if rec.Status == pca.StatusDeleted || !matchesSearch(opts.Search, rec.Name, rec.Description) {
			continue
		}
		v, err := s.storeView(rec)
		if err != nil {
			return pca.StoreList{}, err
		}
		views = append(views, v)
	}
	items, page := paginate(views, opts)
	return pca.StoreList{CAInfoList: items, Page: page}, nil
}

// storeView is the wire store, with the counts computed from what the store
// holds now: issuerCnt ROOT and INTERMEDIATE, certificateCnt kept LEAF
// certificates (assumed), templateCnt templates.
func (s *service) storeView(rec storeRecord) (pca.Store, *apiError) {
	certs, err := s.db.ListCerts(rec.ID)
	if err != nil {
		return pca.Store{}, errInternal("list certificates", err)
	}
	templates, err := s.db.ListTemplates(rec.ID)
	if err != nil {
		return pca.Store{}, errInternal("list templates", err)
	}
	v := pca.Store{
		ID: rec.ID, Name: rec.Name, Description: rec.Description,
		ToastProjectID: toastProjectID,
		TemplateCnt:    len(templates),
		Status:         rec.Status,
		CRLActive:      rec.CRLActive, CRLRefreshPeriod: rec.CRLRefreshPeriod,
		OCSPActive: rec.OCSPActive, OCSPRefreshPeriod: rec.OCSPRefreshPeriod,
		CreationDatetime: pca.NewDateTime(rec.Created), CreationUser: rec.CreatedBy,
		LastChangeDatetime: pca.NewDateTime(rec.Changed), LastChangeUser: rec.ChangedBy,
	}
	for _, c := range certs {
		if c.Type == pca.TypeLeaf {
			v.CertificateCnt++
		} else {
			v.IssuerCnt++
		}
	}
	return v, nil
}
