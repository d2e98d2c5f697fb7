package db

import (
	"cmp"
	"slices"
	"sync"
)

// Memory is the in-memory Storage. It is safe for concurrent use.
type Memory struct {
	mu        sync.RWMutex
	seq       map[string]int64
	stores    map[int64]Store
	certs     map[int64]Cert
	templates map[int64]Template
	serials   map[serialKey]int64
	crls      map[int64]CRL
}

// serialKey is an issuer id and a serial's big-endian magnitude.
type serialKey struct {
	issuerID int64
	serial   string
}

// NewMemory returns an empty in-memory Storage.
func NewMemory() *Memory {
	return &Memory{
		seq:       map[string]int64{},
		stores:    map[int64]Store{},
		certs:     map[int64]Cert{},
		templates: map[int64]Template{},
		serials:   map[serialKey]int64{},
		crls:      map[int64]CRL{},
	}
}

func (m *Memory) NextID(kind string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq[kind]++
	return m.seq[kind], nil
}

func (m *Memory) PutStore(rec Store) error { return put(&m.mu, m.stores, rec.ID, rec) }
func (m *Memory) GetStore(id int64) (Store, bool, error) {
	return get(&m.mu, m.stores, id)
}
func (m *Memory) ListStores() ([]Store, error) {
	return list(&m.mu, m.stores, func(Store) bool { return true }, func(r Store) int64 { return r.ID })
}

func (m *Memory) PutCert(rec Cert) error { return put(&m.mu, m.certs, rec.ID, rec) }
func (m *Memory) GetCert(id int64) (Cert, bool, error) {
	return get(&m.mu, m.certs, id)
}
func (m *Memory) ListCerts(storeID int64) ([]Cert, error) {
	return list(&m.mu, m.certs, func(r Cert) bool { return r.StoreID == storeID }, func(r Cert) int64 { return r.ID })
}

func (m *Memory) PutTemplate(rec Template) error {
	return put(&m.mu, m.templates, rec.ID, rec)
}
func (m *Memory) GetTemplate(id int64) (Template, bool, error) {
	return get(&m.mu, m.templates, id)
}
func (m *Memory) ListTemplates(storeID int64) ([]Template, error) {
	return list(&m.mu, m.templates, func(r Template) bool { return r.StoreID == storeID }, func(r Template) int64 { return r.ID })
}

func (m *Memory) DeleteTemplate(id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.templates, id)
	return nil
}

func (m *Memory) PutSerial(issuerID int64, serial []byte, certID int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.serials[serialKey{issuerID, string(serial)}] = certID
	return nil
}

func (m *Memory) GetSerial(issuerID int64, serial []byte) (int64, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.serials[serialKey{issuerID, string(serial)}]
	return id, ok, nil
}

func (m *Memory) PutCRL(rec CRL) error { return put(&m.mu, m.crls, rec.IssuerID, rec) }
func (m *Memory) GetCRL(issuerID int64) (CRL, bool, error) {
	return get(&m.mu, m.crls, issuerID)
}

// Close does nothing: memory needs no release.
func (m *Memory) Close() error { return nil }

func put[T any](mu *sync.RWMutex, m map[int64]T, id int64, rec T) error {
	mu.Lock()
	defer mu.Unlock()
	m[id] = rec
	return nil
}

func get[T any](mu *sync.RWMutex, m map[int64]T, id int64) (T, bool, error) {
	mu.RLock()
	defer mu.RUnlock()
	rec, ok := m[id]
	return rec, ok, nil
}

func list[T any](mu *sync.RWMutex, m map[int64]T, keep func(T) bool, id func(T) int64) ([]T, error) {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]T, 0, len(m))
	for _, rec := range m {
		if keep(rec) {
			out = append(out, rec)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
	return out, nil
}
