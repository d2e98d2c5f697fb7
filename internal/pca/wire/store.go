package wire

// StoreRequest is the body of store create and modify (POST and PUT
// /ca-stores[/{caStoreId}]).
type StoreRequest struct {
	// Name is at most 64 characters.
	Name string `json:"name"`
	// Description is at most 256 characters.
	Description string `json:"description,omitempty"`
	// CRLActive makes the store publish CRLs for its issuers.
	CRLActive bool `json:"crlActive"`
	// CRLRefreshPeriod is in days, 1..30; the server's default 7 when 0.
	CRLRefreshPeriod int `json:"crlRefreshPeriod,omitempty"`
	// OCSPActive makes the store answer OCSP requests.
	OCSPActive bool `json:"ocspActive"`
	// OCSPRefreshPeriod is in hours, 1..12; the server's default 1 when 0.
	OCSPRefreshPeriod int `json:"ocspRefreshPeriod,omitempty"`
}

// Store is a CA store as the detail and list endpoints return it. Create,
// modify and delete return a subset (see StoreChange).
type Store struct {
	// ID is the caStoreId.
	ID int64 `json:"id"`
	// Name is at most 64 characters.
	Name string `json:"name"`
	// Description is at most 256 characters.
	Description string `json:"description,omitempty"`
	// ToastProjectID is the NHN Cloud project that owns the store.
	ToastProjectID string `json:"toastProjectId"`
	// TemplateCnt is the number of templates in the store.
	TemplateCnt int `json:"templateCnt"`
	// IssuerCnt is the number of ROOT and INTERMEDIATE certificates.
	IssuerCnt int `json:"issuerCnt"`
	// CertificateCnt is the number of certificates of all types.
	CertificateCnt int `json:"certificateCnt"`
	// TotalEabCnt counts the store's ACME external account bindings.
	TotalEabCnt int `json:"totalEabCnt"`
	// ActiveEabCnt counts the active ones.
	ActiveEabCnt int `json:"activeEabCnt"`
	// DeletedEabCnt counts the deleted ones.
	DeletedEabCnt int `json:"deletedEabCnt"`
	// Status is StatusActive, StatusInactive or StatusDeleted.
	Status string `json:"status"`
	// CRLActive tells whether the store publishes CRLs.
	CRLActive bool `json:"crlActive"`
	// CRLRefreshPeriod is in days.
	CRLRefreshPeriod int `json:"crlRefreshPeriod"`
	// OCSPActive tells whether the store answers OCSP requests.
	OCSPActive bool `json:"ocspActive"`
	// OCSPRefreshPeriod is in hours: how long OCSP answers are cached.
	OCSPRefreshPeriod int `json:"ocspRefreshPeriod"`
	// OCSPURL is the store's OCSP responder URL.
	OCSPURL string `json:"ocspUrl,omitempty"`
	// CreationDatetime is when the store was created.
	CreationDatetime DateTime `json:"creationDatetime"`
	// CreationUser is who created it.
	CreationUser string `json:"creationUser,omitempty"`
	// LastChangeDatetime is when it was last changed.
	LastChangeDatetime DateTime `json:"lastChangeDatetime"`
	// LastChangeUser is who changed it last.
	LastChangeUser string `json:"lastChangeUser,omitempty"`
}

// StoreList is the body of the store list endpoint (GET /ca-stores).
type StoreList struct {
	// CAInfoList is one page of stores.
	CAInfoList []Store `json:"caInfoList"`
	Page
}

// StoreChange is the body of store create, modify and delete (POST, PUT and
// DELETE /ca-stores[/{caStoreId}]): the subset of Store those calls return.
// The audit fields are set by create only; status is DELETED after delete.
// Its JSON also decodes into Store.
type StoreChange struct {
	// ID is the caStoreId.
	ID int64 `json:"id"`
	// Name is the store's name.
	Name string `json:"name"`
	// ToastProjectID is the NHN Cloud project that owns the store.
	ToastProjectID string `json:"toastProjectId"`
	// Status is the store's status after the call.
	Status string `json:"status"`
	// CreationDatetime is set by create only.
	CreationDatetime DateTime `json:"creationDatetime,omitzero"`
	// CreationUser is set by create only.
	CreationUser string `json:"creationUser,omitempty"`
	// LastChangeDatetime is set by create only.
	LastChangeDatetime DateTime `json:"lastChangeDatetime,omitzero"`
	// LastChangeUser is set by create only.
	LastChangeUser string `json:"lastChangeUser,omitempty"`
}
