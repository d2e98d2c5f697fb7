package emulator

import "github.com/nhnpca/pca-issuer/internal/pca/wire"

// Seed defaults and ranges of the store's refresh periods.
const (
	defaultCRLRefreshDays   = 7
	maxCRLRefreshDays       = 30
	defaultOCSPRefreshHours = 1
	maxOCSPRefreshHours     = 12
)

// checkStoreRequest validates a store create or modify body and fills the
// seed's defaults of the refresh periods.
func checkStoreRequest(req wire.StoreRequest) (wire.StoreRequest, *apiError) {
	if err := checkNameDescription(req.Name, req.Description); err != nil {
		return req, err
	}
	var err *apiError
	if req.CRLRefreshPeriod, err = period("crlRefreshPeriod", req.CRLRefreshPeriod, defaultCRLRefreshDays, maxCRLRefreshDays); err != nil {
		return req, err
	}
	req.OCSPRefreshPeriod, err = period("ocspRefreshPeriod", req.OCSPRefreshPeriod, defaultOCSPRefreshHours, maxOCSPRefreshHours)
	return req, err
}

// CreateStore makes a store (POST /ca-stores). It answers 400 naming the
// field for a missing or too long name, a too long description, or a
// refresh period out of range.
func (s *service) CreateStore(actor string, req wire.StoreRequest) (wire.StoreChange, *apiError) {
	req, err := checkStoreRequest(req)
	if err != nil {
		return wire.StoreChange{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, dbErr := s.db.NextID(kindStore)
	if dbErr != nil {
		return wire.StoreChange{}, errInternal("new store id", dbErr)
	}
	now := s.now()
	rec := storeRecord{
		ID: id, Name: req.Name, Description: req.Description,
		CRLActive: req.CRLActive, CRLRefreshPeriod: req.CRLRefreshPeriod,
		OCSPActive: req.OCSPActive, OCSPRefreshPeriod: req.OCSPRefreshPeriod,
		Status:  wire.StatusActive,
		Created: now, CreatedBy: actor, Changed: now, ChangedBy: actor,
	}
	if dbErr := s.db.PutStore(rec); dbErr != nil {
		return wire.StoreChange{}, errInternal("write store", dbErr)
	}
	c := storeChange(rec)
	c.CreationDatetime, c.CreationUser = wire.NewDateTime(rec.Created), rec.CreatedBy
	c.LastChangeDatetime, c.LastChangeUser = wire.NewDateTime(rec.Changed), rec.ChangedBy
	return c, nil
}

// storeChange is the short store body of create, modify and delete.
func storeChange(rec storeRecord) wire.StoreChange {
	return wire.StoreChange{ID: rec.ID, Name: rec.Name, ToastProjectID: toastProjectID, Status: rec.Status}
}

// ModifyStore replaces a store's settings (PUT /ca-stores/{caStoreId}).
// The new crlActive and ocspActive decide the URLs of certificates issued
// from now on; certificates already issued keep theirs. Errors: as
// CreateStore, and 404 for an unknown or deleted store.
func (s *service) ModifyStore(actor string, id int64, req wire.StoreRequest) (wire.StoreChange, *apiError) {
	req, err := checkStoreRequest(req)
	if err != nil {
		return wire.StoreChange{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.loadStore(id)
	if err != nil {
		return wire.StoreChange{}, err
	}
	rec.Name, rec.Description = req.Name, req.Description
	rec.CRLActive, rec.CRLRefreshPeriod = req.CRLActive, req.CRLRefreshPeriod
	rec.OCSPActive, rec.OCSPRefreshPeriod = req.OCSPActive, req.OCSPRefreshPeriod
	rec.Changed, rec.ChangedBy = s.now(), actor
	if dbErr := s.db.PutStore(rec); dbErr != nil {
		return wire.StoreChange{}, errInternal("write store", dbErr)
	}
	return storeChange(rec), nil
}

// DeleteStore marks a store DELETED (DELETE /ca-stores/{caStoreId}).
// Assumed: a deleted store is gone for every caller: it is not listed, and
// every path under it, the public CRL and OCSP ones included, answers 404;
// its records stay in storage. Errors: 404 for an unknown or deleted store.
func (s *service) DeleteStore(actor string, id int64) (wire.StoreChange, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.loadStore(id)
	if err != nil {
		return wire.StoreChange{}, err
	}
	rec.Status, rec.Changed, rec.ChangedBy = wire.StatusDeleted, s.now(), actor
	if dbErr := s.db.PutStore(rec); dbErr != nil {
		return wire.StoreChange{}, errInternal("write store", dbErr)
	}
	return storeChange(rec), nil
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
func (s *service) GetStore(id int64) (wire.Store, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.loadStore(id)
	if err != nil {
		return wire.Store{}, err
	}
	return s.storeView(rec)
}

// ListStores returns a page of the stores whose name or description
// matches opts.Search (GET /ca-stores).
func (s *service) ListStores(opts wire.ListOptions) (wire.StoreList, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, dbErr := s.db.ListStores()
	if dbErr != nil {
		return wire.StoreList{}, errInternal("list stores", dbErr)
	}
	var views []wire.Store
	for _, rec := range recs {
		if rec.Status == wire.StatusDeleted || !matchesSearch(opts.Search, rec.Name, rec.Description) {
			continue
		}
		v, err := s.storeView(rec)
		if err != nil {
			return wire.StoreList{}, err
		}
		views = append(views, v)
	}
	items, page := paginate(views, opts)
	return wire.StoreList{CAInfoList: items, Page: page}, nil
}

// storeView is the wire store, with the counts computed from what the store
// holds now: issuerCnt ROOT and INTERMEDIATE, certificateCnt kept LEAF
// certificates (assumed), templateCnt templates.
func (s *service) storeView(rec storeRecord) (wire.Store, *apiError) {
	certs, err := s.db.ListCerts(rec.ID)
	if err != nil {
		return wire.Store{}, errInternal("list certificates", err)
	}
	templates, err := s.db.ListTemplates(rec.ID)
	if err != nil {
		return wire.Store{}, errInternal("list templates", err)
	}
	v := wire.Store{
		ID: rec.ID, Name: rec.Name, Description: rec.Description,
		ToastProjectID: toastProjectID,
		TemplateCnt:    len(templates),
		Status:         rec.Status,
		CRLActive:      rec.CRLActive, CRLRefreshPeriod: rec.CRLRefreshPeriod,
		OCSPActive: rec.OCSPActive, OCSPRefreshPeriod: rec.OCSPRefreshPeriod,
		OCSPURL:          s.ocspURL(rec),
		CreationDatetime: wire.NewDateTime(rec.Created), CreationUser: rec.CreatedBy,
		LastChangeDatetime: wire.NewDateTime(rec.Changed), LastChangeUser: rec.ChangedBy,
	}
	for _, c := range certs {
		if c.Type == wire.TypeLeaf {
			v.CertificateCnt++
		} else {
			v.IssuerCnt++
		}
	}
	return v, nil
}
