package ca

import "testing"

func TestParseOID(t *testing.T) {
	for s, ok := range map[string]bool{"1.2.840.113549.1.9.1": true, "2.5.4.45": true, "1": false, "1.x": false, "": false, "3.1": false} {
		if _, err := ParseOID(s); (err == nil) != ok {
			t.Errorf("ParseOID(%q) err %v, want ok=%v", s, err, ok)
		}
	}
}
