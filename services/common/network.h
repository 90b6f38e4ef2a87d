// IP addresses and networks: literal parsing, classification (loopback, private, link-local,
// ...), CIDR networks for allow-lists, and the system resolver. What a service that sends to
// targets people configure (webhooks) needs to refuse internal addresses (SSRF).
//
// Everything here is pure except ResolveHost, which blocks on getaddrinfo.
// Thread-safety: plain values and free functions; ResolveHost is safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sockaddr;

namespace recovery::common {

class IpAddress {
 public:
  enum class Family { kV4, kV6 };

  static IpAddress V4(std::array<uint8_t, 4> bytes);
  static IpAddress V6(std::array<uint8_t, 16> bytes);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  // 4 bytes for IPv4, 16 for IPv6, network order.
  const uint8_t* bytes() const { return bytes_.data(); }
  int bit_length() const { return is_v4() ? 32 : 128; }
  // The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is; this address otherwise.
  // A socket connecting to the mapped form reaches the IPv4 host.
  IpAddress Unmapped() const;
  // inet_ntop's text: "127.0.0.1", "::1", "::ffff:10.0.0.1".
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family_ == b.family_ && a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) { return !(a == b); }

 private:
  Family family_ = Family::kV4;
  std::array<uint8_t, 16> bytes_{};
};

// A literal address as inet_pton reads it: dotted-quad IPv4 (not "127.1", "0x7f.0.0.1" or
// "2130706433") or IPv6 without brackets or zone ("::1", "fe80::1"). nullopt otherwise.
std::optional<IpAddress> ParseIpAddress(absl::string_view text);
// True for an IPv4 address in a form that inet_aton (and so getaddrinfo and some URL parsers)
// reads as an address but ParseIpAddress does not: "127.1", "0x7f.1", "017700000001", "2130706433".
bool IsNonCanonicalIpv4(absl::string_view text);
// The address of an AF_INET / AF_INET6 socket address; nullopt for other families.
std::optional<IpAddress> IpAddressFromSockaddr(const struct sockaddr* addr);

// What kind of network an address belongs to. IPv6 forms that carry an IPv4 address (mapped
// ::ffff:0:0/96, compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are classified by the
// IPv4 address they carry.
enum class AddressClass {
  kPublic,
  kUnspecified,  // 0.0.0.0/8, ::
  kLoopback,     // 127.0.0.0/8, ::1
  kLinkLocal,    // 169.254.0.0/16 (incl. the cloud metadata address 169.254.169.254), fe80::/10
  kPrivate,      // 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT), fc00::/7, fec0::/10
  kMulticast,    // 224.0.0.0/4, ff00::/8
  kReserved,     // 240.0.0.0/4 (incl. broadcast), 192.0.0.0/24, 198.18.0.0/15, 100::/64
};
AddressClass ClassifyAddress(const IpAddress& address);
// "public", "unspecified", "loopback", "link-local", "private", "multicast", "reserved".
absl::string_view AddressClassName(AddressClass c);
// 169.254.169.254 or fd00:ec2::254: the instance metadata service of the big clouds.
bool IsCloudMetadataAddress(const IpAddress& address);

// An address block in CIDR notation, host bits zero.
struct IpNetwork {
  IpAddress address;
  int prefix_length = 0;

  // True when `a` (or the IPv4 address an IPv4-mapped `a` is) lies in this network.
  bool Contains(const IpAddress& a) const;
  std::string ToString() const;  // "10.1.0.0/16"
};
// "10.1.0.0/16", "fd00::/8"; a bare address is a single host (/32, /128). INVALID_ARGUMENT
// (with no field name; callers prefix their own) for anything else, including set host bits
// ("10.1.2.3/16").
absl::StatusOr<IpNetwork> ParseIpNetwork(absl::string_view text);
bool AnyContains(const std::vector<IpNetwork>& networks, const IpAddress& a);

// Resolves a host name (or literal address) to its IPv4 and IPv6 addresses, without
// duplicates, in the resolver's order. NOT_FOUND when the name does not exist, UNAVAILABLE
// for a temporary failure. Blocks for as long as the system resolver takes.
using HostResolver = std::function<absl::StatusOr<std::vector<IpAddress>>(const std::string& host)>;
absl::StatusOr<std::vector<IpAddress>> ResolveHost(const std::string& host);

}  // namespace recovery::common
