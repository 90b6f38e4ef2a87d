// Webhook and e-mail target checks (target_policy.h).
#include "services/escalation/domain/target_policy.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace recovery::escalation {
namespace {

constexpr size_t kMaxUrl = 2048;

absl::Status Invalid(absl::string_view why) { return absl::InvalidArgumentError(why); }

bool IsHostChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_'; }

}  // namespace

absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view url, const WebhookTargetPolicy& policy) {
  if (url.empty()) return Invalid("required");
  if (url.size() > kMaxUrl) return Invalid(absl::StrCat("longer than ", kMaxUrl, " characters"));
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return Invalid("must be printable ASCII without spaces (percent-encode the rest)");
    if (c == '\\') return Invalid("must not contain a backslash");
  }
  const size_t sep = url.find("://");
  if (sep == absl::string_view::npos) return Invalid("not a URL (use https://host/path)");
  WebhookUrl out;
  out.scheme = absl::AsciiStrToLower(url.substr(0, sep));
  if (out.scheme == "http") {
    if (!policy.allow_http) return Invalid("http is not allowed (use https, or set delivery.allow_http)");
  } else if (out.scheme != "https") {
    return Invalid(absl::StrCat("unsupported scheme '", out.scheme, "' (use https)"));
  }
  const absl::string_view rest = url.substr(sep + 3);
  const absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (absl::StrContains(authority, '@')) return Invalid("must not contain user information (user@host)");
  absl::string_view port_text;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return Invalid("unterminated IPv6 address ([...])");
    const absl::string_view literal = authority.substr(1, close - 1);
    std::optional<common::IpAddress> a = common::ParseIpAddress(literal);
    if (!a || a->is_v4()) return Invalid(absl::StrCat("'", literal, "' is not an IPv6 address"));
    out.host = a->ToString();
    out.host_is_literal = true;
    const absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Invalid("unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return Invalid("empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    const absl::string_view host = authority.substr(0, colon);
    if (host.empty()) return Invalid("no host");
    if (host.size() > 253) return Invalid("the host name is longer than 253 characters");
    if (!std::all_of(host.begin(), host.end(), IsHostChar)) {
      return Invalid(absl::StrCat("'", host, "' is not a host name (letters, digits, '-', '.'; IDNs in punycode)"));
    }
    if (common::IsNonCanonicalIpv4(host)) {
      return Invalid(absl::StrCat("'", host, "' is an IPv4 address in a non-canonical form (write it as a.b.c.d)"));
    }
    out.host = absl::AsciiStrToLower(host);
    out.host_is_literal = common::ParseIpAddress(out.host).has_value();
    if (colon != absl::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Invalid("empty port");
    }
  }
  out.port = out.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), absl::ascii_isdigit) ||
        !absl::SimpleAtoi(port_text, &port) || port < 1 || port > 65535) {
      return Invalid(absl::StrCat("invalid port '", port_text, "' (1-65535)"));
    }
    out.port = port;
  }
  return out;
}

absl::Status CheckWebhookAddress(const common::IpAddress& address, const WebhookTargetPolicy& policy,
                                 absl::string_view host) {
  const common::AddressClass cls = common::ClassifyAddress(address);
  if (cls == common::AddressClass::kPublic || common::AnyContains(policy.allowed_networks, address)) {
    return absl::OkStatus();
  }
  const std::string what = absl::StrCat(common::AddressClassName(cls), " address",
                                        common::IsCloudMetadataAddress(address) ? " (the cloud metadata address)" : "");
  const std::string subject = host.empty() || host == address.ToString()
                                  ? absl::StrCat(address.ToString(), " is a ", what)
                                  : absl::StrCat(host, " resolves to ", address.ToString(), ", a ", what);
  return Invalid(absl::StrCat(subject, "; webhooks may not reach internal networks unless delivery.allowed_networks",
                              " contains the address"));
}

absl::Status CheckWebhookTarget(absl::string_view url, const WebhookTargetPolicy& policy,
                                const common::HostResolver& resolve) {
  absl::StatusOr<WebhookUrl> parsed = ParseWebhookUrl(url, policy);
  if (!parsed.ok()) return parsed.status();
  if (parsed->host_is_literal) return CheckWebhookAddress(*common::ParseIpAddress(parsed->host), policy);
  if (!resolve) return absl::OkStatus();
  absl::StatusOr<std::vector<common::IpAddress>> addresses = resolve(parsed->host);
  if (!addresses.ok()) {
    // Not resolvable now: the sender resolves and checks again at every delivery.
    if (absl::IsNotFound(addresses.status()) || absl::IsUnavailable(addresses.status())) return absl::OkStatus();
    return Invalid(addresses.status().message());
  }
  for (const common::IpAddress& a : *addresses) {
    if (absl::Status s = CheckWebhookAddress(a, policy, parsed->host); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckEmailTarget(absl::string_view address) {
  if (address.empty()) return Invalid("required");
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n') return Invalid("must not contain CR or LF");
    if (u < 0x20 || u == 0x7F) return Invalid("must not contain control characters");
    if (c == ' ') return Invalid("must not contain spaces");
    if (u >= 0x80) return Invalid("must be ASCII (write the domain in punycode)");
  }
  if (address.size() > 254) return Invalid("longer than 254 characters");
  const size_t at = address.find('@');
  if (at == absl::string_view::npos || address.find('@', at + 1) != absl::string_view::npos) {
    return Invalid(absl::StrCat("'", address, "' is not an e-mail address (local@domain)"));
  }
  const absl::string_view local = address.substr(0, at), domain = address.substr(at + 1);
  if (local.empty() || local.size() > 64) return Invalid("the local part (before '@') must have 1 to 64 characters");
  for (char c : local) {
    if (absl::string_view("()<>[]:;,\\\"").find(c) != absl::string_view::npos) {
      return Invalid(absl::StrCat("the local part must not contain '", std::string(1, c), "'"));
    }
  }
  if (local.front() == '.' || local.back() == '.' || absl::StrContains(local, "..")) {
    return Invalid("the local part must not start or end with '.' or hold '..'");
  }
  if (domain.empty() || domain.size() > 253) return Invalid("the domain (after '@') must have 1 to 253 characters");
  for (absl::string_view label : absl::StrSplit(domain, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), [](char c) { return absl::ascii_isalnum(c) || c == '-'; })) {
      return Invalid(absl::StrCat("'", domain, "' is not a domain name (labels of letters, digits and '-')"));
    }
  }
  return absl::OkStatus();
}

}  // namespace recovery::escalation
