package wire

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDateTimesParsedInBothSpellings(t *testing.T) {
	var cert Certificate
	if err := json.Unmarshal([]byte(`{"certificateId":1,"notBeforeDateTime":"2024-01-15T10:00:00","notAfterDateTime":"2034-01-15 10:00:00"}`), &cert); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC); !cert.NotBeforeDateTime.Equal(want) {
		t.Errorf("notBefore = %v, want %v", cert.NotBeforeDateTime, want)
	}
	if want := time.Date(2034, 1, 15, 10, 0, 0, 0, time.UTC); !cert.NotAfterDateTime.Equal(want) {
		t.Errorf("notAfter = %v, want %v", cert.NotAfterDateTime, want)
	}
}

func TestDateTimeWrittenInTheFirstSpelling(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	got, err := json.Marshal(struct {
		At    DateTime `json:"at"`
		Never DateTime `json:"never"`
	}{At: NewDateTime(time.Date(2034, 1, 15, 19, 0, 0, 500, kst))})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"at":"2034-01-15T10:00:00","never":null}`; string(got) != want {
		t.Errorf("wire = %s, want %s", got, want)
	}
}

func TestNullAndEmptyDateTimeAreZero(t *testing.T) {
	for _, in := range []string{`null`, `""`} {
		d := NewDateTime(time.Now())
		if err := json.Unmarshal([]byte(in), &d); err != nil || !d.IsZero() {
			t.Errorf("%s: %v, %v; want the zero time", in, d, err)
		}
	}
}

func TestBadDateTimeIsAnError(t *testing.T) {
	var d DateTime
	err := json.Unmarshal([]byte(`"15/01/2034"`), &d)
	if err == nil || !strings.Contains(err.Error(), "15/01/2034") {
		t.Fatalf("error = %v, want one naming the bad date-time", err)
	}
}
