// HttpServer: the HTTP(S) endpoint a service serves beside its gRPC port (the calendar feeds,
// the console), on cpp-httplib (Debian's libcpp-httplib, built with OpenSSL). Over TLS when
// given a certificate and key; client certificates are never asked for (browsers and calendar
// clients have none: a token or a session is the credential).
//
// Lifetime: Bind, register the routes on routes(), Serve (the accept loop on its own thread,
// requests on httplib's worker pool), then Stop (or the destructor). Handlers must stay
// callable until Stop returns. Thread-safety: Bind, routes, Serve and Stop from one thread;
// handlers run on the workers at once.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace recovery::common {

struct HttpServerOptions {
  std::string flag = "--listen";  // the flag that gave `listen`, named in errors
  std::string listen;             // host:port or [v6]:port (port 0: any free port)
  std::string tls_cert;           // PEM chain and key, both or neither (then plain HTTP)
  std::string tls_key;
  size_t max_body = 4096;  // larger request bodies are refused (413)
  size_t threads = 8;      // worker threads: connections served at once (a long-lived stream holds one)
  absl::Duration read_timeout = absl::Seconds(5);
  absl::Duration write_timeout = absl::Seconds(5);
};

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket (errors name options.flag or the TLS files).
  absl::Status Bind(const HttpServerOptions& options);
  // The server to register routes on, after Bind and before Serve.
  httplib::Server& routes() { return *server_; }
  // Starts accepting; returns once the accept loop runs. `name` is for errors.
  absl::Status Serve(const std::string& name);
  void Stop();
  // The bound port, after Bind.
  int port() const { return port_; }
  bool tls() const { return tls_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  bool tls_ = false;
};

}  // namespace recovery::common
