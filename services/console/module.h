// The console service on the shared runtime: its store holds the browser sessions
// (sessions.h), it consumes the topic in its own consumer group (recovery-console) for the
// live screens (live.h), and it serves the web UI and its JSON API over HTTPS
// (--console-http-listen, with the service's --tls-cert/--tls-key; server.h). Its gRPC port
// serves only health. It publishes no event of its own: what a person does through it, the
// services record with that person as the actor.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/clock.h"
#include "services/common/http_server.h"
#include "services/common/module.h"
#include "services/console/live.h"
#include "services/console/oidc.h"
#include "services/console/server.h"
#include "services/console/sessions.h"
#include "services/console/transcoder.h"

namespace recovery::console {

class ConsoleModule final : public common::ServiceModule {
 public:
  struct Options {
    std::string http_listen = "127.0.0.1:8443";  // --console-http-listen
    std::string port_file;                       // --console-port-file
    std::string public_url;                      // --console-url; default from the bound address
    std::string static_dir;                      // --console-static-dir; default: the build's UI
    std::string client_id = "console";           // --oidc-client-id
    std::string client_secret_file;              // --oidc-client-secret-file
    std::string backends;                        // --backends intake=host:port,escalation=...
    std::string backend_ca_file;                 // --backend-ca-file: TLS to the services
    std::string session_ttl = "12h";             // --session-ttl
    std::string http_threads = "64";             // --console-http-threads
  };

  ConsoleModule() = default;
  ~ConsoleModule() override;

  std::string_view name() const override { return "console"; }
  std::vector<common::ServiceFlag> Flags() override;
  std::vector<std::string> Migrations() const override { return SessionStore::Migrations(); }
  absl::Status Init(const common::ServiceContext& ctx) override;
  std::vector<grpc::Service*> GrpcServices() override { return {}; }
  bool consumes_events() const override { return true; }
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event) override;
  void OnReady() override;
  void OnStop() override;

  Options& options() { return options_; }
  // The bound HTTPS port and the URL browsers use, once Init ran.
  int http_port() const { return http_.port(); }
  const std::string& url() const { return url_; }
  LiveHub& hub() { return hub_; }

 private:
  Options options_;
  common::SystemClock real_clock_;  // sessions and tokens live in real time, whatever the services' clock
  std::string url_;
  LiveHub hub_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<OidcRelyingParty> oidc_;
  std::unique_ptr<Transcoder> transcoder_;
  std::unique_ptr<ConsoleServer> server_;
  common::HttpServer http_;
};

}  // namespace recovery::console
