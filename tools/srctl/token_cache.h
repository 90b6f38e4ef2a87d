// srctl's login cache: the tokens of the last srctl login, in a file only its owner can read
// (0600), at $RECOVERY_TOKEN_CACHE, else $XDG_CACHE_HOME/recovery/token.json, else
// ~/.cache/recovery/token.json.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace recovery::srctl {

struct CachedToken {
  std::string access_token{};
  std::string refresh_token{};                     // "" when the provider issued none
  absl::Time expires_at = absl::InfiniteFuture();  // of the access token
  std::string issuer{};
  std::string client_id{};
  std::string token_endpoint{};  // from discovery, so that a refresh needs one request, not two
};

// Where the cache lives, from the environment (see the top of this file).
std::string DefaultTokenCachePath();

// NOT_FOUND when there is no cache file; INVALID_ARGUMENT naming the file when it is not one.
absl::StatusOr<CachedToken> LoadTokenCache(const std::string& path);
// Writes a new file (mode 0600, its directory 0700 when made) and renames it over the old one,
// so a reader never sees half a cache and the mode holds whatever the umask.
absl::Status SaveTokenCache(const std::string& path, const CachedToken& token);
// NOT_FOUND when there was none.
absl::Status DeleteTokenCache(const std::string& path);

}  // namespace recovery::srctl
