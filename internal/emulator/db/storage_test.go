package db

import (
	"bytes"
	"slices"
	"testing"
	"time"
)

// TestBackendsKeepTheStorageContract makes the same calls on Memory and
// Bolt and holds both to what Storage promises: ids per kind from 1, lists
// by store and sorted by id, unknown ids found=false without an error,
// records back as they went in.
func TestBackendsKeepTheStorageContract(t *testing.T) {
	file, err := OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = file.Close() })
	for name, s := range map[string]Storage{"memory": NewMemory(), "bolt": file} {
		t.Run(name, func(t *testing.T) {
			for want := int64(1); want <= 2; want++ {
				if id, err := s.NextID(KindCert); id != want || err != nil {
					t.Errorf("NextID(cert) = %d, %v; want %d", id, err, want)
				}
			}
			if id, err := s.NextID(KindStore); id != 1 || err != nil {
				t.Errorf("NextID(store) = %d, %v; want 1: kinds count apart", id, err)
			}
			revoked := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
			for _, c := range []Cert{{ID: 3, StoreID: 1, DER: []byte{3}, Revoked: revoked}, {ID: 1, StoreID: 1}, {ID: 2, StoreID: 2}} {
				if err := s.PutCert(c); err != nil {
					t.Fatal(err)
				}
			}
			list, err := s.ListCerts(1)
			var ids []int64
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			if err != nil || !slices.Equal(ids, []int64{1, 3}) {
				t.Errorf("ListCerts(1) ids %v, %v; want [1 3]", ids, err)
			}
			if c, found, err := s.GetCert(3); !found || err != nil || !bytes.Equal(c.DER, []byte{3}) || !c.Revoked.Equal(revoked) {
				t.Errorf("GetCert(3) = %+v, %v, %v", c, found, err)
			}
			if _, found, err := s.GetCert(9); found || err != nil {
				t.Errorf("GetCert(unknown) found=%v err=%v; want false, nil", found, err)
			}
			if err := s.PutSerial(1, []byte{7, 8}, 0); err != nil {
				t.Fatal(err)
			}
			if id, found, err := s.GetSerial(1, []byte{7, 8}); id != 0 || !found || err != nil {
				t.Errorf("GetSerial(1, 07:08) = %d, %v, %v; want 0, true", id, found, err)
			}
			if _, found, _ := s.GetSerial(2, []byte{7, 8}); found {
				t.Error("a serial of issuer 1 was found under issuer 2")
			}
			if err := s.PutTemplate(Template{ID: 1, StoreID: 1}); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteTemplate(1); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteTemplate(99); err != nil {
				t.Errorf("DeleteTemplate(unknown) = %v, want nil", err)
			}
			if left, err := s.ListTemplates(1); len(left) != 0 || err != nil {
				t.Errorf("templates after delete: %v, %v", left, err)
			}
		})
	}
}
