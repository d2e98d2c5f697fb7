package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		addr     string
		allowed  []netip.Prefix
		wantKind string // "" means allowed
	}{
		{addr: "203.0.113.10"},
		{addr: "2001:db8::1"},
		{addr: "10.1.2.3"},
		{addr: "127.0.0.1", wantKind: "loopback"},
		{addr: "127.9.9.9", wantKind: "loopback"},
		{addr: "::1", wantKind: "loopback"},
		{addr: "::ffff:127.0.0.1", wantKind: "loopback"},
		{addr: "169.254.169.254", wantKind: "link-local"},
		{addr: "fe80::1", wantKind: "link-local"},
		{addr: "0.0.0.0", wantKind: "unspecified"},
		{addr: "::", wantKind: "unspecified"},
		{addr: "::127.0.0.1", wantKind: "loopback"},
		{addr: "64:ff9b::7f00:1", wantKind: "loopback"},
		{addr: "64:ff9b::a9fe:a9fe", wantKind: "link-local"},
		{addr: "2002:7f00:1::1", wantKind: "loopback"},
		{addr: "64:ff9b::cb00:710a"},
		{addr: "fd00:ec2::254", wantKind: "cloud metadata"},
		{addr: "100.100.100.200", wantKind: "cloud metadata"},
		{addr: "127.0.0.1", allowed: loopback},
		{addr: "::1", allowed: loopback},
		{addr: "169.254.169.254", allowed: loopback, wantKind: "link-local"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := New(tt.allowed).Check(netip.MustParseAddr(tt.addr))
			var refused *RefusedError
			switch {
			case tt.wantKind == "" && err != nil:
				t.Fatalf("Check = %v, want allowed", err)
			case tt.wantKind != "" && (!errors.As(err, &refused) || refused.Kind != tt.wantKind):
				t.Fatalf("Check = %v, want a %s refusal", err, tt.wantKind)
			}
		})
	}
}

// The guard sits in a real dialler: a listener on loopback is unreachable
// until loopback is allowed.
func TestControlInADialer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	dial := func(g *Guard) error {
		d := net.Dialer{Timeout: 5 * time.Second, Control: g.Control}
		c, err := d.DialContext(context.Background(), "tcp", ln.Addr().String())
		if err == nil {
			_ = c.Close()
		}
		return err
	}
	var refused *RefusedError
	if err := dial(New(nil)); !errors.As(err, &refused) {
		t.Fatalf("dial with the default guard = %v, want a refusal", err)
	}
	if err := dial(New([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})); err != nil {
		t.Fatalf("dial with loopback allowed = %v", err)
	}
}
