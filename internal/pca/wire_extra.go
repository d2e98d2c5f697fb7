package pca

// StoreChange is the body of store create, modify and delete (POST, PUT and
// DELETE /ca-stores[/{caStoreId}]): the subset of Store those calls return.
// The audit fields are set by create only; status is DELETED after delete.
// Its JSON also decodes into Store.
type StoreChange struct {
	ID                 int64    `json:"id"`
	Name               string   `json:"name"`
	ToastProjectID     string   `json:"toastProjectId"`
	Status             string   `json:"status"`
	CreationDatetime   DateTime `json:"creationDatetime,omitzero"`
	CreationUser       string   `json:"creationUser,omitempty"`
	LastChangeDatetime DateTime `json:"lastChangeDatetime,omitzero"`
	LastChangeUser     string   `json:"lastChangeUser,omitempty"`
}
