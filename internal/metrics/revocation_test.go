package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestObserveRevocationCheckCountsAndForgets(t *testing.T) {
	issuer := IssuerLabel("ns", "revocation-test")
	ObserveRevocationCheck(issuer, RevocationGood)
	ObserveRevocationCheck(issuer, RevocationGood)
	ObserveRevocationCheck(issuer, RevocationRevoked)
	if got := testutil.ToFloat64(revocationChecks.WithLabelValues(issuer, RevocationGood)); got != 2 {
		t.Errorf("good = %v, want 2", got)
	}
	if got := testutil.ToFloat64(revocationChecks.WithLabelValues(issuer, RevocationRevoked)); got != 1 {
		t.Errorf("revoked = %v, want 1", got)
	}
	ForgetIssuer(issuer)
	if got := testutil.CollectAndCount(revocationChecks); got != 0 {
		t.Errorf("%d revocation series left after ForgetIssuer, want 0", got)
	}
}
