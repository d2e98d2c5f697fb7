package controller

import (
	"context"
	"fmt"

	cmutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// renewCertificate makes cert-manager issue crt again, the way `cmctl
// renew` does: it sets the Certificate's Issuing condition to True, which
// cert-manager's issuing controllers take as a trigger. A Certificate
// already Issuing is left alone (a renewal is on its way). The write is a
// status update on the object as read, so a concurrent change fails with a
// conflict instead of being overwritten.
func renewCertificate(ctx context.Context, c client.Client, crt *cmapi.Certificate, reason, message string) error {
	if cmutil.CertificateHasCondition(crt, cmapi.CertificateCondition{Type: cmapi.CertificateConditionIssuing, Status: cmmeta.ConditionTrue}) {
		return nil
	}
	crt = crt.DeepCopy()
	cmutil.SetCertificateCondition(crt, crt.Generation, cmapi.CertificateConditionIssuing, cmmeta.ConditionTrue, reason, message)
	if err := c.Status().Update(ctx, crt); err != nil {
		return fmt.Errorf("setting the Issuing condition of Certificate %s/%s: %w", crt.Namespace, crt.Name, err)
	}
	return nil
}
