// The calendar feeds' HTTP(S) server on cpp-httplib.
#include "services/escalation/calendar_server.h"

#include <httplib.h>

#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/logging.h"

namespace recovery::escalation {
namespace {

// "host:port", "[::1]:port" -> host, port.
absl::Status SplitListen(const std::string& listen, std::string* host, int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || !absl::SimpleAtoi(listen.substr(colon + 1), port) || *port < 0 ||
      *port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--calendar-listen: expected host:port (port 0: any free one), got '", listen, "'"));
  }
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  return absl::OkStatus();
}

void NotFound(httplib::Response& res) {
  res.status = 404;
  res.set_content("", "text/plain");
}

}  // namespace

CalendarServer::CalendarServer(Render render) : render_(std::move(render)) {}

CalendarServer::~CalendarServer() { Stop(); }

absl::Status CalendarServer::Bind(const Options& options) {
  std::string host;
  int port = 0;
  if (absl::Status s = SplitListen(options.listen, &host, &port); !s.ok()) return s;
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  if (!options.tls_cert.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("--calendar-listen: TLS certificate '", options.tls_cert,
                                                     "' or key '", options.tls_key, "' could not be loaded"));
    }
    server_ = std::move(ssl);
    tls_ = true;
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  server_->set_read_timeout(std::chrono::seconds(5));
  server_->set_write_timeout(std::chrono::seconds(5));
  server_->set_payload_max_length(4096);  // GETs only: a body is refused
  server_->Get(R"(/calendar/([A-Za-z0-9_-]+)\.ics)", [this](const httplib::Request& req, httplib::Response& res) {
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
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) res.set_content("", "text/plain");
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("--calendar-listen: cannot listen on ", options.listen));
  }
  return absl::OkStatus();
}

absl::Status CalendarServer::Serve() {
  if (!server_) return absl::FailedPreconditionError("calendar server: Bind first");
  httplib::Server* server = server_.get();
  thread_ = std::thread([server] { server->listen_after_bind(); });
  // httplib's stop() only works once the accept loop runs: wait for it (it starts at once).
  for (int i = 0; i < 5000 && !server->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!server->is_running()) return absl::UnavailableError("calendar server: the accept loop did not start");
  return absl::OkStatus();
}

void CalendarServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace recovery::escalation
