// The console's browser sessions and the sign-ins under way, in the console's store (SQLite or
// PostgreSQL, like every service's), so a restart of the console signs nobody out and a second
// console replica on the same database serves the same sessions.
//
// A session is known by the SHA-256 of its id, never the id itself (the id is the cookie's
// value, 32 random bytes). It holds the person's tokens from the identity provider (the
// console calls the services with the access token and renews it with the refresh token), a
// CSRF token and an absolute expiry. A pending sign-in (state, PKCE verifier, nonce,
// return_to) is taken once, within 10 minutes.
//
// Times come from the injected clock (the real one in the service: tokens are issued in real
// time even when the services run a manual clock). Thread-safety: all methods, at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/common/store.h"
#include "services/console/oidc.h"

namespace recovery::console {

struct Session {
  std::string key;  // SHA-256 hex of the session id
  std::string person;
  TokenSet tokens;
  std::string csrf;
  absl::Time created;
  absl::Time expires;
};

struct LoginRecord {
  std::string verifier;
  std::string nonce;
  std::string return_to;
};

class SessionStore {
 public:
  static constexpr absl::Duration kLoginTtl = absl::Minutes(10);

  SessionStore(common::Store& store, common::Clock& clock, absl::Duration ttl);

  // The console's migration steps (its tables).
  static std::vector<std::string> Migrations();

  absl::Status SaveLogin(const PendingLogin& login, const std::string& return_to);
  // The pending sign-in of `state`, removed as it is read; nullopt when unknown, taken or older
  // than kLoginTtl.
  absl::StatusOr<std::optional<LoginRecord>> TakeLogin(const std::string& state);

  // A new session for `person`; returns its id (the cookie's value).
  absl::StatusOr<std::string> Create(const std::string& person, const TokenSet& tokens);
  // The live session of an id; nullopt for an unknown or expired one (an expired one is removed).
  absl::StatusOr<std::optional<Session>> Find(const std::string& session_id);
  absl::Status UpdateTokens(const std::string& key, const TokenSet& tokens);
  absl::Status Delete(const std::string& key);
  // Removes expired sessions and stale sign-ins; returns how many rows went.
  absl::StatusOr<int64_t> Sweep();

 private:
  common::Store& store_;
  common::Clock& clock_;
  const absl::Duration ttl_;
};

}  // namespace recovery::console
