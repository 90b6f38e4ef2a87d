// IP literals, address classification (with the IPv6 forms that carry an IPv4 address), CIDR
// networks and the system resolver on /etc/hosts' localhost.
#include "services/common/network.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace recovery::common {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

IpAddress Ip(const std::string& text) {
  std::optional<IpAddress> a = ParseIpAddress(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(IpAddress());
}

std::string ClassOf(const std::string& text) { return std::string(AddressClassName(ClassifyAddress(Ip(text)))); }

TEST(IpAddressTest, LiteralsParseOnlyInTheirCanonicalForms) {
  EXPECT_EQ(Ip("127.0.0.1").ToString(), "127.0.0.1");
  EXPECT_EQ(Ip("0:0:0:0:0:0:0:1").ToString(), "::1");
  EXPECT_TRUE(Ip("::ffff:10.0.0.1").ToString() == "::ffff:10.0.0.1");
  for (const char* text : {"127.1", "0x7f.0.0.1", "2130706433", "0177.0.0.1", "[::1]", "fe80::1%eth0", "", "host"}) {
    EXPECT_FALSE(ParseIpAddress(text).has_value()) << text;
  }
}

TEST(IpAddressTest, NonCanonicalIpv4FormsAreRecognised) {
  for (const char* text : {"127.1", "0x7f.0.0.1", "2130706433", "0177.0.0.1", "017700000001"}) {
    EXPECT_TRUE(IsNonCanonicalIpv4(text)) << text;
  }
  for (const char* text : {"127.0.0.1", "hooks.example.com", "::1", "1.2.3.4.5"}) {
    EXPECT_FALSE(IsNonCanonicalIpv4(text)) << text;
  }
}

TEST(ClassifyAddressTest, InternalRangesAreClassified) {
  EXPECT_EQ(ClassOf("127.0.0.1"), "loopback");
  EXPECT_EQ(ClassOf("127.255.0.9"), "loopback");
  EXPECT_EQ(ClassOf("::1"), "loopback");
  EXPECT_EQ(ClassOf("169.254.169.254"), "link-local");
  EXPECT_EQ(ClassOf("fe80::1"), "link-local");
  EXPECT_EQ(ClassOf("febf::1"), "link-local");
  EXPECT_EQ(ClassOf("10.1.2.3"), "private");
  EXPECT_EQ(ClassOf("172.16.0.1"), "private");
  EXPECT_EQ(ClassOf("172.31.255.255"), "private");
  EXPECT_EQ(ClassOf("192.168.1.1"), "private");
  EXPECT_EQ(ClassOf("100.64.0.1"), "private");
  EXPECT_EQ(ClassOf("fc00::1"), "private");
  EXPECT_EQ(ClassOf("fd12:3456::1"), "private");
  EXPECT_EQ(ClassOf("0.0.0.0"), "unspecified");
  EXPECT_EQ(ClassOf("::"), "unspecified");
  EXPECT_EQ(ClassOf("224.0.0.1"), "multicast");
  EXPECT_EQ(ClassOf("ff02::1"), "multicast");
  EXPECT_EQ(ClassOf("255.255.255.255"), "reserved");
}

TEST(ClassifyAddressTest, PublicAddressesAreNeighboursOfThePrivateOnes) {
  for (const char* text : {"8.8.8.8", "172.15.255.255", "172.32.0.0", "192.169.0.1", "169.253.255.255", "11.0.0.1",
                           "100.128.0.0", "2001:4860:4860::8888", "fbff::1"}) {
    EXPECT_EQ(ClassOf(text), "public") << text;
  }
}

TEST(ClassifyAddressTest, Ipv6FormsCarryingAnIpv4AddressAreClassifiedByIt) {
  EXPECT_EQ(ClassOf("::ffff:127.0.0.1"), "loopback");
  EXPECT_EQ(ClassOf("::ffff:169.254.169.254"), "link-local");
  EXPECT_EQ(ClassOf("::ffff:10.0.0.1"), "private");
  EXPECT_EQ(ClassOf("::ffff:0.0.0.0"), "unspecified");
  EXPECT_EQ(ClassOf("::127.0.0.1"), "loopback");          // IPv4-compatible (deprecated)
  EXPECT_EQ(ClassOf("64:ff9b::a00:1"), "private");        // NAT64 of 10.0.0.1
  EXPECT_EQ(ClassOf("2002:a9fe:a9fe::1"), "link-local");  // 6to4 of 169.254.169.254
  EXPECT_EQ(ClassOf("::ffff:8.8.8.8"), "public");
  EXPECT_TRUE(IsCloudMetadataAddress(Ip("::ffff:169.254.169.254")));
  EXPECT_FALSE(IsCloudMetadataAddress(Ip("169.254.169.253")));
}

TEST(IpNetworkTest, ParsesCidrAndBareAddresses) {
  absl::StatusOr<IpNetwork> net = ParseIpNetwork("10.1.0.0/16");
  ASSERT_TRUE(net.ok()) << net.status();
  EXPECT_TRUE(net->Contains(Ip("10.1.255.3")));
  EXPECT_FALSE(net->Contains(Ip("10.2.0.1")));
  EXPECT_FALSE(net->Contains(Ip("::1")));
  EXPECT_EQ(net->ToString(), "10.1.0.0/16");
  absl::StatusOr<IpNetwork> host = ParseIpNetwork("127.0.0.1");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->prefix_length, 32);
  EXPECT_TRUE(host->Contains(Ip("127.0.0.1")));
  EXPECT_FALSE(host->Contains(Ip("127.0.0.2")));
  absl::StatusOr<IpNetwork> v6 = ParseIpNetwork("fd00::/8");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_TRUE(v6->Contains(Ip("fd12::1")));
  EXPECT_FALSE(v6->Contains(Ip("fc00::1")));
  absl::StatusOr<IpNetwork> all = ParseIpNetwork("0.0.0.0/0");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->Contains(Ip("192.168.0.1")));
}

TEST(IpNetworkTest, AnIpv4NetworkContainsTheMappedFormOfItsAddresses) {
  const IpNetwork loopback = *ParseIpNetwork("127.0.0.0/8");
  EXPECT_TRUE(loopback.Contains(Ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(loopback.Contains(Ip("::ffff:10.0.0.1")));
}

TEST(IpNetworkTest, MalformedNetworksAreRefusedWithWhy) {
  EXPECT_THAT(ParseIpNetwork("10.1.2.3/16").status().message(),
              HasSubstr("invalid network '10.1.2.3/16': host bits are set (the network is 10.1.0.0/16)"));
  EXPECT_THAT(ParseIpNetwork("10.0.0.0/33").status().message(), HasSubstr("the prefix length must be 0 to 32"));
  EXPECT_THAT(ParseIpNetwork("::/129").status().message(), HasSubstr("the prefix length must be 0 to 128"));
  for (const char* text : {"10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/8x", "localhost/8", "10.0.0/8", ""}) {
    EXPECT_EQ(ParseIpNetwork(text).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(ResolveHostTest, LocalhostResolvesToLoopbackAndLiteralsToThemselves) {
  absl::StatusOr<std::vector<IpAddress>> local = ResolveHost("localhost");
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_THAT(*local, Contains(Ip("127.0.0.1")));
  for (const IpAddress& a : *local) EXPECT_EQ(ClassifyAddress(a), AddressClass::kLoopback) << a.ToString();
  absl::StatusOr<std::vector<IpAddress>> literal = ResolveHost("192.0.2.7");
  ASSERT_TRUE(literal.ok()) << literal.status();
  EXPECT_EQ(*literal, std::vector<IpAddress>{Ip("192.0.2.7")});
}

}  // namespace
}  // namespace recovery::common
