// The console's HTTP routes: sign-in, the JSON API, live events, the UI (server.h).
#include "services/console/server.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/logging.h"

namespace recovery::console {
namespace {

namespace pb = google::protobuf;

void Reply(httplib::Response& res, const HttpReply& reply) {
  res.status = reply.status;
  res.set_content(reply.body, "application/json");
}

void Refuse(httplib::Response& res, grpc::StatusCode code, const std::string& message) {
  Reply(res, Transcoder::Error(grpc::Status(code, message)));
}

bool SameSecret(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The value of one cookie of the request's Cookie header, "" when absent.
std::string CookieOf(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) return std::string(part);
  }
  return "";
}

std::string Cookie(const std::string& name, const std::string& value, std::optional<int> max_age) {
  return absl::StrCat(name, "=", value, "; Path=/; Secure; HttpOnly; SameSite=Lax",
                      max_age ? absl::StrCat("; Max-Age=", *max_age) : "");
}

// Where a sign-in may send the browser back to: a path of this origin, nothing else.
std::string SafeReturnTo(const std::string& path) {
  if (path.empty() || path[0] != '/' || absl::StartsWith(path, "//") || absl::StartsWith(path, "/\\")) return "/";
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\') return "/";
  }
  return path;
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string TypeOf(const std::string& path) {
  if (absl::EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(path, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(path, ".map") || absl::EndsWith(path, ".json")) return "application/json";
  if (absl::EndsWith(path, ".svg")) return "image/svg+xml";
  if (absl::EndsWith(path, ".png")) return "image/png";
  if (absl::EndsWith(path, ".woff2")) return "font/woff2";
  if (absl::EndsWith(path, ".ico")) return "image/x-icon";
  return "application/octet-stream";
}

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E3SZ", t, absl::UTCTimeZone()); }

pb::Value StringList(const std::vector<std::string>& items) {
  pb::Value v;
  for (const std::string& s : items) v.mutable_list_value()->add_values()->set_string_value(s);
  return v;
}

}  // namespace

ConsoleServer::ConsoleServer(ConsoleServerOptions options, SessionStore& sessions, OidcRelyingParty& oidc,
                             const Transcoder& transcoder, LiveHub& hub, common::AccessControl& access,
                             common::Clock& clock)
    : options_(std::move(options)),
      sessions_(sessions),
      oidc_(oidc),
      transcoder_(transcoder),
      hub_(hub),
      access_(access),
      clock_(clock) {
  std::string path;
  if (!SplitUrl(oidc_.options().issuer, "issuer", &issuer_origin_, &path).ok()) issuer_origin_.clear();
}

std::string ConsoleServer::ContentSecurityPolicy() const {
  return absl::StrCat(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
      "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'",
      issuer_origin_.empty() ? "" : " ", issuer_origin_, "; frame-ancestors 'none'");
}

absl::Status ConsoleServer::LoadStatic() {
  namespace fs = std::filesystem;
  const fs::path root(options_.static_dir);
  std::error_code ec;
  if (!fs::is_regular_file(root / "index.html", ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--console-static-dir: no index.html in '", options_.static_dir, "' (is the UI built?)"));
  }
  std::vector<fs::path> paths{root / "index.html"};
  if (fs::is_directory(root / "assets", ec)) {
    for (const auto& entry : fs::directory_iterator(root / "assets", ec)) {
      if (entry.is_regular_file()) paths.push_back(entry.path());
    }
  }
  for (const fs::path& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (!in) return absl::InvalidArgumentError(absl::StrCat("--console-static-dir: cannot read ", p.string()));
    const std::string url = "/" + fs::relative(p, root).generic_string();
    files_[url] = File{content.str(), TypeOf(url)};
  }
  return absl::OkStatus();
}

void ConsoleServer::Register(httplib::Server& server) {
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  server.Get("/auth/login", [this](const httplib::Request& req, httplib::Response& res) { Login(req, res); });
  server.Get("/auth/callback", [this](const httplib::Request& req, httplib::Response& res) { Callback(req, res); });
  server.Get("/auth/session", [this](const httplib::Request& req, httplib::Response& res) { SessionInfo(req, res); });
  server.Post("/auth/logout", [this](const httplib::Request& req, httplib::Response& res) { Logout(req, res); });
  server.Get("/api/events", [this](const httplib::Request& req, httplib::Response& res) { Events(req, res); });
  server.Post(R"(/api/.*)", [this](const httplib::Request& req, httplib::Response& res) { Api(req, res); });
  server.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) { Static(req, res); });
  const std::string csp = ContentSecurityPolicy();
  const bool https = absl::StartsWith(options_.public_url, "https://");
  server.set_post_routing_handler([csp, https](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Content-Security-Policy", csp);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Cross-Origin-Opener-Policy", "same-origin");
    if (https) res.set_header("Strict-Transport-Security", "max-age=31536000");
    if ((absl::StartsWith(req.path, "/api/") || absl::StartsWith(req.path, "/auth/")) &&
        !res.has_header("Cache-Control")) {
      res.set_header("Cache-Control", "no-store");
    }
  });
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (absl::StartsWith(req.path, "/api/")) {
      Refuse(res, res.status == 413 ? grpc::StatusCode::RESOURCE_EXHAUSTED : grpc::StatusCode::NOT_FOUND,
             res.status == 413 ? "body: too large" : absl::StrCat("path: nothing at ", req.path));
    }
  });
}

void ConsoleServer::SignInFailed(httplib::Response& res, int status, const std::string& why) {
  res.status = status;
  res.set_content(
      absl::StrCat("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>Sign-in failed</title><link rel=\"stylesheet\" href=\"/assets/app.css\">"
                   "</head><body><main><h1>Sign-in failed</h1><p id=\"sign-in-error\">",
                   HtmlEscape(why), "</p><p><a href=\"/auth/login\">Sign in again</a></p></main></body></html>"),
      "text/html; charset=utf-8");
}

void ConsoleServer::Login(const httplib::Request& req, httplib::Response& res) {
  const std::string return_to = SafeReturnTo(req.get_param_value("return_to"));
  absl::StatusOr<PendingLogin> login = oidc_.Begin();
  if (!login.ok()) {
    common::LogWarn("sign-in: cannot start", {{"error", std::string(login.status().message())}});
    return SignInFailed(res, 503, "The identity provider cannot be reached. Try again in a moment.");
  }
  if (absl::Status s = sessions_.SaveLogin(*login, return_to); !s.ok()) {
    common::LogWarn("sign-in: cannot store", {{"error", std::string(s.message())}});
    return SignInFailed(res, 503, "The console cannot store a sign-in right now. Try again in a moment.");
  }
  res.set_header("Set-Cookie",
                 Cookie(kLoginCookie, login->state, static_cast<int>(absl::ToInt64Seconds(SessionStore::kLoginTtl))));
  res.set_redirect(login->url, 302);
}

void ConsoleServer::Callback(const httplib::Request& req, httplib::Response& res) {
  if (req.has_param("error")) {
    return SignInFailed(res, 400,
                        absl::StrCat("The identity provider refused the sign-in: ", req.get_param_value("error"), " ",
                                     req.get_param_value("error_description")));
  }
  const std::string state = req.get_param_value("state");
  const std::string code = req.get_param_value("code");
  if (state.empty() || code.empty())
    return SignInFailed(res, 400, "The answer from the identity provider is incomplete.");
  // The state must come back to the browser that started the sign-in (no login CSRF).
  if (!SameSecret(CookieOf(req, kLoginCookie), state)) {
    return SignInFailed(res, 400, "This sign-in was started in another browser or has expired. Sign in again.");
  }
  absl::StatusOr<std::optional<LoginRecord>> pending = sessions_.TakeLogin(state);
  if (!pending.ok()) return SignInFailed(res, 503, "The console cannot read the sign-in right now. Try again.");
  if (!pending->has_value())
    return SignInFailed(res, 400, "This sign-in has expired or was already used. Sign in again.");
  const LoginRecord& login = **pending;
  absl::StatusOr<TokenSet> tokens = oidc_.Exchange(code, login.verifier, login.nonce, clock_.Now());
  if (!tokens.ok()) {
    common::LogWarn("sign-in: code exchange refused", {{"error", std::string(tokens.status().message())}});
    return SignInFailed(res, tokens.status().code() == absl::StatusCode::kUnauthenticated ? 400 : 503,
                        std::string(tokens.status().message()));
  }
  absl::StatusOr<common::Principal> who = access_.Authenticate("Bearer " + tokens->access_token, nullptr);
  if (!who.ok()) {
    return SignInFailed(res, 403, absl::StrCat("The services do not accept this account: ", who.status().message()));
  }
  if (!who->IsPerson()) return SignInFailed(res, 403, "Only a person can sign in to the console.");
  absl::StatusOr<std::string> session = sessions_.Create(who->id, *tokens);
  if (!session.ok()) return SignInFailed(res, 503, "The console cannot store the session right now. Try again.");
  common::LogInfo("signed in", {{"person", who->id}});
  res.set_header("Set-Cookie", Cookie(kSessionCookie, *session, std::nullopt));
  res.set_header("Set-Cookie", Cookie(kLoginCookie, "", 0));
  res.set_redirect(login.return_to, 302);
}

std::optional<Session> ConsoleServer::SessionOf(const httplib::Request& req, httplib::Response& res) {
  const std::string id = CookieOf(req, kSessionCookie);
  absl::StatusOr<std::optional<Session>> found = sessions_.Find(id);
  if (!found.ok()) {
    Refuse(res, grpc::StatusCode::UNAVAILABLE, "session: the console's store cannot be read; try again");
    return std::nullopt;
  }
  if (!found->has_value()) {
    Refuse(res, grpc::StatusCode::UNAUTHENTICATED, "session: not signed in (or the session ended); sign in");
    return std::nullopt;
  }
  Session session = **found;
  if (session.tokens.access_expires - options_.refresh_margin > clock_.Now()) return session;
  // Renew the access token, one renewal at a time (a refresh token may be single use).
  std::lock_guard<std::mutex> lock(refresh_mu_);
  found = sessions_.Find(id);
  if (found.ok() && found->has_value() && (**found).tokens.access_expires - options_.refresh_margin > clock_.Now()) {
    return **found;
  }
  if (session.tokens.refresh_token.empty()) {
    (void)sessions_.Delete(session.key);
    Refuse(res, grpc::StatusCode::UNAUTHENTICATED, "session: the sign-in has expired; sign in again");
    return std::nullopt;
  }
  absl::StatusOr<TokenSet> renewed = oidc_.Refresh(session.tokens.refresh_token, clock_.Now());
  if (!renewed.ok()) {
    if (renewed.status().code() == absl::StatusCode::kUnauthenticated) {
      (void)sessions_.Delete(session.key);
      Refuse(res, grpc::StatusCode::UNAUTHENTICATED, "session: the identity provider ended the sign-in; sign in again");
    } else {
      Refuse(res, grpc::StatusCode::UNAVAILABLE, absl::StrCat("session: ", renewed.status().message()));
    }
    return std::nullopt;
  }
  if (renewed->refresh_token.empty()) renewed->refresh_token = session.tokens.refresh_token;
  if (renewed->name.empty()) renewed->name = session.tokens.name;
  if (renewed->email.empty()) renewed->email = session.tokens.email;
  if (renewed->id_token.empty()) renewed->id_token = session.tokens.id_token;
  if (absl::Status s = sessions_.UpdateTokens(session.key, *renewed); !s.ok()) {
    Refuse(res, grpc::StatusCode::UNAVAILABLE, "session: the console's store cannot be written; try again");
    return std::nullopt;
  }
  session.tokens = *renewed;
  return session;
}

bool ConsoleServer::CheckWrite(const httplib::Request& req, httplib::Response& res, const Session& session) {
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty() && origin != options_.public_url) {
    Refuse(res, grpc::StatusCode::PERMISSION_DENIED, absl::StrCat("Origin: ", origin, " is not this console"));
    return false;
  }
  if (!SameSecret(req.get_header_value("X-CSRF-Token"), session.csrf)) {
    Refuse(res, grpc::StatusCode::PERMISSION_DENIED,
           "X-CSRF-Token: missing or not this session's (GET /auth/session gives it)");
    return false;
  }
  return true;
}

void ConsoleServer::SessionInfo(const httplib::Request& req, httplib::Response& res) {
  std::optional<Session> session = SessionOf(req, res);
  if (!session) return;
  absl::StatusOr<common::Principal> who = access_.Authenticate("Bearer " + session->tokens.access_token, nullptr);
  if (!who.ok()) {
    (void)sessions_.Delete(session->key);
    return Refuse(res, grpc::StatusCode::UNAUTHENTICATED, absl::StrCat("session: ", who.status().message()));
  }
  const std::shared_ptr<const common::AccessConfig> config = access_.config();
  std::vector<std::string> methods;
  for (const auto& [method, permission] : config->policy->methods()) {
    if (permission == common::Policy::kOpen || config->policy->Grants(*who, permission)) methods.push_back(method);
  }
  pb::Struct body;
  auto& f = *body.mutable_fields();
  f["person"].set_string_value(who->id);
  f["name"].set_string_value(session->tokens.name);
  f["email"].set_string_value(session->tokens.email);
  f["roles"] = StringList(std::vector<std::string>(who->roles.begin(), who->roles.end()));
  f["methods"] = StringList(methods);
  f["csrfToken"].set_string_value(session->csrf);
  f["expiresAt"].set_string_value(Rfc3339(session->expires));
  std::string json;
  if (!pb::util::MessageToJsonString(body, &json).ok())
    return Refuse(res, grpc::StatusCode::INTERNAL, "session: no JSON");
  res.set_content(json, "application/json");
}

void ConsoleServer::Logout(const httplib::Request& req, httplib::Response& res) {
  absl::StatusOr<std::optional<Session>> found = sessions_.Find(CookieOf(req, kSessionCookie));
  if (!found.ok()) return Refuse(res, grpc::StatusCode::UNAVAILABLE, "session: the console's store cannot be read");
  if (!found->has_value()) return Refuse(res, grpc::StatusCode::UNAUTHENTICATED, "session: not signed in");
  if (!CheckWrite(req, res, **found)) return;
  if (absl::Status s = sessions_.Delete((**found).key); !s.ok()) {
    return Refuse(res, grpc::StatusCode::UNAVAILABLE, "session: the console's store cannot be written");
  }
  common::LogInfo("signed out", {{"person", (**found).person}});
  res.status = 204;
  res.set_header("Set-Cookie", Cookie(kSessionCookie, "", 0));
}

void ConsoleServer::Api(const httplib::Request& req, httplib::Response& res) {
  std::optional<Session> session = SessionOf(req, res);
  if (!session) return;
  if (!CheckWrite(req, res, *session)) return;
  if (!absl::StartsWith(req.get_header_value("Content-Type"), "application/json")) {
    return Refuse(res, grpc::StatusCode::INVALID_ARGUMENT, "Content-Type: must be application/json");
  }
  // /api/<backend>/<package.Service>/<Method>
  absl::string_view rest = req.path;
  absl::ConsumePrefix(&rest, "/api/");
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) {
    return Refuse(res, grpc::StatusCode::NOT_FOUND, "path: expected /api/<backend>/<package.Service>/<Method>");
  }
  Reply(res, transcoder_.Call(std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)), req.body,
                              "Bearer " + session->tokens.access_token));
}

void ConsoleServer::Events(const httplib::Request& req, httplib::Response& res) {
  std::optional<Session> session = SessionOf(req, res);
  if (!session) return;
  absl::StatusOr<common::Principal> who = access_.Authenticate("Bearer " + session->tokens.access_token, nullptr);
  if (!who.ok())
    return Refuse(res, grpc::StatusCode::UNAUTHENTICATED, absl::StrCat("session: ", who.status().message()));
  // The stream shows what the case screens show: whoever may read a case.
  const std::shared_ptr<const common::AccessConfig> config = access_.config();
  absl::StatusOr<std::string> needed = config->policy->PermissionFor("recovery.v1.Intake/GetCase");
  if (!needed.ok() || !config->policy->Grants(*who, *needed)) {
    return Refuse(res, grpc::StatusCode::PERMISSION_DENIED,
                  absl::StrCat("events: live updates need ", needed.ok() ? *needed : "the case read permission"));
  }
  std::shared_ptr<LiveHub::Listener> listener = hub_.Subscribe();
  const absl::Time session_ends = session->expires;
  const absl::Duration keep_alive = options_.keep_alive;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Accel-Buffering", "no");
  auto started = std::make_shared<bool>(false);
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, listener, session_ends, keep_alive, started](size_t, httplib::DataSink& sink) {
        if (!*started) {
          *started = true;
          static constexpr char kHello[] = "retry: 2000\n: connected\n\n";
          return sink.write(kHello, sizeof(kHello) - 1);
        }
        std::optional<std::string> message = listener->Next(keep_alive);
        if (message) return sink.write(message->data(), message->size());
        if (listener->closed() || clock_.Now() >= session_ends) {
          sink.done();
          return true;
        }
        static constexpr char kKeepAlive[] = ": keep-alive\n\n";
        return sink.write(kKeepAlive, sizeof(kKeepAlive) - 1);
      },
      [this, listener](bool) { hub_.Unsubscribe(listener); });
}

void ConsoleServer::Static(const httplib::Request& req, httplib::Response& res) {
  auto it = files_.find(req.path);
  if (it == files_.end()) {
    if (absl::StartsWith(req.path, "/assets/") || absl::StartsWith(req.path, "/api/") ||
        absl::StartsWith(req.path, "/auth/")) {
      res.status = 404;
      res.set_content("not found", "text/plain");
      return;
    }
    it = files_.find("/index.html");  // the UI's own routes (/cases/..., /ack/...)
    if (it == files_.end()) {
      res.status = 404;
      res.set_content("the console's UI is not installed", "text/plain");
      return;
    }
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_content(it->second.content, it->second.type);
}

}  // namespace recovery::console
