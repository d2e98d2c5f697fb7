package signer

import (
	"slices"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestFitDuration(t *testing.T) {
	year := &wire.Template{MaxTTL: "31536000"}
	cases := []struct {
		name       string
		requested  time.Duration
		tmpl       *wire.Template
		want       time.Duration
		wantCapped bool
	}{
		{"within-max-ttl", 24 * time.Hour, year, 24 * time.Hour, false},
		{"over-max-ttl-is-capped", 2 * 365 * 24 * time.Hour, year, 365 * 24 * time.Hour, true},
		{"zero-means-cert-manager-default", 0, year, cmapi.DefaultCertificateDuration, false},
		{"no-max-ttl-no-cap", 20 * 365 * 24 * time.Hour, &wire.Template{}, 20 * 365 * 24 * time.Hour, false},
		{"unparsable-max-ttl-no-cap", time.Hour, &wire.Template{MaxTTL: "1y"}, time.Hour, false},
		{"nil-template-no-cap", time.Hour, nil, time.Hour, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, capped := FitDuration(tc.requested, tc.tmpl)
			if got != tc.want || capped != tc.wantCapped {
				t.Errorf("FitDuration = %s, %v; want %s, %v", got, capped, tc.want, tc.wantCapped)
			}
		})
	}
}

func TestUsagesOutsideTemplate(t *testing.T) {
	server := &wire.Template{
		KeyUsage:         []string{wire.KeyUsageDigitalSignature, wire.KeyUsageKeyEncipherment},
		ExtendedKeyUsage: []string{wire.ExtKeyUsageServerAuth},
	}
	cases := []struct {
		name   string
		usages []cmapi.KeyUsage
		tmpl   *wire.Template
		want   []cmapi.KeyUsage
	}{
		{"all-within", []cmapi.KeyUsage{cmapi.UsageDigitalSignature, cmapi.UsageServerAuth}, server, nil},
		{"default-usages-within", nil, server, nil},
		{"client-auth-outside", []cmapi.KeyUsage{cmapi.UsageServerAuth, cmapi.UsageClientAuth}, server, []cmapi.KeyUsage{cmapi.UsageClientAuth}},
		{"no-template-value", []cmapi.KeyUsage{cmapi.UsageSMIME}, server, []cmapi.KeyUsage{cmapi.UsageSMIME}},
		{"any-eku-covers-all", []cmapi.KeyUsage{cmapi.UsageCodeSigning}, &wire.Template{ExtendedKeyUsage: []string{wire.ExtKeyUsageAny}}, nil},
		{"key-usage-outside", []cmapi.KeyUsage{cmapi.UsageCertSign}, server, []cmapi.KeyUsage{cmapi.UsageCertSign}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := UsagesOutsideTemplate(tc.usages, tc.tmpl); !slices.Equal(got, tc.want) {
				t.Errorf("UsagesOutsideTemplate = %v, want %v", got, tc.want)
			}
		})
	}
}
