package db

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// FileName is the name of the bbolt file in the data folder.
const FileName = "pca-emulator.db"

// Buckets of the bbolt file. Keys are 8-byte big-endian ids (serials: the
// issuer id then the serial's bytes); values are JSON records.
var (
	bucketStores    = []byte("stores")
	bucketCerts     = []byte("certs")
	bucketTemplates = []byte("templates")
	bucketSerials   = []byte("serials")
	bucketCRLs      = []byte("crls")
	bucketSeq       = []byte("seq")
)

// Bolt keeps the records in one bbolt file, so they survive a
// restart. bbolt serialises writers itself; every method is one
// transaction.
type Bolt struct {
	db *bolt.DB
}

// OpenBolt opens (or creates) FileName in dir, creating dir with
// mode 0700. It fails with ErrLocked when another process holds the file
// (after LockWait) and with ErrDamaged when the file is not a bbolt file
// or fails bbolt's consistency check (openChecked).
func OpenBolt(dir string) (*Bolt, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("emulator: data dir: %w", err)
	}
	db, err := openChecked(filepath.Join(dir, FileName))
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketStores, bucketCerts, bucketTemplates, bucketSerials, bucketCRLs, bucketSeq} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("emulator: prepare %s: %w", FileName, err)
	}
	return &Bolt{db: db}, nil
}

// idKey is the 8-byte big-endian key of an id, so keys sort by id.
func idKey(id int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

func (b *Bolt) NextID(kind string) (int64, error) {
	var id int64
	err := b.db.Update(func(tx *bolt.Tx) error {
		seq, err := tx.Bucket(bucketSeq).CreateBucketIfNotExists([]byte(kind))
		if err != nil {
			return err
		}
		n, err := seq.NextSequence()
		id = int64(n)
		return err
	})
	return id, err
}

// boltPut writes one JSON record.
func boltPut(db *bolt.DB, bucket, key []byte, rec any) error {
	value, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key, value) })
}

// boltGet reads one JSON record.
func boltGet[T any](db *bolt.DB, bucket, key []byte) (T, bool, error) {
	var rec T
	var found bool
	err := db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucket).Get(key)
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &rec)
	})
	return rec, found, err
}

// boltList reads the records of a bucket that keep returns true for, in key
// (id) order.
func boltList[T any](db *bolt.DB, bucket []byte, keep func(T) bool, id func(T) int64) ([]T, error) {
	out := []T{}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(_, v []byte) error {
			var rec T
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			if keep(rec) {
				out = append(out, rec)
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
	return out, err
}

func (b *Bolt) PutStore(rec Store) error {
	return boltPut(b.db, bucketStores, idKey(rec.ID), rec)
}
func (b *Bolt) GetStore(id int64) (Store, bool, error) {
	return boltGet[Store](b.db, bucketStores, idKey(id))
}
func (b *Bolt) ListStores() ([]Store, error) {
	return boltList(b.db, bucketStores, func(Store) bool { return true }, func(r Store) int64 { return r.ID })
}

func (b *Bolt) PutCert(rec Cert) error {
	return boltPut(b.db, bucketCerts, idKey(rec.ID), rec)
}
func (b *Bolt) GetCert(id int64) (Cert, bool, error) {
	return boltGet[Cert](b.db, bucketCerts, idKey(id))
}
func (b *Bolt) ListCerts(storeID int64) ([]Cert, error) {
	return boltList(b.db, bucketCerts, func(r Cert) bool { return r.StoreID == storeID }, func(r Cert) int64 { return r.ID })
}

func (b *Bolt) PutTemplate(rec Template) error {
	return boltPut(b.db, bucketTemplates, idKey(rec.ID), rec)
}
func (b *Bolt) GetTemplate(id int64) (Template, bool, error) {
	return boltGet[Template](b.db, bucketTemplates, idKey(id))
}
func (b *Bolt) ListTemplates(storeID int64) ([]Template, error) {
	return boltList(b.db, bucketTemplates, func(r Template) bool { return r.StoreID == storeID }, func(r Template) int64 { return r.ID })
}
func (b *Bolt) DeleteTemplate(id int64) error {
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTemplates).Delete(idKey(id)) })
}

func (b *Bolt) PutSerial(issuerID int64, serial []byte, certID int64) error {
	return boltPut(b.db, bucketSerials, append(idKey(issuerID), serial...), certID)
}
func (b *Bolt) GetSerial(issuerID int64, serial []byte) (int64, bool, error) {
	return boltGet[int64](b.db, bucketSerials, append(idKey(issuerID), serial...))
}

func (b *Bolt) PutCRL(rec CRL) error {
	return boltPut(b.db, bucketCRLs, idKey(rec.IssuerID), rec)
}
func (b *Bolt) GetCRL(issuerID int64) (CRL, bool, error) {
	return boltGet[CRL](b.db, bucketCRLs, idKey(issuerID))
}

// Close closes the file and releases its lock.
func (b *Bolt) Close() error { return b.db.Close() }
