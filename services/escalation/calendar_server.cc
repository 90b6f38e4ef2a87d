// The calendar feeds' HTTP(S) server on cpp-httplib.
#include "services/escalation/calendar_server.h"

#include <httplib.h>

#include <utility>

#include "services/common/logging.h"

namespace recovery::escalation {
namespace {

void NotFound(httplib::Response& res) {
  res.status = 404;
  res.set_content("", "text/plain");
}

}  // namespace

CalendarServer::CalendarServer(Render render) : render_(std::move(render)) {}

CalendarServer::~CalendarServer() { Stop(); }

absl::Status CalendarServer::Bind(const Options& options) {
  common::HttpServerOptions http;
  http.flag = "--calendar-listen";
  http.listen = options.listen;
  http.tls_cert = options.tls_cert;
  http.tls_key = options.tls_key;
  http.max_body = 4096;  // GETs only: a body is refused
  if (absl::Status s = server_.Bind(http); !s.ok()) return s;
  httplib::Server& routes = server_.routes();
  routes.Get(R"(/calendar/([A-Za-z0-9_-]+)\.ics)", [this](const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<std::optional<std::string>> text = render_(req.matches[1].str());
    if (!text.ok()) {
      common::LogWarn("calendar feed failed", {{"error", std::string(text.status().message())}});
      res.status = 503;
      res.set_content("", "text/plain");
      return;
    }
    if (!text->has_value()) return NotFound(res);
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(**text, "text/calendar; charset=utf-8");
  });
  // Every other path, and a refused token, says nothing more than 404.
  routes.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) res.set_content("", "text/plain");
  });
  return absl::OkStatus();
}

absl::Status CalendarServer::Serve() { return server_.Serve("calendar server"); }

void CalendarServer::Stop() { server_.Stop(); }

}  // namespace recovery::escalation
