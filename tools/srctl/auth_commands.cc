// srctl's identity commands: logging in with the device authorisation grant (RFC 8628) and the
// login cache, showing who the token names, and making API tokens for integrations. Only
// login (and a refresh) talk to the identity provider; token create talks to no one.
#include <fstream>
#include <iostream>
#include <optional>
#include <ostream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "services/common/status_macros.h"
#include "tools/srctl/api_token.h"
#include "tools/srctl/command.h"
#include "tools/srctl/credentials.h"
#include "tools/srctl/oidc_client.h"
#include "tools/srctl/printer.h"
#include "tools/srctl/token_cache.h"

namespace recovery::srctl {
namespace {

// The issuer the local stack runs, written next to its .addr files.
std::string StackIssuer(const std::string& stack_dir) {
  std::ifstream in(absl::StrCat(stack_dir, "/issuer"));
  std::string issuer;
  std::getline(in, issuer);
  return std::string(absl::StripAsciiWhitespace(issuer));
}

std::string When(absl::Time t) {
  if (t == absl::InfiniteFuture()) return "never";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

class LoginCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--issuer", issuer_, "the identity provider's issuer URL (default: the stack's <stack>/issuer)")
        ->envname("RECOVERY_ISSUER");
    cmd.add_option("--client-id", client_id_, "the OAuth client srctl is registered as")->capture_default_str();
    cmd.add_option("--user", user_, "the account to sign in as (sent as login_hint; the provider still asks)");
    cmd.add_option("--scope", scope_)->capture_default_str();
    cmd.add_flag("--print-token", print_token_, "print only the access token (the login is cached all the same)");
  }

  absl::Status Run(Session& session) const {
    const std::string issuer = issuer_.empty() ? StackIssuer(session.stack_dir()) : issuer_;
    if (issuer.empty())
      return absl::FailedPreconditionError(
          "--issuer: no identity provider: pass --issuer URL, set RECOVERY_ISSUER, or start the stack (it writes "
          "<stack>/issuer)");
    const HttpOptions http = session.Http();
    ASSIGN_OR_RETURN(const ProviderEndpoints provider, Discover(issuer, http));
    const DeviceRequest request{.client_id = client_id_, .scope = scope_, .login_hint = user_};
    ASSIGN_OR_RETURN(const DeviceAuthorization authorization,
                     StartDeviceAuthorization(provider, request, http, session.clock()));
    // On stderr, so that --print-token leaves only the token on stdout.
    const std::string& uri = authorization.verification_uri_complete.empty() ? authorization.verification_uri
                                                                             : authorization.verification_uri_complete;
    std::cerr << "To sign in, open this address in a browser:\n  " << EscapeForTerminal(uri) << "\n"
              << "and check that it shows the code " << EscapeForTerminal(authorization.user_code) << "\n"
              << "Waiting for the sign-in (until " << When(authorization.expires_at) << ")...\n";
    ASSIGN_OR_RETURN(const TokenSet tokens, PollDeviceToken(provider, request, authorization, http, session.clock()));
    const CachedToken cached{.access_token = tokens.access_token,
                             .refresh_token = tokens.refresh_token,
                             .expires_at = tokens.expires_at,
                             .issuer = issuer,
                             .client_id = client_id_,
                             .token_endpoint = provider.token_endpoint};
    RETURN_IF_ERROR(SaveTokenCache(session.token_cache(), cached));
    if (print_token_) {
      session.PrintText(tokens.access_token + "\n");
      return absl::OkStatus();
    }
    absl::StatusOr<google::protobuf::Struct> claims = UnverifiedJwtClaims(tokens.access_token);
    const std::string subject = claims.ok() ? StringMember(*claims, "sub") : "";
    session.PrintText(absl::StrCat("logged in", subject.empty() ? "" : " as " + subject, "; token cached in ",
                                   session.token_cache(), ", expires ", When(tokens.expires_at),
                                   tokens.refresh_token.empty() ? " (no refresh token: log in again then)" : "", "\n"));
    return absl::OkStatus();
  }

 private:
  std::string issuer_, client_id_ = "srctl", user_, scope_ = "openid offline_access";
  bool print_token_ = false;
};

class LogoutCommand {
 public:
  void AddFlags(CLI::App&) {}

  absl::Status Run(Session& session) const {
    const absl::Status deleted = DeleteTokenCache(session.token_cache());
    if (absl::IsNotFound(deleted)) {
      session.PrintText(absl::StrCat("not logged in (no cache at ", session.token_cache(), ")\n"));
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(deleted);
    session.PrintText(absl::StrCat("logged out: removed ", session.token_cache(), "\n"));
    return absl::OkStatus();
  }
};

std::string OriginText(const Session& session, TokenOrigin origin) {
  switch (origin) {
    case TokenOrigin::kFlag:
      return "--token";
    case TokenOrigin::kEnvironment:
      return "RECOVERY_TOKEN";
    case TokenOrigin::kCache:
      return absl::StrCat("the login cache ", session.token_cache());
    case TokenOrigin::kNone:
      break;
  }
  return "none";
}

// A claim as text: strings as they are, lists joined, numbers as integers (exp, iat).
std::string ClaimText(const google::protobuf::Struct& claims, const std::string& name) {
  auto it = claims.fields().find(name);
  if (it == claims.fields().end()) return "";
  const google::protobuf::Value& v = it->second;
  switch (v.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return v.string_value();
    case google::protobuf::Value::kNumberValue:
      return absl::StrCat(static_cast<int64_t>(v.number_value()));
    case google::protobuf::Value::kListValue: {
      std::vector<std::string> items;
      for (const auto& item : v.list_value().values())
        items.push_back(item.kind_case() == google::protobuf::Value::kStringValue ? item.string_value() : "?");
      return absl::StrJoin(items, ", ");
    }
    case google::protobuf::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    default:
      return "";
  }
}

class WhoamiCommand {
 public:
  void AddFlags(CLI::App&) {}

  // What the token srctl would send says about its holder, decoded here without checking the
  // signature: only the services' verdict counts.
  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const BearerToken token, session.Token());
    if (token.value.empty()) return absl::NotFoundError("not logged in: run srctl login or pass --token");
    absl::StatusOr<google::protobuf::Struct> claims = UnverifiedJwtClaims(token.value);
    if (!claims.ok()) {
      session.PrintText(absl::StrCat("token from ", OriginText(session, token.origin),
                                     ": not a JWT (an API token is opaque: the service knows whom it names)\n"));
      return absl::OkStatus();
    }
    std::ostringstream out;
    out << "token from " << OriginText(session, token.origin) << " (unverified: decoded here, not checked)\n";
    for (const char* claim : {"sub", "email", "groups", "client_id", "iss", "aud"}) {
      const std::string text = ClaimText(*claims, claim);
      if (!text.empty()) out << "  " << claim << ": " << EscapeForTerminal(text) << "\n";
    }
    const std::string exp = ClaimText(*claims, "exp");
    int64_t seconds = 0;
    if (absl::SimpleAtoi(exp, &seconds)) {
      const absl::Time expires = absl::FromUnixSeconds(seconds);
      const absl::Duration left = expires - session.clock().Now();
      out << "  expires: " << When(expires)
          << (left > absl::ZeroDuration()
                  ? absl::StrCat(" (in ", absl::FormatDuration(absl::Trunc(left, absl::Seconds(1))), ")")
                  : " (expired)")
          << "\n";
    }
    session.Print(*claims, [&](std::ostream& o) { o << out.str(); });
    return absl::OkStatus();
  }
};

class TokenShowCommand {
 public:
  void AddFlags(CLI::App&) {}

  // The token srctl would send (refreshed first when it came from the cache), for scripts:
  // export RECOVERY_TOKEN=$(srctl token show).
  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const BearerToken token, session.Token());
    if (token.value.empty()) return absl::NotFoundError("not logged in: run srctl login or pass --token");
    session.PrintText(token.value + "\n");
    return absl::OkStatus();
  }
};

class TokenCreateCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--name", name_, "what the token is for (e.g. monitoring, survey-tool)")->required();
    cmd.add_option("--roles", roles_, "its roles, comma-separated (e.g. integration)")->required()->delimiter(',');
    cmd.add_option("--expires", expires_, "RFC3339 instant after which the services refuse it (default: never)");
  }

  // The token goes to stdout once and is kept nowhere; the entry holds only its SHA-256.
  absl::Status Run(Session& session) const {
    std::optional<absl::Time> expires;
    if (!expires_.empty()) {
      absl::Time t;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, expires_, &t, &err))
        return absl::InvalidArgumentError("--expires: not an RFC3339 instant (e.g. 2027-01-01T00:00:00Z)");
      if (t <= session.clock().Now()) return absl::InvalidArgumentError("--expires: already in the past");
      expires = t;
    }
    ASSIGN_OR_RETURN(const std::string token, NewApiToken());
    const std::string sha256 = Sha256Hex(token);
    ASSIGN_OR_RETURN(const std::string entry, ApiTokenEntry(name_, sha256, roles_, expires));
    google::protobuf::Struct json;
    auto& fields = *json.mutable_fields();
    fields["token"].set_string_value(token);
    fields["name"].set_string_value(name_);
    fields["sha256"].set_string_value(sha256);
    for (const std::string& role : roles_) fields["roles"].mutable_list_value()->add_values()->set_string_value(role);
    if (expires) fields["expires"].set_string_value(When(*expires));
    fields["entry"].set_string_value(entry);
    session.Print(json, [&](std::ostream& out) { out << token << "\n" << entry << "\n"; });
    if (!session.json())
      std::cerr << "The token (first line) is shown this once and stored nowhere: hand it to the integration now.\n"
                   "The services keep only its SHA-256: add the entry (second line) to the access configuration's "
                   "API tokens.\n";
    return absl::OkStatus();
  }

 private:
  std::string name_, expires_;
  std::vector<std::string> roles_;
};

// `srctl token show|create`: one command word with two subcommands.
void AttachTokenCommands(CLI::App& cmd, Session& session) {
  cmd.require_subcommand(1);
  for (const Command& sub :
       {MakeCommand<TokenShowCommand>("show", "print the access token srctl would send (refreshed first)"),
        MakeCommand<TokenCreateCommand>("create",
                                        "make an API token for an integration and print its configuration entry")})
    sub.attach(*cmd.add_subcommand(sub.name, sub.help), session);
}

}  // namespace

std::vector<Command> AuthCommands() {
  return {
      MakeCommand<LoginCommand>("login", "sign in at the identity provider (device code) and cache the token"),
      MakeCommand<LogoutCommand>("logout", "forget the cached token (delete the login cache)"),
      MakeCommand<WhoamiCommand>("whoami", "who the token names (decoded locally, unverified)"),
      Command{"token", "API tokens (token create) and the current access token (token show)", AttachTokenCommands},
  };
}

}  // namespace recovery::srctl
