// Where pages may go: the checks on contact-method targets, which people set and so are
// untrusted input. A webhook target must be an https URL (http only with `allow_http`) whose
// host is not an internal address (loopback, link-local incl. the cloud metadata address,
// private, unspecified, multicast, reserved; IPv4-mapped IPv6 forms count as their IPv4
// address) unless an allowed network contains it; an e-mail target must look like an address.
//
// The configuration runs these when it is validated (config.h); the webhook sender runs them
// again on the addresses it resolves at delivery time and connects only to those
// (delivery/senders.h), so a name that resolves elsewhere later is refused too.
// Thread-safety: pure functions (the resolver passed in is the caller's).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/network.h"

namespace recovery::escalation {

// The `delivery:` key of the escalation configuration.
struct WebhookTargetPolicy {
  bool allow_http = false;                          // delivery.allow_http
  std::vector<common::IpNetwork> allowed_networks;  // delivery.allowed_networks
};

// A webhook URL in the strict shape accepted: scheme://host[:port][/path][?query][#fragment].
struct WebhookUrl {
  std::string scheme;  // "https" or "http"
  std::string host;    // lowercase; an IPv6 literal without its brackets
  int port = 0;        // explicit or the scheme's default
  bool host_is_literal = false;
};

// Parses and checks the URL's shape and scheme: printable ASCII without spaces or
// backslashes, no user information ("user@"), no percent-escapes in the host, a port 1-65535,
// no IPv4 address in a non-canonical form ("127.1", "2130706433"), https unless the policy
// allows http. INVALID_ARGUMENT with the reason (no field name: the caller prefixes its own).
absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view url, const WebhookTargetPolicy& policy);

// OK when the policy lets a webhook connect to `address`; otherwise INVALID_ARGUMENT
// "<address> is a loopback address; ...". `host`, when not the address itself, is named as
// "<host> resolves to <address>, a ... address".
absl::Status CheckWebhookAddress(const common::IpAddress& address, const WebhookTargetPolicy& policy,
                                 absl::string_view host = "");

// The configuration-time check of a webhook target: ParseWebhookUrl, then the literal address
// or every address `resolve` gives for the host name through CheckWebhookAddress. A name that
// does not resolve now (NOT_FOUND or UNAVAILABLE) is accepted: DNS may be down while the
// service starts, and the sender checks the addresses again at every delivery. A null
// `resolve` checks literal addresses only.
absl::Status CheckWebhookTarget(absl::string_view url, const WebhookTargetPolicy& policy,
                                const common::HostResolver& resolve);

// local@domain: one '@', a local part of printable ASCII without spaces, quotes, brackets or
// the specials ()<>[]:;,\" (at most 64 characters), a domain of dot-separated labels of
// letters, digits and '-' (at most 253), no CR, LF or other control characters.
absl::Status CheckEmailTarget(absl::string_view address);

}  // namespace recovery::escalation
