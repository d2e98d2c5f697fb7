package controller

import (
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestRevokeAnnotationHostileValues: odd annotation values and a
// Certificate without a Secret name are refused with a Warning event and
// the annotation removed; no PCA call, no renewal, no panic.
func TestRevokeAnnotationHostileValues(t *testing.T) {
	cases := []struct {
		name, reason, pin, secretName, wantMsg string
	}{
		{name: "empty reason", reason: "", wantMsg: "is not an RFC 5280"},
		{name: "blank reason", reason: "   ", wantMsg: "is not an RFC 5280"},
		{name: "huge reason", reason: strings.Repeat("keyCompromise", 10000), wantMsg: "is not an RFC 5280"},
		{name: "reason with a newline", reason: "keyCompromise\nreason: forged", wantMsg: "is not an RFC 5280"},
		{name: "certificateHold", reason: "certificateHold", wantMsg: "permanent"},
		{name: "pin not a serial", reason: "superseded", pin: "not-hex", wantMsg: "is not a serial number"},
		{name: "pin negative", reason: "superseded", pin: "-0A", wantMsg: "is not a serial number"},
		{name: "pin of a serial never recorded", reason: "superseded", pin: "0B", wantMsg: "pca-issuer did not issue that certificate"},
		{name: "no secretName", reason: "keyCompromise", secretName: "-", wantMsg: "no certificate to revoke"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeRevocationPCA(map[int64]string{100: "0A"})
			annotations := revokeAnnotated(c.reason)
			if c.pin != "" {
				annotations[AnnotationRevokeSerial] = c.pin
			}
			crt := webCertificate(1, annotations)
			if c.secretName == "-" {
				crt.Spec.SecretName = ""
			}
			objs := []client.Object{crt, webSecret(t, 0x0A), readyIssuer(), webRequest(1, 100, "0A", false)}
			fx := newRevokeFixture(t, f, objs, nil)
			res, err := fx.ann.Reconcile(t.Context(), webKey)
			if err != nil || !res.IsZero() {
				t.Fatalf("Reconcile = %v, %v", res, err)
			}
			if got := f.calls(); len(got) != 0 {
				t.Errorf("revoke calls %v", got)
			}
			got := fx.certificate(t)
			checkFinished(t, got)
			if issuing(got) {
				t.Error("renewed")
			}
			ev := fx.events()
			if !hasEvent(ev, "Warning RevokeRefused", c.wantMsg) {
				t.Errorf("events %v, want a RevokeRefused naming %q", ev, c.wantMsg)
			}
			for _, e := range ev {
				if len(e) > 2048 {
					t.Errorf("an event of %d bytes: the annotation's value is not bounded", len(e))
				}
			}
		})
	}
}
