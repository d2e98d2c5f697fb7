// Package netguard keeps the manager from dialling addresses that a tenant
// must not reach through it. A PCAIssuer's url and tokenURL are chosen by
// whoever may write the issuer; without a guard, the manager would call the
// node's own services (loopback), the cloud metadata service (link-local
// 169.254.169.254) or "any address" (unspecified) on the tenant's behalf
// (docs/security.md, "Endpoints").
//
// The check runs on the address actually dialled, after name resolution,
// so a name that resolves to a refused address is refused too.
package netguard

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// Guard decides which addresses may be dialled. The zero value refuses
// every loopback, link-local and unspecified address.
type Guard struct {
	allowed []netip.Prefix
}

// New returns a Guard that also lets through the addresses of allowed
// (for example 127.0.0.0/8 for a PCA emulator on the same host).
func New(allowed []netip.Prefix) *Guard {
	return &Guard{allowed: append([]netip.Prefix(nil), allowed...)}
}

// RefusedError is an address the Guard refused.
type RefusedError struct {
	// Addr is the refused address.
	Addr netip.Addr
	// Kind says why: "loopback", "link-local", "unspecified" or "cloud
	// metadata".
	Kind string
}

// Error names the address, the rule and the flag that lifts it.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to dial %s: %s addresses are not reachable from issuers (the manager's --allowed-networks flag can allow a range)", e.Addr, e.Kind)
}

// Check returns a *RefusedError when addr may not be dialled. IPv4
// addresses written in IPv6 form (mapped, IPv4-compatible, NAT64 and 6to4)
// are judged by the IPv4 address they carry too.
func (g *Guard) Check(addr netip.Addr) error {
	addr = addr.Unmap()
	kind := refusedKind(addr)
	if embedded, ok := embeddedIPv4(addr); ok && kind == "" {
		kind = refusedKind(embedded)
	}
	if kind == "" {
		return nil
	}
	for _, p := range g.allowed {
		if p.Contains(addr) {
			return nil
		}
	}
	return &RefusedError{Addr: addr, Kind: kind}
}

// metadataAddrs are cloud metadata services outside the link-local
// ranges (AWS's IPv6 one, Alibaba Cloud's).
var metadataAddrs = []netip.Addr{netip.MustParseAddr("fd00:ec2::254"), netip.MustParseAddr("100.100.100.200")}

// IPv6 prefixes that carry an IPv4 address: NAT64 (RFC 6052, RFC 8215),
// 6to4 (RFC 3056) and IPv4-compatible addresses (RFC 4291 section 2.5.5.1).
var (
	nat64     = []netip.Prefix{netip.MustParsePrefix("64:ff9b::/96"), netip.MustParsePrefix("64:ff9b:1::/48")}
	sixToFour = netip.MustParsePrefix("2002::/16")
	v4Compat  = netip.MustParsePrefix("::/96")
)

// embeddedIPv4 returns the IPv4 address an IPv6 address carries.
func embeddedIPv4(addr netip.Addr) (netip.Addr, bool) {
	if !addr.Is6() {
		return netip.Addr{}, false
	}
	b := addr.As16()
	for _, p := range nat64 {
		if p.Contains(addr) {
			return netip.AddrFrom4([4]byte(b[12:16])), true
		}
	}
	switch {
	case sixToFour.Contains(addr):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	case v4Compat.Contains(addr) && !addr.IsUnspecified() && !addr.IsLoopback():
		return netip.AddrFrom4([4]byte(b[12:16])), true
	}
	return netip.Addr{}, false
}

// refusedKind names why addr is refused by default, or "" when it is not.
func refusedKind(addr netip.Addr) string {
	for _, m := range metadataAddrs {
		if addr == m {
			return "cloud metadata"
		}
	}
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return "link-local"
	case addr.IsUnspecified():
		return "unspecified"
	}
	return ""
}

// Control is a net.Dialer Control function: it checks the "host:port" that
// is about to be dialled. An address that does not parse as an IP is
// refused, since the dialler only hands resolved addresses to Control.
func (g *Guard) Control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("refusing to dial %q: %w", address, err)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("refusing to dial %q: not an IP address", address)
	}
	return g.Check(addr)
}
