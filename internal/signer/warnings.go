package signer

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// Warning is a limit of the PCA model met by a request that is still
// signed: Reason is one of the warning reasons above, Message says what
// the certificate will differ in and which template field decides it.
type Warning struct {
	Reason  string
	Message string
}

// UsageWarning returns a v1alpha1.ReasonUsagesFixedByTemplate warning when usages
// (empty meaning cert-manager's default) has values outside tmpl's, else
// nil.
func UsageWarning(usages []cmapi.KeyUsage, tmpl *wire.Template) *Warning {
	outside := UsagesOutsideTemplate(usages, tmpl)
	if len(outside) == 0 {
		return nil
	}
	return &Warning{Reason: v1alpha1.ReasonUsagesFixedByTemplate, Message: fmt.Sprintf(
		"usages %v are not in template %d's keyUsage or extendedKeyUsage; the certificate carries the template's usages %v %v",
		outside, tmpl.ID, tmpl.KeyUsage, tmpl.ExtendedKeyUsage)}
}

// subjectInfoOIDs are the subject attributes of the template's
// subjectInfo (docs/pca-api.md#request-limits, SubjectInfo), by OID: those useCsrOtherFields can copy
// from a CSR.
var subjectInfoOIDs = map[string]string{
	"2.5.4.5":  "serialNumber",
	"2.5.4.6":  "C",
	"2.5.4.8":  "ST",
	"2.5.4.7":  "L",
	"2.5.4.9":  "STREET",
	"2.5.4.17": "postalCode",
	"2.5.4.10": "O",
	"2.5.4.11": "OU",
}

// oidCommonName is id-at-commonName (X.520).
var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// SubjectWarning returns a v1alpha1.ReasonSubjectNotLiteral warning when the CSR's
// subject (e.g. a Certificate's spec.subject or spec.literalSubject) has
// attributes other than the common name that the certificate will not
// carry: all of them when tmpl's useCsrOtherFields is off, else those that
// are not subjectInfo fields. nil otherwise, and for a CSR that does not
// parse (BuildSignRequest reports that).
func SubjectWarning(csrPEM []byte, tmpl *wire.Template) *Warning {
	csr, _, err := parseCSR(csrPEM)
	if err != nil || tmpl == nil {
		return nil
	}
	var dropped []string
	for _, atv := range csr.Subject.Names {
		if atv.Type.Equal(oidCommonName) {
			continue
		}
		if _, known := subjectInfoOIDs[atv.Type.String()]; known && tmpl.UseCsrOtherFields {
			continue
		}
		dropped = append(dropped, attributeString(atv))
	}
	if len(dropped) == 0 {
		return nil
	}
	fix := "set useCsrOtherFields on the template to copy the CSR's subjectInfo fields (serialNumber, C, ST, L, STREET, postalCode, O, OU)"
	if tmpl.UseCsrOtherFields {
		fix = "the template copies only its subjectInfo fields (serialNumber, C, ST, L, STREET, postalCode, O, OU)"
	}
	return &Warning{Reason: v1alpha1.ReasonSubjectNotLiteral, Message: fmt.Sprintf(
		"the subject attributes %s of the request are not copied into the certificate by template %d, whose subject is its subjectInfo and the common name: %s",
		strings.Join(dropped, ", "), tmpl.ID, fix)}
}

// attributeString writes an attribute as NAME=value, by OID when the name
// is not a subjectInfo field.
func attributeString(atv pkix.AttributeTypeAndValue) string {
	name, ok := subjectInfoOIDs[atv.Type.String()]
	if !ok {
		name = atv.Type.String()
	}
	return fmt.Sprintf("%s=%v", name, atv.Value)
}
