package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// testKeys are one public key of each kind, made once: RSA generation is
// slow.
var testKeys = sync.OnceValue(func() map[string]crypto.PublicKey {
	keys := map[string]crypto.PublicKey{}
	for _, bits := range []int{2048, 3072, 4096} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			panic(err)
		}
		keys[DescribeKey(k.Public())] = k.Public()
	}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			panic(err)
		}
		keys[DescribeKey(k.Public())] = k.Public()
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	keys[DescribeKey(pub)] = pub
	return keys
})

func tmplOf(id int64, alg string, size int) *wire.Template {
	return &wire.Template{ID: id, KeyInfo: wire.KeyInfo{Algorithm: alg, KeySize: size}}
}

func TestDescribeKeyNamesEveryKind(t *testing.T) {
	keys := testKeys()
	for _, want := range []string{"RSA 2048", "RSA 3072", "RSA 4096", "EC P-256", "EC P-384", "EC P-521", "Ed25519"} {
		if _, ok := keys[want]; !ok {
			t.Errorf("no key described as %q; got %v", want, keys)
		}
	}
	if got := DescribeKey("not a key"); !strings.Contains(got, "unsupported") {
		t.Errorf("DescribeKey(string) = %q, want it called unsupported", got)
	}
}

func TestDescribeKeyInfo(t *testing.T) {
	cases := []struct {
		tmpl *wire.Template
		want string
	}{
		{tmplOf(1, "RSA", 2048), "RSA 2048"},
		{tmplOf(1, "EC", 384), "EC P-384"},
		{tmplOf(1, "ECDSA", 521), "EC P-521"},
		{tmplOf(1, "ED25519", 256), "Ed25519"},
		{&wire.Template{KeyAlgorithm: "EC", KeyLength: 256}, "EC P-256"},
		{&wire.Template{}, "no keyInfo"},
	}
	for _, tc := range cases {
		if got := DescribeKeyInfo(tc.tmpl); got != tc.want {
			t.Errorf("DescribeKeyInfo(%+v) = %q, want %q", tc.tmpl.KeyInfo, got, tc.want)
		}
	}
}

func TestKeyFits(t *testing.T) {
	keys := testKeys()
	cases := []struct {
		key  string
		tmpl *wire.Template
		want bool
	}{
		{"RSA 2048", tmplOf(1, "RSA", 2048), true},
		{"RSA 3072", tmplOf(1, "RSA", 2048), true}, // keySize is a floor for RSA
		{"RSA 4096", tmplOf(1, "RSA", 4096), true},
		{"RSA 2048", tmplOf(1, "RSA", 3072), false},
		{"RSA 2048", tmplOf(1, "EC", 256), false},
		{"EC P-256", tmplOf(1, "EC", 256), true},
		{"EC P-256", tmplOf(1, "ECDSA", 256), true},
		{"EC P-384", tmplOf(1, "EC", 384), true},
		{"EC P-384", tmplOf(1, "EC", 256), false}, // EC must be on the keySize curve
		{"EC P-521", tmplOf(1, "EC", 521), true},
		{"EC P-521", tmplOf(1, "RSA", 2048), false},
		{"Ed25519", tmplOf(1, "ED25519", 256), true},
		{"Ed25519", tmplOf(1, "ED25519", 0), true},
		{"Ed25519", tmplOf(1, "EC", 256), false},
		{"EC P-256", &wire.Template{KeyAlgorithm: "EC", KeyLength: 256}, true}, // keyAlgorithm/keyLength when keyInfo is empty
		{"EC P-256", &wire.Template{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.key+"/"+DescribeKeyInfo(tc.tmpl), func(t *testing.T) {
			if got := KeyFits(keys[tc.key], tc.tmpl); got != tc.want {
				t.Errorf("KeyFits(%s, %s) = %v, want %v", tc.key, DescribeKeyInfo(tc.tmpl), got, tc.want)
			}
		})
	}
}

func TestChooseTemplate(t *testing.T) {
	keys := testKeys()
	rsa2048, rsa4096 := tmplOf(1, "RSA", 2048), tmplOf(2, "RSA", 4096)
	p256, p384, ed := tmplOf(3, "EC", 256), tmplOf(4, "EC", 384), tmplOf(5, "ED25519", 256)
	bootstrap := []*wire.Template{rsa2048, p256, ed}
	cases := []struct {
		name       string
		key        string
		candidates []*wire.Template
		want       *wire.Template
	}{
		{"rsa-2048-first-candidate", "RSA 2048", bootstrap, rsa2048},
		{"rsa-3072-longer-than-rsa-2048", "RSA 3072", bootstrap, rsa2048},
		{"rsa-4096-prefers-the-exact-size", "RSA 4096", []*wire.Template{rsa2048, p256, rsa4096}, rsa4096},
		{"ec-p256-from-allowed", "EC P-256", bootstrap, p256},
		{"ec-p384-own-template", "EC P-384", append(bootstrap, p384), p384},
		{"ed25519-last-in-list", "Ed25519", bootstrap, ed},
		{"first-fit-in-list-order", "EC P-256", []*wire.Template{rsa2048, tmplOf(9, "EC", 256), p256}, tmplOf(9, "EC", 256)},
		{"nil-candidates-skipped", "EC P-256", []*wire.Template{nil, p256}, p256},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ChooseTemplate(keys[tc.key], tc.candidates)
			if err != nil || got.ID != tc.want.ID {
				t.Fatalf("ChooseTemplate(%s) = %+v, %v; want template %d", tc.key, got, err, tc.want.ID)
			}
		})
	}
}

func TestChooseTemplateNoneFits(t *testing.T) {
	keys := testKeys()
	for _, key := range []string{"RSA 2048", "EC P-384", "EC P-521", "Ed25519"} {
		t.Run(key, func(t *testing.T) {
			candidates := []*wire.Template{tmplOf(7, "RSA", 4096), tmplOf(8, "EC", 256)}
			if key == "RSA 2048" {
				candidates = []*wire.Template{tmplOf(7, "RSA", 4096), tmplOf(8, "EC", 256), tmplOf(10, "ED25519", 256)}
			}
			got, err := ChooseTemplate(keys[key], candidates)
			var p *PermanentError
			if got != nil || !errors.As(err, &p) || p.Reason != v1alpha1.ReasonNoTemplateForKey {
				t.Fatalf("ChooseTemplate = %+v, %v; want a %s PermanentError", got, err, v1alpha1.ReasonNoTemplateForKey)
			}
			for _, part := range []string{key, "template 7 (RSA 4096)", "template 8 (EC P-256)", "spec.allowedTemplateIds"} {
				if !strings.Contains(p.Message, part) {
					t.Errorf("message %q does not name %q", p.Message, part)
				}
			}
		})
	}
	if _, err := ChooseTemplate(keys["EC P-256"], nil); !strings.Contains(err.Error(), "no template") {
		t.Errorf("no candidates: %v", err)
	}
}
