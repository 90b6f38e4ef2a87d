// SHA-256 and Ed25519 keys over OpenSSL 3 EVP.
#include "services/common/crypto.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace recovery::common {
namespace {

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

// Key::FromPem over a file's text; NOT_FOUND when it cannot be read, errors name the file.
template <typename Key>
absl::StatusOr<Key> FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  auto key = Key::FromPem(text.str());
  if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", key.status().message()));
  return key;
}

}  // namespace

std::string Sha256(absl::string_view bytes) {
  // Fetched once: OpenSSL 3 looks the algorithm up again on every EVP_sha256() digest.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, sha256, nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return absl::InvalidArgumentError("public key: not a PEM public key");
  Ed25519PublicKey out;
  out.key_ = Own(key);
  if (!IsEd25519(key)) return absl::InvalidArgumentError("public key: not an Ed25519 key");
  out.raw_ = RawPublic(key);
  return out;
}

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromPemFile(const std::string& path) {
  return FromFile<Ed25519PublicKey>(path);
}

bool Ed25519PublicKey::Verify(absl::string_view message, absl::string_view signature) const {
  if (!key_ || signature.size() != 64) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key_.get()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string Ed25519PublicKey::Pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  return BioText(bio);
}

absl::StatusOr<Ed25519SigningKey> Ed25519SigningKey::FromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return absl::InvalidArgumentError("not a PEM private key");
  Ed25519SigningKey out;
  out.key_ = Own(key);
  if (!IsEd25519(key)) return absl::InvalidArgumentError("not an Ed25519 private key");
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  auto public_key = Ed25519PublicKey::FromPem(BioText(pub));
  if (!public_key.ok()) return public_key.status();
  out.public_ = *std::move(public_key);
  return out;
}

absl::StatusOr<Ed25519SigningKey> Ed25519SigningKey::FromPemFile(const std::string& path) {
  return FromFile<Ed25519SigningKey>(path);
}

absl::StatusOr<Ed25519SigningKey> Ed25519SigningKey::Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return absl::InternalError("Ed25519 key generation failed");
  Ed25519SigningKey generated;
  generated.key_ = Own(key);
  return FromPem(generated.PrivatePem());
}

std::string Ed25519SigningKey::Sign(absl::string_view message) const {
  std::string sig(64, '\0');
  size_t len = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_.get()) == 1 &&
                  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                                 reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok ? sig : std::string();
}

std::string Ed25519SigningKey::PrivatePem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(bio);
}

}  // namespace recovery::common
