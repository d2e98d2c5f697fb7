package controller

import (
	"context"
	"fmt"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// UserAgent is sent to the PCA API by every client of this controller.
const UserAgent = "pca-issuer"

// Setup registers the field indexes and the reconcilers with mgr: the
// issuers (PCAIssuer, PCAClusterIssuer) and their trust bundles, the
// requests (CertificateRequest, CertificateSigningRequest), the revocation
// checks of certificates in use, and revoking from the cluster (the
// revoke annotation, revokeSuperseded). The manager's scheme must know
// cert-manager's and this project's kinds.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	opts = opts.withDefaults()
	if err := addIndexes(ctx, mgr); err != nil {
		return err
	}
	cs := newClients(mgr.GetClient(), mgr.GetAPIReader(), opts.ClusterResourceNamespace, UserAgent, endpointPolicyFrom(opts))
	templates := newTemplateCache(opts.IssuerHealthCheckInterval)
	faults := newIssuerFaults()
	pins := newCAPins()
	// Issuer checks of one tenant share slots across both issuer kinds'
	// controllers, apart from the signing slots.
	checkSlots := newIssuerSlots(opts.MaxConcurrentPerTenant)
	events := boundedRecorder{mgr.GetEventRecorder("pca-issuer")}
	bundles := newBundleChains()
	issuers := []*IssuerReconciler{
		{kind: kindIssuer, newIssuer: func() issuerObject { return &v1alpha1.PCAIssuer{} }, newList: func() client.ObjectList { return &v1alpha1.PCAIssuerList{} }},
		{kind: kindClusterIssuer, newIssuer: func() issuerObject { return &v1alpha1.PCAClusterIssuer{} }, newList: func() client.ObjectList { return &v1alpha1.PCAClusterIssuerList{} }},
	}
	for _, r := range issuers {
		r.client, r.clients, r.templates, r.faults, r.pins, r.opts = mgr.GetClient(), cs, templates, faults, pins, opts
		r.slots, r.bundles = checkSlots, bundles
		r.recorder = events
		if err := r.SetupWithManager(mgr); err != nil {
			return fmt.Errorf("setting up the %s controller: %w", r.kind, err)
		}
	}
	if err := setupTrustBundles(mgr, bundles, events, opts); err != nil {
		return err
	}
	p := &pipeline{
		client: mgr.GetClient(), apiReader: mgr.GetAPIReader(), pcaFor: pcaSourceOf(cs), templates: templates,
		faults: faults, slots: newIssuerSlots(opts.MaxConcurrentPerTenant), pins: pins, recorder: events,
		clock: clock.RealClock{}, opts: opts,
	}
	crr := &CertificateRequestReconciler{pipeline: p}
	if err := crr.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the CertificateRequest controller: %w", err)
	}
	csrr := &CertificateSigningRequestReconciler{pipeline: p, pending: newPendingSet()}
	if err := csrr.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the CertificateSigningRequest controller: %w", err)
	}
	if err := setupRevocationChecks(mgr, newRevocationChecker(mgr.GetClient(), mgr.GetAPIReader(), revocationSourceOf(cs), templates, pins, events, opts)); err != nil {
		return err
	}
	return setupRevoking(ctx, mgr, cs, events, opts)
}

// addIndexes adds the field indexes the watches map through.
func addIndexes(ctx context.Context, mgr ctrl.Manager) error {
	idx := mgr.GetFieldIndexer()
	credentialsRef := func(obj client.Object) []string {
		return []string{obj.(v1alpha1.Issuer).GetSpec().CredentialsRef.Name}
	}
	if err := idx.IndexField(ctx, &v1alpha1.PCAIssuer{}, credentialsRefIndex, credentialsRef); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.PCAClusterIssuer{}, credentialsRefIndex, credentialsRef); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &cmapi.CertificateRequest{}, issuerRefIndex, certificateRequestIssuerRef); err != nil {
		return err
	}
	return idx.IndexField(ctx, &certificatesv1.CertificateSigningRequest{}, signerNameIndex, csrSignerName)
}

// certificateRequestIssuerRef is the issuerRefIndex value of a
// CertificateRequest of our group.
func certificateRequestIssuerRef(obj client.Object) []string {
	cr := obj.(*cmapi.CertificateRequest)
	if kind := issuerKind(cr.Spec.IssuerRef); kind != "" {
		return []string{issuerRefKey(kind, cr.Spec.IssuerRef.Name)}
	}
	return nil
}

// csrSignerName is the signerNameIndex value of a CSR naming our signers.
func csrSignerName(obj client.Object) []string {
	csr := obj.(*certificatesv1.CertificateSigningRequest)
	if _, ours := parseSignerName(csr.Spec.SignerName); ours {
		return []string{csr.Spec.SignerName}
	}
	return nil
}
