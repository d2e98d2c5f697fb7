package signer

import (
	"strconv"
	"strings"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// MaxTTL returns the template's maxTTL (a string of seconds on the wire),
// and false when the template sets none or it does not parse: such a
// template caps by date (maxSpecificDate) or not at all.
func MaxTTL(tmpl *wire.Template) (time.Duration, bool) {
	if tmpl == nil || strings.TrimSpace(tmpl.MaxTTL) == "" {
		return 0, false
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(tmpl.MaxTTL), 10, 64)
	if err != nil || secs <= 0 {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}

// FitDuration returns the duration to request: requested (zero meaning
// cert-manager's default, 90 days), or the template's maxTTL when requested
// exceeds it, in which case capped is true. The PCA refuses a ttlValue over
// maxTTL, so asking for the cap issues the longest certificate the template
// allows instead of failing.
func FitDuration(requested time.Duration, tmpl *wire.Template) (d time.Duration, capped bool) {
	if requested == 0 {
		requested = cmapi.DefaultCertificateDuration
	}
	if limit, ok := MaxTTL(tmpl); ok && requested > limit {
		return limit, true
	}
	return requested, false
}

// keyUsageNames maps cert-manager key usages to the PCA template's
// keyUsage values (RFC 5280 4.2.1.3).
var keyUsageNames = map[cmapi.KeyUsage]string{
	cmapi.UsageDigitalSignature:  wire.KeyUsageDigitalSignature,
	cmapi.UsageContentCommitment: wire.KeyUsageNonRepudiation,
	cmapi.UsageKeyEncipherment:   wire.KeyUsageKeyEncipherment,
	cmapi.UsageDataEncipherment:  wire.KeyUsageDataEncipherment,
	cmapi.UsageKeyAgreement:      wire.KeyUsageKeyAgreement,
	cmapi.UsageCertSign:          wire.KeyUsageKeyCertSign,
	cmapi.UsageCRLSign:           wire.KeyUsageCRLSign,
	cmapi.UsageEncipherOnly:      wire.KeyUsageEncipherOnly,
	cmapi.UsageDecipherOnly:      wire.KeyUsageDecipherOnly,
}

// extKeyUsageNames maps cert-manager extended key usages to the template's
// extendedKeyUsage values (RFC 5280 4.2.1.12).
var extKeyUsageNames = map[cmapi.KeyUsage]string{
	cmapi.UsageServerAuth:      wire.ExtKeyUsageServerAuth,
	cmapi.UsageClientAuth:      wire.ExtKeyUsageClientAuth,
	cmapi.UsageCodeSigning:     wire.ExtKeyUsageCodeSigning,
	cmapi.UsageEmailProtection: wire.ExtKeyUsageEmailProtection,
	cmapi.UsageTimestamping:    wire.ExtKeyUsageTimeStamping,
	cmapi.UsageOCSPSigning:     wire.ExtKeyUsageOCSPSigning,
	cmapi.UsageAny:             wire.ExtKeyUsageAny,
}

// UsagesOutsideTemplate returns the requested usages the template will not
// put in the certificate: the template, not the CSR, decides key usage and
// extended key usage. An empty list of usages means cert-manager's default
// (digital signature, key encipherment). Usages with no template value
// (e.g. "s/mime") are always outside.
func UsagesOutsideTemplate(usages []cmapi.KeyUsage, tmpl *wire.Template) []cmapi.KeyUsage {
	if tmpl == nil {
		return nil
	}
	if len(usages) == 0 {
		usages = []cmapi.KeyUsage{cmapi.UsageDigitalSignature, cmapi.UsageKeyEncipherment}
	}
	var outside []cmapi.KeyUsage
	for _, u := range usages {
		if name, ok := keyUsageNames[u]; ok && contains(tmpl.KeyUsage, name) {
			continue
		}
		if name, ok := extKeyUsageNames[u]; ok && (contains(tmpl.ExtendedKeyUsage, name) || contains(tmpl.ExtendedKeyUsage, wire.ExtKeyUsageAny)) {
			continue
		}
		outside = append(outside, u)
	}
	return outside
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}
