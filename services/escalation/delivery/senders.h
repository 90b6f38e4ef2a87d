// Channels that leave the process: webhook (HTTP POST, signed), e-mail (SMTP via libcurl) and
// the log channel (a JSON "PAGE" log line). Each Send blocks for at most its timeout and is
// called without any store transaction open. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "services/escalation/delivery/queue.h"

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

// POST d.payload to d.target with Content-Type: application/json, Idempotency-Key and
// X-Recovery-Signature (when a secret is set), within the settings' webhook_timeout. 2xx =
// delivered.
class WebhookSender final : public Sender {
 public:
  explicit WebhookSender(SettingsProvider settings);
  SendResult Send(const Delivery& d) override;

 private:
  SettingsProvider settings_;
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
