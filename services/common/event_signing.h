// Signed events: every producing service signs the exact bytes of each event envelope it
// publishes (Ed25519), and consumers verify them before anything is applied, so a writer to
// the topic who holds no service's key cannot make a service believe, say, a
// PageAcknowledged it never sent.
//
// On the wire (Kafka headers beside "type" and "event_id"; the value is unchanged):
//   sig_key  the signing key's id, e.g. "escalation"
//   sig      base64url without padding of the 64-byte Ed25519 signature over the value
//
// The verifying side reads a key file (--event-verify-keys, services/common/README.md):
//   require: true                  # unsigned events are rejected too (default false)
//   keys:
//     - id: escalation
//       public_key_file: escalation.pub.pem   # relative to this file; or public_key: <PEM>
//       sources: [escalation]      # the envelope sources the key may sign (default [id])
// A signature by an unknown key, one that does not verify, or one by a key that may not
// sign for the envelope's source is always rejected; an unsigned event only with require.
// Thread-safety: both classes are immutable after construction and safe to share.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "recovery/v1/events.pb.h"
#include "services/common/crypto.h"

namespace recovery::common {

inline constexpr char kSignatureKeyHeader[] = "sig_key";
inline constexpr char kSignatureHeader[] = "sig";

class EventSigner {
 public:
  EventSigner(std::string key_id, Ed25519SigningKey key) : key_id_(std::move(key_id)), key_(std::move(key)) {}
  // The PKCS#8 PEM private key in `path`; errors name `flag`.
  static absl::StatusOr<std::shared_ptr<const EventSigner>> FromFile(const std::string& key_id, const std::string& path,
                                                                     absl::string_view flag);
  const std::string& key_id() const { return key_id_; }
  // The "sig" header's text for these value bytes.
  std::string Sign(std::string_view value) const;

 private:
  std::string key_id_;
  Ed25519SigningKey key_;
};

// Why an event was rejected (the metric label) and the dead letter's reason.
struct SignatureRejection {
  std::string metric;  // unsigned | unknown_key | bad_signature | wrong_source
  std::string reason;  // "rejected: ..."
};

class EventVerifier {
 public:
  struct Key {
    Ed25519PublicKey public_key;
    std::set<std::string> sources;
  };
  EventVerifier(std::map<std::string, Key> keys, bool require) : keys_(std::move(keys)), require_(require) {}
  // The key file above; errors name `flag`, the file and the key path.
  static absl::StatusOr<std::shared_ptr<const EventVerifier>> FromFile(const std::string& path, absl::string_view flag);

  // nullopt: the event may be handled. `key_id`/`signature` are the headers as received
  // (empty when absent); `event` is the parsed envelope of `value`.
  std::optional<SignatureRejection> Check(std::string_view value, std::string_view key_id, std::string_view signature,
                                          const recovery::v1::Event& event) const;
  bool require() const { return require_; }
  size_t keys() const { return keys_.size(); }

 private:
  std::map<std::string, Key> keys_;
  bool require_;
};

}  // namespace recovery::common
