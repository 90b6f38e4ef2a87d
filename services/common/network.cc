// IP address parsing, classification, CIDR networks and the system resolver (network.h).
#include "services/common/network.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace recovery::common {
namespace {

struct V4Block {
  uint32_t base;
  int prefix;
  AddressClass cls;
};

constexpr uint32_t Ip4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return a << 24 | b << 16 | c << 8 | d; }

// Most specific first is not needed: the blocks do not overlap.
constexpr V4Block kV4Blocks[] = {
    {Ip4(0, 0, 0, 0), 8, AddressClass::kUnspecified},    {Ip4(127, 0, 0, 0), 8, AddressClass::kLoopback},
    {Ip4(169, 254, 0, 0), 16, AddressClass::kLinkLocal}, {Ip4(10, 0, 0, 0), 8, AddressClass::kPrivate},
    {Ip4(172, 16, 0, 0), 12, AddressClass::kPrivate},    {Ip4(192, 168, 0, 0), 16, AddressClass::kPrivate},
    {Ip4(100, 64, 0, 0), 10, AddressClass::kPrivate},    {Ip4(224, 0, 0, 0), 4, AddressClass::kMulticast},
    {Ip4(240, 0, 0, 0), 4, AddressClass::kReserved},     {Ip4(192, 0, 0, 0), 24, AddressClass::kReserved},
    {Ip4(198, 18, 0, 0), 15, AddressClass::kReserved},
};

uint32_t V4Value(const uint8_t* b) {
  return static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 | static_cast<uint32_t>(b[2]) << 8 |
         b[3];
}

AddressClass ClassifyV4(uint32_t v) {
  for (const V4Block& block : kV4Blocks) {
    const uint32_t mask = block.prefix == 0 ? 0 : ~uint32_t{0} << (32 - block.prefix);
    if ((v & mask) == block.base) return block.cls;
  }
  return AddressClass::kPublic;
}

// The first `bits` bits of a and b are equal.
bool PrefixEquals(const uint8_t* a, const uint8_t* b, int bits) {
  const int whole = bits / 8, rest = bits % 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

bool AllZero(const uint8_t* b, int n) {
  return std::all_of(b, b + n, [](uint8_t x) { return x == 0; });
}

bool IsMapped(const uint8_t* b) { return AllZero(b, 10) && b[10] == 0xFF && b[11] == 0xFF; }

}  // namespace

IpAddress IpAddress::V4(std::array<uint8_t, 4> bytes) {
  IpAddress a;
  a.family_ = Family::kV4;
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  return a;
}

IpAddress IpAddress::V6(std::array<uint8_t, 16> bytes) {
  IpAddress a;
  a.family_ = Family::kV6;
  a.bytes_ = bytes;
  return a;
}

IpAddress IpAddress::Unmapped() const {
  if (is_v4() || !IsMapped(bytes_.data())) return *this;
  return V4({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
  return buf;
}

std::optional<IpAddress> ParseIpAddress(absl::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  std::array<uint8_t, 16> b{};
  if (::inet_pton(AF_INET, s.c_str(), b.data()) == 1) return IpAddress::V4({b[0], b[1], b[2], b[3]});
  if (::inet_pton(AF_INET6, s.c_str(), b.data()) == 1) return IpAddress::V6(b);
  return std::nullopt;
}

bool IsNonCanonicalIpv4(absl::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  const std::string s(text);
  in_addr addr{};
  return ::inet_aton(s.c_str(), &addr) != 0 && !ParseIpAddress(text).has_value();
}

std::optional<IpAddress> IpAddressFromSockaddr(const struct sockaddr* addr) {
  if (addr == nullptr) return std::nullopt;
  if (addr->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, addr, sizeof(in));
    std::array<uint8_t, 4> b{};
    std::memcpy(b.data(), &in.sin_addr, 4);
    return IpAddress::V4(b);
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, addr, sizeof(in6));
    std::array<uint8_t, 16> b{};
    std::memcpy(b.data(), &in6.sin6_addr, 16);
    return IpAddress::V6(b);
  }
  return std::nullopt;
}

AddressClass ClassifyAddress(const IpAddress& address) {
  const uint8_t* b = address.bytes();
  if (address.is_v4()) return ClassifyV4(V4Value(b));
  if (AllZero(b, 16)) return AddressClass::kUnspecified;
  if (AllZero(b, 15) && b[15] == 1) return AddressClass::kLoopback;
  // Forms that carry an IPv4 address: mapped, compatible (deprecated), NAT64, 6to4.
  if (IsMapped(b) || AllZero(b, 12)) return ClassifyV4(V4Value(b + 12));
  static constexpr uint8_t kNat64[12] = {0x00, 0x64, 0xff, 0x9b};
  if (std::memcmp(b, kNat64, 12) == 0) return ClassifyV4(V4Value(b + 12));
  if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(V4Value(b + 2));
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::kLinkLocal;  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::kPrivate;    // fec0::/10 site-local
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::kPrivate;                    // fc00::/7 unique local
  if (b[0] == 0xff) return AddressClass::kMulticast;
  static constexpr uint8_t kDiscard[8] = {0x01, 0x00};
  if (std::memcmp(b, kDiscard, 8) == 0) return AddressClass::kReserved;  // 100::/64
  return AddressClass::kPublic;
}

absl::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "unknown";
}

bool IsCloudMetadataAddress(const IpAddress& address) {
  const IpAddress a = address.Unmapped();
  static const IpAddress kV4 = *ParseIpAddress("169.254.169.254");
  static const IpAddress kV6 = *ParseIpAddress("fd00:ec2::254");
  return a == kV4 || a == kV6;
}

bool IpNetwork::Contains(const IpAddress& a) const {
  const IpAddress candidate = address.is_v4() ? a.Unmapped() : a;
  if (candidate.family() != address.family()) return false;
  return PrefixEquals(candidate.bytes(), address.bytes(), prefix_length);
}

std::string IpNetwork::ToString() const { return absl::StrCat(address.ToString(), "/", prefix_length); }

absl::StatusOr<IpNetwork> ParseIpNetwork(absl::string_view text) {
  const auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid network '", std::string(text.substr(0, 64)), "': ", why,
                                                   " (CIDR such as 10.1.0.0/16 or fd00::/8)"));
  };
  const size_t slash = text.find('/');
  const std::optional<IpAddress> address = ParseIpAddress(text.substr(0, slash));
  if (!address) return invalid("not an IP address");
  IpNetwork net{*address, address->bit_length()};
  if (slash != absl::string_view::npos) {
    const absl::string_view len = text.substr(slash + 1);
    int n = -1;
    if (len.empty() || len.size() > 3 ||
        !std::all_of(len.begin(), len.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        !absl::SimpleAtoi(len, &n) || n < 0 || n > address->bit_length()) {
      return invalid(absl::StrCat("the prefix length must be 0 to ", address->bit_length()));
    }
    net.prefix_length = n;
  }
  // Host bits set means a typo or a misunderstanding: say which network was meant.
  std::array<uint8_t, 16> masked{};
  std::memcpy(masked.data(), address->bytes(), address->bit_length() / 8);
  for (int bit = net.prefix_length; bit < address->bit_length(); ++bit) masked[bit / 8] &= ~(0x80 >> (bit % 8));
  const IpAddress base =
      address->is_v4() ? IpAddress::V4({masked[0], masked[1], masked[2], masked[3]}) : IpAddress::V6(masked);
  if (base != *address) {
    return invalid(absl::StrCat("host bits are set (the network is ", base.ToString(), "/", net.prefix_length, ")"));
  }
  return net;
}

bool AnyContains(const std::vector<IpNetwork>& networks, const IpAddress& a) {
  return std::any_of(networks.begin(), networks.end(), [&](const IpNetwork& n) { return n.Contains(a); });
}

absl::StatusOr<std::vector<IpAddress>> ResolveHost(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (rc != 0) {
    const std::string why = rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc);
    const std::string message = absl::StrCat("cannot resolve ", host, ": ", why);
    if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_FAIL) return absl::NotFoundError(message);
    return absl::UnavailableError(message);
  }
  std::vector<IpAddress> out;
  for (const addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    std::optional<IpAddress> a = IpAddressFromSockaddr(ai->ai_addr);
    if (a && std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
  }
  ::freeaddrinfo(result);
  if (out.empty()) return absl::NotFoundError(absl::StrCat("cannot resolve ", host, ": no addresses"));
  return out;
}

}  // namespace recovery::common
