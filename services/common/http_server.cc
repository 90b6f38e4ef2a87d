// The HTTP(S) endpoint beside a service's gRPC port (http_server.h).
#include "services/common/http_server.h"

#include <httplib.h>

#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace recovery::common {
namespace {

// "host:port", "[::1]:port" -> host, port.
absl::Status SplitListen(const HttpServerOptions& options, std::string* host, int* port) {
  const std::string& listen = options.listen;
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || !absl::SimpleAtoi(listen.substr(colon + 1), port) || *port < 0 ||
      *port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.flag, ": expected host:port (port 0: any free one), got '", listen, "'"));
  }
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  return absl::OkStatus();
}

std::chrono::microseconds Micros(absl::Duration d) { return absl::ToChronoMicroseconds(d); }

}  // namespace

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Bind(const HttpServerOptions& options) {
  std::string host;
  int port = 0;
  if (absl::Status s = SplitListen(options, &host, &port); !s.ok()) return s;
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  if (!options.tls_cert.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(options.flag, ": TLS certificate '", options.tls_cert,
                                                     "' or key '", options.tls_key, "' could not be loaded"));
    }
    server_ = std::move(ssl);
    tls_ = true;
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  const auto read = Micros(options.read_timeout);
  const auto write = Micros(options.write_timeout);
  server_->set_read_timeout(read);
  server_->set_write_timeout(write);
  server_->set_payload_max_length(options.max_body);
  // httplib writes a response's headers and its body separately: with Nagle on, the body waits
  // for the ACK of the headers, which the client delays (40 ms on Linux), so every response
  // took 40 ms more (tools/bench/run.sh console found it).
  server_->set_tcp_nodelay(true);
  const size_t threads = options.threads == 0 ? 1 : options.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat(options.flag, ": cannot listen on ", options.listen));
  }
  return absl::OkStatus();
}

absl::Status HttpServer::Serve(const std::string& name) {
  if (!server_) return absl::FailedPreconditionError(absl::StrCat(name, ": Bind first"));
  httplib::Server* server = server_.get();
  thread_ = std::thread([server] { server->listen_after_bind(); });
  // httplib's stop() only works once the accept loop runs: wait for it (it starts at once).
  for (int i = 0; i < 5000 && !server->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!server->is_running()) return absl::UnavailableError(absl::StrCat(name, ": the accept loop did not start"));
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace recovery::common
