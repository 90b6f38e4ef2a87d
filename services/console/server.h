// ConsoleServer: the console's HTTP routes (the contract the UI relies on is in README.md):
//   GET  /auth/login?return_to=/path   sign-in: to the identity provider (code flow + PKCE)
//   GET  /auth/callback                back from it: the session cookie, then return_to
//   GET  /auth/session                 who is signed in, what they may call, the CSRF token
//   POST /auth/logout                  ends the session
//   POST /api/<backend>/<pkg.Service>/<Method>   the services' unary RPCs as JSON (transcoder.h)
//   GET  /api/events                   Server-Sent Events: every event of the topic (live.h)
//   GET  /assets/<file>, any other GET the web UI (index.html for the UI's own routes)
//   GET  /healthz                      200 "ok"
//
// The session is an HttpOnly, Secure, SameSite=Lax cookie (__Host-recovery-session) naming a
// row of the session store; the browser never holds a token. Every POST needs the session's
// CSRF token in X-CSRF-Token and, when the browser sends Origin, the console's own origin.
// Every answer carries a Content-Security-Policy with no inline script or style, and
// no-referrer (an acknowledge link's token is in its path).
//
// The console decides nothing the services decide: the API calls go with the person's access
// token, and `methods` in /auth/session (what the UI shows a button for) is read off the same
// policy table the services enforce. Thread-safety: the handlers run on httplib's workers.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/auth/access_control.h"
#include "services/common/clock.h"
#include "services/console/live.h"
#include "services/console/oidc.h"
#include "services/console/sessions.h"
#include "services/console/transcoder.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace recovery::console {

struct ConsoleServerOptions {
  std::string public_url;  // the console's origin as browsers reach it: https://host:port
  std::string static_dir;  // the built UI: index.html and assets/
  // An access token this close to its expiry is renewed before a call.
  absl::Duration refresh_margin = absl::Seconds(60);
  // Keep-alive comment on an idle event stream.
  absl::Duration keep_alive = absl::Seconds(15);
};

class ConsoleServer {
 public:
  ConsoleServer(ConsoleServerOptions options, SessionStore& sessions, OidcRelyingParty& oidc,
                const Transcoder& transcoder, LiveHub& hub, common::AccessControl& access, common::Clock& clock);

  // Reads the UI's files into memory (errors name --console-static-dir).
  absl::Status LoadStatic();
  void Register(httplib::Server& server);

  static constexpr const char* kSessionCookie = "__Host-recovery-session";
  static constexpr const char* kLoginCookie = "__Host-recovery-login";
  // The Content-Security-Policy of every answer; form-action also allows the provider's origin.
  std::string ContentSecurityPolicy() const;

 private:
  struct File {
    std::string content;
    std::string type;
  };
  // The live session of the request's cookie, its access token renewed when due; nullopt with
  // the reply already written (401) when there is none.
  std::optional<Session> SessionOf(const httplib::Request& req, httplib::Response& res);
  bool CheckWrite(const httplib::Request& req, httplib::Response& res, const Session& session);
  void Login(const httplib::Request& req, httplib::Response& res);
  void Callback(const httplib::Request& req, httplib::Response& res);
  void SessionInfo(const httplib::Request& req, httplib::Response& res);
  void Logout(const httplib::Request& req, httplib::Response& res);
  void Api(const httplib::Request& req, httplib::Response& res);
  void Events(const httplib::Request& req, httplib::Response& res);
  void Static(const httplib::Request& req, httplib::Response& res);
  void SignInFailed(httplib::Response& res, int status, const std::string& why);

  const ConsoleServerOptions options_;
  SessionStore& sessions_;
  OidcRelyingParty& oidc_;
  const Transcoder& transcoder_;
  LiveHub& hub_;
  common::AccessControl& access_;
  common::Clock& clock_;
  std::string issuer_origin_;
  std::mutex refresh_mu_;              // one token renewal at a time
  std::map<std::string, File> files_;  // "/index.html", "/assets/app.js"; immutable after LoadStatic
};

}  // namespace recovery::console
