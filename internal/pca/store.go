package pca

// StoreRequest is the body of store create and modify (POST and PUT
// /ca-stores[/{caStoreId}]). Name <= 64 and description <= 256 characters;
// crlRefreshPeriod in days, 1..30, default 7 when 0; ocspRefreshPeriod in
// hours, 1..12, default 1 when 0.
type StoreRequest struct {
	Name              string `json:"name"`
	Description       string `json:"description,omitempty"`
	CRLActive         bool   `json:"crlActive"`
	CRLRefreshPeriod  int    `json:"crlRefreshPeriod,omitempty"`
	OCSPActive        bool   `json:"ocspActive"`
	OCSPRefreshPeriod int    `json:"ocspRefreshPeriod,omitempty"`
}

// Store is a CA store as the detail and list endpoints return it. Create,
// modify and delete return a subset (id, name, toastProjectId, status and,
// on create, the audit fields).
type Store struct {
	ID                 int64    `json:"id"`
	Name               string   `json:"name"`
	Description        string   `json:"description,omitempty"`
	ToastProjectID     string   `json:"toastProjectId"`
	TemplateCnt        int      `json:"templateCnt"`
	IssuerCnt          int      `json:"issuerCnt"`
	CertificateCnt     int      `json:"certificateCnt"`
	TotalEabCnt        int      `json:"totalEabCnt"`
	ActiveEabCnt       int      `json:"activeEabCnt"`
	DeletedEabCnt      int      `json:"deletedEabCnt"`
	Status             string   `json:"status"`
	CRLActive          bool     `json:"crlActive"`
	CRLRefreshPeriod   int      `json:"crlRefreshPeriod"`
	OCSPActive         bool     `json:"ocspActive"`
	OCSPRefreshPeriod  int      `json:"ocspRefreshPeriod"`
	OCSPURL            string   `json:"ocspUrl,omitempty"`
	CreationDatetime   DateTime `json:"creationDatetime"`
	CreationUser       string   `json:"creationUser,omitempty"`
	LastChangeDatetime DateTime `json:"lastChangeDatetime"`
	LastChangeUser     string   `json:"lastChangeUser,omitempty"`
}

// StoreList is the body of the store list endpoint.
type StoreList struct {
	CAInfoList []Store `json:"caInfoList"`
	Page
}
