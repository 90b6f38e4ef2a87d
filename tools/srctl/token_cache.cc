// Reading and writing the login cache (JSON through google.protobuf.Struct).
#include "tools/srctl/token_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/status_macros.h"
#include "tools/srctl/oidc_client.h"

namespace recovery::srctl {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

absl::Status ErrnoError(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

}  // namespace

std::string DefaultTokenCachePath() {
  if (std::string path = Env("RECOVERY_TOKEN_CACHE"); !path.empty()) return path;
  std::string base = Env("XDG_CACHE_HOME");
  if (base.empty()) base = absl::StrCat(Env("HOME"), "/.cache");
  return absl::StrCat(base, "/recovery/token.json");
}

absl::StatusOr<CachedToken> LoadTokenCache(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("no login cache at ", path));
  std::stringstream text;
  text << in.rdbuf();
  const std::string what = absl::StrCat("login cache ", path, " (srctl logout removes it)");
  ASSIGN_OR_RETURN(const google::protobuf::Struct json, ParseJsonObject(text.str(), what));
  CachedToken token;
  token.access_token = StringMember(json, "access_token");
  token.refresh_token = StringMember(json, "refresh_token");
  token.issuer = StringMember(json, "issuer");
  token.client_id = StringMember(json, "client_id");
  token.token_endpoint = StringMember(json, "token_endpoint");
  if (token.access_token.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": no access_token"));
  if (const std::string expires = StringMember(json, "expires_at"); !expires.empty()) {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, expires, &token.expires_at, &err))
      return absl::InvalidArgumentError(absl::StrCat(what, ": expires_at is not RFC3339"));
  }
  return token;
}

absl::Status SaveTokenCache(const std::string& path, const CachedToken& token) {
  google::protobuf::Struct json;
  auto& fields = *json.mutable_fields();
  fields["access_token"].set_string_value(token.access_token);
  if (!token.refresh_token.empty()) fields["refresh_token"].set_string_value(token.refresh_token);
  if (token.expires_at != absl::InfiniteFuture())
    fields["expires_at"].set_string_value(
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", token.expires_at, absl::UTCTimeZone()));
  fields["issuer"].set_string_value(token.issuer);
  fields["client_id"].set_string_value(token.client_id);
  if (!token.token_endpoint.empty()) fields["token_endpoint"].set_string_value(token.token_endpoint);
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  if (!google::protobuf::util::MessageToJsonString(json, &text, options).ok())
    return absl::InternalError("login cache: cannot render JSON");

  const std::filesystem::path file(path);
  if (file.has_parent_path() && !std::filesystem::exists(file.parent_path())) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) return absl::InternalError(absl::StrCat(file.parent_path().string(), ": ", ec.message()));
    std::filesystem::permissions(file.parent_path(), std::filesystem::perms::owner_all, ec);
  }
  const std::string temp = absl::StrCat(path, ".tmp.", getpid());
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError(temp);
  // The umask can only take bits away, but say it anyway: this file holds credentials.
  bool ok = fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  const absl::Status written = ok ? absl::OkStatus() : ErrnoError(temp);
  close(fd);
  if (written.ok() && rename(temp.c_str(), path.c_str()) == 0) return absl::OkStatus();
  const absl::Status failed = written.ok() ? ErrnoError(path) : written;
  unlink(temp.c_str());
  return failed;
}

absl::Status DeleteTokenCache(const std::string& path) {
  if (unlink(path.c_str()) == 0) return absl::OkStatus();
  if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no login cache at ", path));
  return ErrnoError(path);
}

}  // namespace recovery::srctl
