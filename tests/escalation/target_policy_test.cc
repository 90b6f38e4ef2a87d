// Contact-method target checks (domain/target_policy.h): the strict webhook URL shape, which
// addresses a webhook may reach under a policy, and e-mail addresses.
#include "services/escalation/domain/target_policy.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/escalation/test_util.h"

namespace recovery::escalation {
namespace {

using ::testing::HasSubstr;
using testing_util::FakeResolver;

WebhookTargetPolicy HttpAllowed(std::vector<std::string> networks = {}) {
  WebhookTargetPolicy p;
  p.allow_http = true;
  for (const std::string& n : networks) p.allowed_networks.push_back(*common::ParseIpNetwork(n));
  return p;
}

std::string UrlError(const std::string& url, const WebhookTargetPolicy& policy = {}) {
  return std::string(ParseWebhookUrl(url, policy).status().message());
}

TEST(WebhookUrlTest, SplitsSchemeHostAndPort) {
  absl::StatusOr<WebhookUrl> u = ParseWebhookUrl("https://Hooks.Example.com/pages/alice?x=1", {});
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_FALSE(u->host_is_literal);
  u = ParseWebhookUrl("http://127.0.0.1:9/a", HttpAllowed());
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 9);
  EXPECT_TRUE(u->host_is_literal);
  u = ParseWebhookUrl("https://[0:0::1]:8443", {});
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8443);
  EXPECT_TRUE(u->host_is_literal);
}

TEST(WebhookUrlTest, HttpNeedsTheConfigurationToAllowIt) {
  EXPECT_EQ(UrlError("http://hooks.example.com/a"), "http is not allowed (use https, or set delivery.allow_http)");
  EXPECT_TRUE(ParseWebhookUrl("http://hooks.example.com/a", HttpAllowed()).ok());
  EXPECT_EQ(UrlError("ftp://hooks.example.com/a"), "unsupported scheme 'ftp' (use https)");
  EXPECT_EQ(UrlError("hooks.example.com/a"), "not a URL (use https://host/path)");
}

TEST(WebhookUrlTest, AmbiguousShapesAreRefused) {
  EXPECT_EQ(UrlError("https://user:pw@hooks.example.com/"), "must not contain user information (user@host)");
  EXPECT_EQ(UrlError("https://evil.example\\@hooks.example.com/"), "must not contain a backslash");
  EXPECT_EQ(UrlError("https://hooks.example.com /a"),
            "must be printable ASCII without spaces (percent-encode the rest)");
  EXPECT_EQ(UrlError("https://hooks.example.com\r\n/a"),
            "must be printable ASCII without spaces (percent-encode the rest)");
  EXPECT_EQ(UrlError("https://%31%32%37.0.0.1/"),
            "'%31%32%37.0.0.1' is not a host name (letters, digits, '-', '.'; IDNs in punycode)");
  EXPECT_EQ(UrlError("https://2130706433/"),
            "'2130706433' is an IPv4 address in a non-canonical form (write it as a.b.c.d)");
  EXPECT_EQ(UrlError("https://127.1/"), "'127.1' is an IPv4 address in a non-canonical form (write it as a.b.c.d)");
  EXPECT_EQ(UrlError("https://0x7f.0.0.1/"),
            "'0x7f.0.0.1' is an IPv4 address in a non-canonical form (write it as a.b.c.d)");
  EXPECT_EQ(UrlError("https://[fe80::1%25eth0]/"), "'fe80::1%25eth0' is not an IPv6 address");
  EXPECT_EQ(UrlError("https://hooks.example.com:0/"), "invalid port '0' (1-65535)");
  EXPECT_EQ(UrlError("https://hooks.example.com:99999/"), "invalid port '99999' (1-65535)");
  EXPECT_EQ(UrlError("https://hooks.example.com:/"), "empty port");
  EXPECT_EQ(UrlError("https:///a"), "no host");
  EXPECT_EQ(UrlError(""), "required");
}

TEST(WebhookAddressTest, InternalAddressesAreRefusedNamingTheirKind) {
  EXPECT_EQ(CheckWebhookAddress(*common::ParseIpAddress("169.254.169.254"), {}).message(),
            "169.254.169.254 is a link-local address (the cloud metadata address); webhooks may not reach internal "
            "networks unless delivery.allowed_networks contains the address");
  EXPECT_EQ(CheckWebhookAddress(*common::ParseIpAddress("::ffff:127.0.0.1"), {}).message(),
            "::ffff:127.0.0.1 is a loopback address; webhooks may not reach internal networks unless "
            "delivery.allowed_networks contains the address");
  EXPECT_EQ(CheckWebhookAddress(*common::ParseIpAddress("10.0.0.5"), {}, "pager.internal").message(),
            "pager.internal resolves to 10.0.0.5, a private address; webhooks may not reach internal networks unless "
            "delivery.allowed_networks contains the address");
  EXPECT_TRUE(CheckWebhookAddress(*common::ParseIpAddress("8.8.8.8"), {}).ok());
}

TEST(WebhookAddressTest, AnAllowedNetworkLetsItsAddressesThroughAndNoOthers) {
  const WebhookTargetPolicy policy = HttpAllowed({"10.1.0.0/16", "127.0.0.1"});
  EXPECT_TRUE(CheckWebhookAddress(*common::ParseIpAddress("10.1.4.4"), policy).ok());
  EXPECT_TRUE(CheckWebhookAddress(*common::ParseIpAddress("127.0.0.1"), policy).ok());
  EXPECT_TRUE(CheckWebhookAddress(*common::ParseIpAddress("::ffff:127.0.0.1"), policy).ok());
  EXPECT_FALSE(CheckWebhookAddress(*common::ParseIpAddress("127.0.0.2"), policy).ok());
  EXPECT_FALSE(CheckWebhookAddress(*common::ParseIpAddress("10.2.0.1"), policy).ok());
  EXPECT_FALSE(CheckWebhookAddress(*common::ParseIpAddress("::1"), policy).ok());
}

TEST(WebhookTargetTest, EveryAddressANameResolvesToIsChecked) {
  const common::HostResolver dns =
      FakeResolver({{"hooks.example.com", {"93.184.216.34"}}, {"split.example.com", {"93.184.216.34", "10.0.0.9"}}});
  EXPECT_TRUE(CheckWebhookTarget("https://hooks.example.com/a", {}, dns).ok());
  EXPECT_EQ(CheckWebhookTarget("https://split.example.com/a", {}, dns).message(),
            "split.example.com resolves to 10.0.0.9, a private address; webhooks may not reach internal networks "
            "unless delivery.allowed_networks contains the address");
  // Not resolvable now: accepted, the sender checks again at every delivery.
  EXPECT_TRUE(CheckWebhookTarget("https://not-yet.example.com/a", {}, dns).ok());
  EXPECT_EQ(CheckWebhookTarget("http://127.0.0.1:9/", HttpAllowed(), dns).message(),
            "127.0.0.1 is a loopback address; webhooks may not reach internal networks unless "
            "delivery.allowed_networks contains the address");
}

TEST(EmailTargetTest, AddressesMustLookLikeLocalAtDomain) {
  for (const char* ok : {"alice@example.com", "oncall+p1@firm.example", "a@localhost", "o'brien@x-y.example"}) {
    EXPECT_TRUE(CheckEmailTarget(ok).ok()) << ok;
  }
  EXPECT_EQ(CheckEmailTarget("alice@example.com\r\nBcc: eve@evil.example").message(), "must not contain CR or LF");
  EXPECT_EQ(CheckEmailTarget("alice @example.com").message(), "must not contain spaces");
  EXPECT_EQ(CheckEmailTarget("alice\t@example.com").message(), "must not contain control characters");
  EXPECT_EQ(CheckEmailTarget("alice").message(), "'alice' is not an e-mail address (local@domain)");
  EXPECT_EQ(CheckEmailTarget("a@b@example.com").message(), "'a@b@example.com' is not an e-mail address (local@domain)");
  EXPECT_EQ(CheckEmailTarget("@example.com").message(), "the local part (before '@') must have 1 to 64 characters");
  EXPECT_EQ(CheckEmailTarget("<alice>@example.com").message(), "the local part must not contain '<'");
  EXPECT_EQ(CheckEmailTarget("alice@").message(), "the domain (after '@') must have 1 to 253 characters");
  EXPECT_EQ(CheckEmailTarget("alice@exa_mple.com").message(),
            "'exa_mple.com' is not a domain name (labels of letters, digits and '-')");
  EXPECT_EQ(CheckEmailTarget("alice@example..com").message(),
            "'example..com' is not a domain name (labels of letters, digits and '-')");
  EXPECT_EQ(CheckEmailTarget("al..ice@example.com").message(),
            "the local part must not start or end with '.' or hold '..'");
  EXPECT_EQ(CheckEmailTarget("").message(), "required");
}

}  // namespace
}  // namespace recovery::escalation
