package revocation

import (
	"testing"
)

func TestReasonName(t *testing.T) {
	for code, want := range map[int]string{0: "unspecified", 1: "keyCompromise", 4: "superseded", 5: "cessationOfOperation", 6: "certificateHold", 10: "aACompromise", 7: "unknown(7)", -1: "unknown(-1)"} {
		if got := ReasonName(code); got != want {
			t.Errorf("ReasonName(%d) = %q, want %q", code, got, want)
		}
	}
}
