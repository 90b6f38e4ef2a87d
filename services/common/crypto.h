// The primitives every service signs and hashes with (OpenSSL 3 EVP): SHA-256 and Ed25519
// keys. Audit's Merkle log and checkpoints use them, and so do the services' event signatures
// (event_signing.h).
// Thread-safety: the key classes are immutable after construction and safe to share.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace recovery::common {

std::string Sha256(absl::string_view bytes);  // 32 raw bytes

// An Ed25519 public key.
class Ed25519PublicKey {
 public:
  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), as Pem() writes it.
  static absl::StatusOr<Ed25519PublicKey> FromPem(absl::string_view pem);
  // NOT_FOUND when the file cannot be read; errors name the file.
  static absl::StatusOr<Ed25519PublicKey> FromPemFile(const std::string& path);
  bool Verify(absl::string_view message, absl::string_view signature) const;
  const std::string& raw() const { return raw_; }  // 32 bytes
  std::string Pem() const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
  std::string raw_;
};

// An Ed25519 private key.
class Ed25519SigningKey {
 public:
  // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), as `openssl genpkey -algorithm ed25519` writes.
  static absl::StatusOr<Ed25519SigningKey> FromPem(absl::string_view pem);
  // Errors name the file.
  static absl::StatusOr<Ed25519SigningKey> FromPemFile(const std::string& path);
  static absl::StatusOr<Ed25519SigningKey> Generate();
  std::string Sign(absl::string_view message) const;  // 64 bytes
  std::string PrivatePem() const;
  const Ed25519PublicKey& public_key() const { return public_; }

 private:
  std::shared_ptr<EVP_PKEY> key_;
  Ed25519PublicKey public_;
};

}  // namespace recovery::common
