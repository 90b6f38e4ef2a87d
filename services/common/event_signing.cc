// Event envelope signatures: signing for the outbox relay, verification for the consumer.
#include "services/common/event_signing.h"

#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/status_macros.h"
#include "services/common/yaml_fields.h"

namespace recovery::common {
namespace yf = recovery::yaml_fields;

absl::StatusOr<std::shared_ptr<const EventSigner>> EventSigner::FromFile(const std::string& key_id,
                                                                         const std::string& path,
                                                                         absl::string_view flag) {
  if (key_id.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, ": the key id is empty"));
  auto key = Ed25519SigningKey::FromPemFile(path);
  if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat(flag, ": ", key.status().message()));
  return std::make_shared<const EventSigner>(key_id, *std::move(key));
}

std::string EventSigner::Sign(std::string_view value) const {
  return absl::WebSafeBase64Escape(key_.Sign(absl::string_view(value.data(), value.size())));
}

absl::StatusOr<std::shared_ptr<const EventVerifier>> EventVerifier::FromFile(const std::string& path,
                                                                             absl::string_view flag) {
  auto wrap = [&](const absl::Status& s) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, ": ", s.message()));
  };
  auto root = yf::LoadFile(path);
  if (!root.ok()) return absl::InvalidArgumentError(absl::StrCat(flag, ": ", root.status().message()));
  if (auto s = yf::ExpectMap(*root, "", {"require", "keys"}); !s.ok()) return wrap(s);
  auto require = yf::OptionalBool(*root, "", "require", false);
  if (!require.ok()) return wrap(require.status());
  const YAML::Node list = (*root)["keys"];
  if (auto s = yf::ExpectSequence(list, "keys", false); !s.ok()) return wrap(s);
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::map<std::string, Key> keys;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = yf::Index("keys", i);
    const YAML::Node node = list[i];
    if (auto s = yf::ExpectMap(node, at, {"id", "public_key", "public_key_file", "sources"}); !s.ok()) return wrap(s);
    auto id = yf::RequiredString(node, at, "id");
    if (!id.ok()) return wrap(id.status());
    if (keys.count(*id)) return wrap(yf::Error(yf::Key(at, "id"), absl::StrCat("'", *id, "' is listed twice")));
    auto pem = yf::OptionalString(node, at, "public_key");
    auto file = yf::OptionalString(node, at, "public_key_file");
    if (!pem.ok()) return wrap(pem.status());
    if (!file.ok()) return wrap(file.status());
    if (pem->empty() == file->empty())
      return wrap(yf::Error(at, "give exactly one of public_key (PEM) and public_key_file"));
    std::filesystem::path p(*file);
    if (p.is_relative()) p = dir / p;
    auto key = file->empty() ? Ed25519PublicKey::FromPem(*pem) : Ed25519PublicKey::FromPemFile(p.string());
    if (!key.ok()) {
      const bool unreadable = key.status().code() == absl::StatusCode::kNotFound;
      return wrap(yf::Error(unreadable ? yf::Key(at, "public_key_file") : at, key.status().message()));
    }
    auto sources = yf::StringList(node, at, "sources");
    if (!sources.ok()) return wrap(sources.status());
    Key entry{*std::move(key), {sources->begin(), sources->end()}};
    if (entry.sources.empty()) entry.sources.insert(*id);
    keys.emplace(*id, std::move(entry));
  }
  return std::make_shared<const EventVerifier>(std::move(keys), *require);
}

std::optional<SignatureRejection> EventVerifier::Check(std::string_view value_view, std::string_view key_view,
                                                       std::string_view signature_view,
                                                       const recovery::v1::Event& event) const {
  // This Abseil's string_view is its own type, not std::string_view.
  const absl::string_view value(value_view.data(), value_view.size());
  const absl::string_view key_id(key_view.data(), key_view.size());
  const absl::string_view signature(signature_view.data(), signature_view.size());
  if (key_id.empty() && signature.empty()) {
    if (!require_) return std::nullopt;
    return SignatureRejection{"unsigned", "rejected: the event is not signed (no sig_key and sig headers)"};
  }
  const auto it = keys_.find(std::string(key_id));
  if (key_id.empty() || it == keys_.end())
    return SignatureRejection{
        "unknown_key", absl::StrCat("rejected: signed by unknown key '", absl::CHexEscape(key_id.substr(0, 64)), "'")};
  std::string raw;
  if (!absl::WebSafeBase64Unescape(signature, &raw) || !it->second.public_key.Verify(value, raw))
    return SignatureRejection{"bad_signature",
                              absl::StrCat("rejected: the signature by key '", key_id, "' does not verify")};
  if (!it->second.sources.count(event.source()))
    return SignatureRejection{"wrong_source",
                              absl::StrCat("rejected: key '", key_id, "' may not sign events of source '",
                                           absl::CHexEscape(event.source().substr(0, 64)), "' (it signs for ",
                                           absl::StrJoin(it->second.sources, ", "), ")")};
  return std::nullopt;
}

}  // namespace recovery::common
