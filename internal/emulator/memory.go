package emulator

import (
	"cmp"
	"slices"
	"sync"
)

// memStorage is the in-memory storage. It is safe for concurrent use.
type memStorage struct {
	mu        sync.RWMutex
	seq       map[string]int64
	stores    map[int64]storeRecord
	certs     map[int64]certRecord
	templates map[int64]templateRecord
	serials   map[serialKey]int64
	crls      map[int64]crlRecord
}

// serialKey is an issuer id and a serial's big-endian magnitude.
type serialKey struct {
	issuerID int64
	serial   string
}

// newMemStorage returns an empty in-memory storage.
func newMemStorage() *memStorage {
	return &memStorage{
		seq:       map[string]int64{},
		stores:    map[int64]storeRecord{},
		certs:     map[int64]certRecord{},
		templates: map[int64]templateRecord{},
		serials:   map[serialKey]int64{},
		crls:      map[int64]crlRecord{},
	}
}

func (m *memStorage) NextID(kind string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq[kind]++
	return m.seq[kind], nil
}

func (m *memStorage) PutStore(rec storeRecord) error { return put(&m.mu, m.stores, rec.ID, rec) }
func (m *memStorage) GetStore(id int64) (storeRecord, bool, error) {
	return get(&m.mu, m.stores, id)
}
func (m *memStorage) ListStores() ([]storeRecord, error) {
	return list(&m.mu, m.stores, func(storeRecord) bool { return true }, func(r storeRecord) int64 { return r.ID })
}

func (m *memStorage) PutCert(rec certRecord) error { return put(&m.mu, m.certs, rec.ID, rec) }
func (m *memStorage) GetCert(id int64) (certRecord, bool, error) {
	return get(&m.mu, m.certs, id)
}
func (m *memStorage) ListCerts(storeID int64) ([]certRecord, error) {
	return list(&m.mu, m.certs, func(r certRecord) bool { return r.StoreID == storeID }, func(r certRecord) int64 { return r.ID })
}

func (m *memStorage) PutTemplate(rec templateRecord) error {
	return put(&m.mu, m.templates, rec.ID, rec)
}
func (m *memStorage) GetTemplate(id int64) (templateRecord, bool, error) {
	return get(&m.mu, m.templates, id)
}
func (m *memStorage) ListTemplates(storeID int64) ([]templateRecord, error) {
	return list(&m.mu, m.templates, func(r templateRecord) bool { return r.StoreID == storeID }, func(r templateRecord) int64 { return r.ID })
}

func (m *memStorage) DeleteTemplate(id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.templates, id)
	return nil
}

func (m *memStorage) PutSerial(issuerID int64, serial []byte, certID int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.serials[serialKey{issuerID, string(serial)}] = certID
	return nil
}

func (m *memStorage) GetSerial(issuerID int64, serial []byte) (int64, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.serials[serialKey{issuerID, string(serial)}]
	return id, ok, nil
}

func (m *memStorage) PutCRL(rec crlRecord) error { return put(&m.mu, m.crls, rec.IssuerID, rec) }
func (m *memStorage) GetCRL(issuerID int64) (crlRecord, bool, error) {
	return get(&m.mu, m.crls, issuerID)
}

// Close does nothing: memory needs no release.
func (m *memStorage) Close() error { return nil }

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
