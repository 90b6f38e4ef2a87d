// Channels that leave the process: webhook (HTTP POST, signed), e-mail (SMTP via libcurl) and
// the log channel (a JSON "PAGE" log line). Each Send blocks for at most its timeout (plus the
// webhook's name resolution) and is called without any store transaction open. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/common/network.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/domain/target_policy.h"

namespace recovery::escalation::delivery {

// Settings that come from the YAML (`webhook_secret`, `smtp`, `smtp_from`, `webhook_timeout`)
// and the environment (RECOVERY_WEBHOOK_SECRET wins over the YAML); reloadable, so senders
// ask for them per send.
struct DeliverySettings {
  std::string webhook_secret;
  std::string smtp_url;  // e.g. smtp://mail.example.com:25
  std::string smtp_from = "recovery-escalation@localhost";
  // How long one webhook POST may take; shorter than the delivery lease (DeliveryOptions).
  absl::Duration webhook_timeout = absl::Seconds(5);
  // Where webhooks may go: the configuration's `delivery:` key (target_policy.h).
  WebhookTargetPolicy webhook_targets{};
  // Secrets being rotated out: version 2 signs with them too, after the current one
  // (`webhook_previous_secrets`; RECOVERY_WEBHOOK_PREVIOUS_SECRETS, comma-separated, wins).
  std::vector<std::string> webhook_previous_secrets;
  // Which signature headers a signed webhook carries (`webhook_signatures: [v2]` by default;
  // [v1] for receivers that only know version 1, [v1, v2] while they move over).
  bool sign_v1 = false;
  bool sign_v2 = true;
};
using SettingsProvider = std::function<DeliverySettings()>;

struct SendResult {
  bool ok = false;
  std::string error;       // empty when ok
  bool permanent = false;  // retrying cannot help (e.g. channel not configured): fail now
};

class Sender {
 public:
  virtual ~Sender() = default;
  virtual SendResult Send(const Delivery& d) = 0;
};

// POST d.payload to d.target with Content-Type: application/json, Idempotency-Key and, when
// a secret is set, the signature headers the settings ask for (signature.h: version 2 by
// default, version 1 behind `webhook_signatures`), within the settings' webhook_timeout. 2xx =
// delivered.
//
// Before anything is sent the target is checked again, as the configuration was
// (target_policy.h: scheme, shape), and its host is resolved here with `resolve`; every
// address it resolves to must pass CheckWebhookAddress, and curl is pinned to those addresses
// (CURLOPT_RESOLVE), and a socket is opened only to one of them (CURLOPT_OPENSOCKETFUNCTION),
// so a name that resolves elsewhere after validation (DNS rebinding) reaches nothing. A refused
// target is a permanent failure ("refused: ..."): the page fails at once, it is not retried.
// A name that does not resolve is an ordinary (retried) failure. Redirects are not followed:
// a 3xx answer is a permanent failure. Proxies from the environment are not used.
class WebhookSender final : public Sender {
 public:
  // `clock` stamps version 2 signatures (t=); it outlives the sender.
  explicit WebhookSender(SettingsProvider settings, common::HostResolver resolve = common::ResolveHost,
                         const common::Clock& clock = common::SystemClock::Instance());
  SendResult Send(const Delivery& d) override;

 private:
  SettingsProvider settings_;
  common::HostResolver resolve_;
  const common::Clock& clock_;
};

// Sends d.payload (JSON) as a mail to d.target through the configured SMTP URL: Subject from
// d.subject (control characters removed, RFC 2047 when not ASCII), Message-ID from the
// idempotency key, Date from d.created_at. A refused recipient or message is a failed attempt.
class SmtpSender final : public Sender {
 public:
  explicit SmtpSender(SettingsProvider settings, absl::Duration timeout = absl::Seconds(10));
  SendResult Send(const Delivery& d) override;

 private:
  SettingsProvider settings_;
  absl::Duration timeout_;
};

// Writes one JSON log line with msg "PAGE" (or "REMINDER"); always delivered.
class LogSender final : public Sender {
 public:
  SendResult Send(const Delivery& d) override;
};

}  // namespace recovery::escalation::delivery
