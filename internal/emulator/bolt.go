package emulator

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

// DBFileName is the name of the bbolt file in Options.DataDir.
const DBFileName = "pca-emulator.db"

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

// boltStorage keeps the records in one bbolt file, so they survive a
// restart. bbolt serialises writers itself; every method is one
// transaction.
type boltStorage struct {
	db *bolt.DB
}

// openBoltStorage opens (or creates) DBFileName in dir, creating dir with
// mode 0700. It fails with ErrDataLocked when another process holds the file
// (after lockWait) and with ErrDataDamaged when the file is not a bbolt file
// or fails bbolt's consistency check (openChecked).
func openBoltStorage(dir string) (*boltStorage, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("emulator: data dir: %w", err)
	}
	db, err := openChecked(filepath.Join(dir, DBFileName))
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
		return nil, fmt.Errorf("emulator: prepare %s: %w", DBFileName, err)
	}
	return &boltStorage{db: db}, nil
}

// idKey is the 8-byte big-endian key of an id, so keys sort by id.
func idKey(id int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

func (b *boltStorage) NextID(kind string) (int64, error) {
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

func (b *boltStorage) PutStore(rec storeRecord) error {
	return boltPut(b.db, bucketStores, idKey(rec.ID), rec)
}
func (b *boltStorage) GetStore(id int64) (storeRecord, bool, error) {
	return boltGet[storeRecord](b.db, bucketStores, idKey(id))
}
func (b *boltStorage) ListStores() ([]storeRecord, error) {
	return boltList(b.db, bucketStores, func(storeRecord) bool { return true }, func(r storeRecord) int64 { return r.ID })
}

func (b *boltStorage) PutCert(rec certRecord) error {
	return boltPut(b.db, bucketCerts, idKey(rec.ID), rec)
}
func (b *boltStorage) GetCert(id int64) (certRecord, bool, error) {
	return boltGet[certRecord](b.db, bucketCerts, idKey(id))
}
func (b *boltStorage) ListCerts(storeID int64) ([]certRecord, error) {
	return boltList(b.db, bucketCerts, func(r certRecord) bool { return r.StoreID == storeID }, func(r certRecord) int64 { return r.ID })
}

func (b *boltStorage) PutTemplate(rec templateRecord) error {
	return boltPut(b.db, bucketTemplates, idKey(rec.ID), rec)
}
func (b *boltStorage) GetTemplate(id int64) (templateRecord, bool, error) {
	return boltGet[templateRecord](b.db, bucketTemplates, idKey(id))
}
func (b *boltStorage) ListTemplates(storeID int64) ([]templateRecord, error) {
	return boltList(b.db, bucketTemplates, func(r templateRecord) bool { return r.StoreID == storeID }, func(r templateRecord) int64 { return r.ID })
}
func (b *boltStorage) DeleteTemplate(id int64) error {
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTemplates).Delete(idKey(id)) })
}

func (b *boltStorage) PutSerial(issuerID int64, serial []byte, certID int64) error {
	return boltPut(b.db, bucketSerials, append(idKey(issuerID), serial...), certID)
}
func (b *boltStorage) GetSerial(issuerID int64, serial []byte) (int64, bool, error) {
	return boltGet[int64](b.db, bucketSerials, append(idKey(issuerID), serial...))
}

func (b *boltStorage) PutCRL(rec crlRecord) error {
	return boltPut(b.db, bucketCRLs, idKey(rec.IssuerID), rec)
}
func (b *boltStorage) GetCRL(issuerID int64) (crlRecord, bool, error) {
	return boltGet[crlRecord](b.db, bucketCRLs, idKey(issuerID))
}

// Close closes the file and releases its lock.
func (b *boltStorage) Close() error { return b.db.Close() }
