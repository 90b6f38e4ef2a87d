// Checkpoint text, signed notes and Ed25519 keys (OpenSSL 3 EVP).
#include "services/audit/domain/checkpoint.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/audit/domain/merkle.h"

namespace recovery::audit {
namespace {

constexpr char kEmDash[] = "\xe2\x80\x94";  // U+2014, what starts a signature line
constexpr char kTimeFormat[] = "%Y-%m-%d%ET%H:%M:%E6SZ";

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }

std::string RawPublic(EVP_PKEY* key) {
  size_t len = 32;
  std::string raw(32, '\0');
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len) != 1 || len != 32) return "";
  return raw;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

bool IsEd25519(EVP_PKEY* key) { return EVP_PKEY_is_a(key, "ED25519") == 1; }

}  // namespace

CheckpointStep StepAfterAppend(int64_t tree_size, int64_t checkpoint_size, const CheckpointPolicy& policy) {
  if (tree_size <= checkpoint_size) return CheckpointStep::kNothing;
  if (tree_size - checkpoint_size >= policy.every_records) return CheckpointStep::kSign;
  if (tree_size == checkpoint_size + 1) return CheckpointStep::kArmTimer;
  return CheckpointStep::kNothing;
}

std::string CheckpointBody(const Checkpoint& c) {
  return absl::StrCat(c.origin, "\n", c.tree_size, "\n", absl::Base64Escape(c.root_hash), "\ntime ",
                      absl::FormatTime(kTimeFormat, c.time, absl::UTCTimeZone()), "\n");
}

absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body) {
  if (body.empty() || body.back() != '\n') return absl::InvalidArgumentError("checkpoint unreadable: no final newline");
  std::vector<absl::string_view> lines = absl::StrSplit(body.substr(0, body.size() - 1), '\n');
  if (lines.size() < 3) return absl::InvalidArgumentError("checkpoint unreadable: fewer than 3 lines");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return absl::InvalidArgumentError("checkpoint unreadable: line 1 (origin) is empty");
  const absl::string_view size = lines[1];
  if (size.empty() || (size.size() > 1 && size[0] == '0') || !absl::SimpleAtoi(size, &c.tree_size) || c.tree_size < 0)
    return absl::InvalidArgumentError("checkpoint unreadable: line 2 (tree size) is not a decimal number");
  if (!absl::Base64Unescape(lines[2], &c.root_hash) || c.root_hash.size() != 32 ||
      absl::Base64Escape(c.root_hash) != lines[2])
    return absl::InvalidArgumentError("checkpoint unreadable: line 3 (root hash) is not base64 of 32 bytes");
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].substr(0, 5) != "time ") continue;  // other extension lines are ignored
    std::string err;
    if (!absl::ParseTime(kTimeFormat, lines[i].substr(5), absl::UTCTimeZone(), &c.time, &err))
      return absl::InvalidArgumentError(absl::StrCat("checkpoint unreadable: line ", i + 1, " (time)"));
  }
  return c;
}

absl::StatusOr<PublicKey> PublicKey::FromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return absl::InvalidArgumentError("public key: not a PEM public key");
  PublicKey out;
  out.key_ = Own(key);
  if (!IsEd25519(key)) return absl::InvalidArgumentError("public key: not an Ed25519 key");
  out.raw_ = RawPublic(key);
  return out;
}

bool PublicKey::Verify(absl::string_view message, absl::string_view signature) const {
  if (!key_ || signature.size() != 64) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key_.get()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string PublicKey::Pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  return BioText(bio);
}

std::string PublicKey::KeyId(absl::string_view name) const {
  std::string buf(name);
  buf.push_back('\n');
  buf.push_back('\x01');
  buf += raw_;
  return merkle::Sha256(buf).substr(0, 4);
}

absl::StatusOr<SigningKey> SigningKey::FromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return absl::InvalidArgumentError("not a PEM private key");
  SigningKey out;
  out.key_ = Own(key);
  if (!IsEd25519(key)) return absl::InvalidArgumentError("not an Ed25519 private key");
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  auto public_key = PublicKey::FromPem(BioText(pub));
  if (!public_key.ok()) return public_key.status();
  out.public_ = *std::move(public_key);
  return out;
}

absl::StatusOr<SigningKey> SigningKey::FromPemFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  auto key = FromPem(text.str());
  if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", key.status().message()));
  return key;
}

absl::StatusOr<SigningKey> SigningKey::Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return absl::InternalError("Ed25519 key generation failed");
  SigningKey generated;
  generated.key_ = Own(key);
  return FromPem(generated.PrivatePem());
}

std::string SigningKey::Sign(absl::string_view message) const {
  std::string sig(64, '\0');
  size_t len = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_.get()) == 1 &&
                  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                                 reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok ? sig : std::string();
}

std::string SigningKey::PrivatePem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(bio);
}

std::string SignCheckpoint(const Checkpoint& checkpoint, const SigningKey& key) {
  const std::string body = CheckpointBody(checkpoint);
  const std::string sig = key.public_key().KeyId(checkpoint.origin) + key.Sign(body);
  return absl::StrCat(body, "\n", kEmDash, " ", checkpoint.origin, " ", absl::Base64Escape(sig), "\n");
}

absl::StatusOr<Checkpoint> VerifyCheckpoint(absl::string_view note, const PublicKey& key) {
  const size_t split = note.find("\n\n");
  if (split == absl::string_view::npos)
    return absl::InvalidArgumentError("checkpoint unreadable: no blank line before the signatures");
  const absl::string_view body = note.substr(0, split + 1);
  auto checkpoint = ParseCheckpointBody(body);
  if (!checkpoint.ok()) return checkpoint.status();
  const std::string want_id = key.KeyId(checkpoint->origin);
  std::vector<std::string> other_ids;
  for (absl::string_view line : absl::StrSplit(note.substr(split + 2), '\n', absl::SkipEmpty())) {
    const std::string prefix = absl::StrCat(kEmDash, " ", checkpoint->origin, " ");
    if (line.substr(0, prefix.size()) != prefix) continue;
    std::string sig;
    if (!absl::Base64Unescape(line.substr(prefix.size()), &sig) || sig.size() != 68) continue;
    if (sig.substr(0, 4) != want_id) {
      other_ids.push_back(KeyIdHex(sig.substr(0, 4)));
      continue;
    }
    if (!key.Verify(body, sig.substr(4)))
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint signature invalid: the signature of key ", KeyIdHex(want_id), " does not verify"));
    return checkpoint;
  }
  if (!other_ids.empty())
    return absl::InvalidArgumentError(absl::StrCat("checkpoint signature invalid: signed by key ",
                                                   absl::StrJoin(other_ids, ", "), ", not by the given key ",
                                                   KeyIdHex(want_id)));
  return absl::InvalidArgumentError(
      absl::StrCat("checkpoint signature invalid: no signature for ", checkpoint->origin));
}

std::string KeyIdHex(absl::string_view key_id) { return absl::BytesToHexString(key_id); }

}  // namespace recovery::audit
