// The HTTP(S) endpoint of the calendar feeds (--calendar-listen): GET /calendar/<token>.ics
// answers the feed's RFC 5545 text (EscalationApp::RenderCalendarFeed); a malformed, unknown or
// revoked token, and every other path, answer 404 with an empty body. On common::HttpServer
// (cpp-httplib), over TLS when given a certificate and key; client certificates are never
// asked for (calendar clients have none: the token is the credential).
// The token is never logged.
//
// Lifetime: Bind, then Serve (its own thread and httplib's worker pool), then Stop (or the
// destructor). `render` must stay callable until Stop returns. Thread-safety: Bind, Serve and
// Stop from one thread; `render` is called from httplib's workers at once.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/http_server.h"

namespace recovery::escalation {

class CalendarServer {
 public:
  // The feed text for a token, nullopt for none (404); an error answers 503.
  using Render = std::function<absl::StatusOr<std::optional<std::string>>(const std::string& token)>;

  struct Options {
    std::string listen;    // host:port (port 0: any free port)
    std::string tls_cert;  // PEM chain and key, both or neither (then plain HTTP)
    std::string tls_key;
  };

  explicit CalendarServer(Render render);
  ~CalendarServer();
  CalendarServer(const CalendarServer&) = delete;
  CalendarServer& operator=(const CalendarServer&) = delete;

  // Binds the listening socket (errors name --calendar-listen or the TLS files).
  absl::Status Bind(const Options& options);
  // Starts accepting; returns once the server runs.
  absl::Status Serve();
  void Stop();
  // The bound port, after Bind.
  int port() const { return server_.port(); }
  bool tls() const { return server_.tls(); }

 private:
  Render render_;
  common::HttpServer server_;
};

}  // namespace recovery::escalation
