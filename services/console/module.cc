// The console service's wiring onto the shared runtime (module.h).
#include "services/console/module.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/auth/access_control.h"
#include "services/common/config.h"
#include "services/common/grpc_util.h"
#include "services/common/logging.h"
#include "services/common/status_macros.h"

#ifndef RECOVERY_CONSOLE_WEB_DIR
#define RECOVERY_CONSOLE_WEB_DIR ""
#endif

namespace recovery::console {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read '", path, "'"));
  return content.str();
}

// "intake=127.0.0.1:7001,escalation=..." -> name -> address; every name one of the five.
absl::StatusOr<std::map<std::string, std::string>> ParseBackends(const std::string& spec) {
  static const char* const kKnown[] = {"intake", "escalation", "action-plan", "follow-up", "audit"};
  std::map<std::string, std::string> out;
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    const std::vector<std::string> kv = absl::StrSplit(absl::StripAsciiWhitespace(item), absl::MaxSplits('=', 1));
    if (kv.size() != 2 || kv[1].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--backends: expected name=host:port, got '", item, "'"));
    }
    bool known = false;
    for (const char* k : kKnown) known = known || kv[0] == k;
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat("--backends: unknown service '", kv[0],
                                                     "' (intake, escalation, action-plan, follow-up, audit)"));
    }
    out[kv[0]] = kv[1];
  }
  if (out.empty()) return absl::InvalidArgumentError("--backends: name at least one service (intake=host:port,...)");
  return out;
}

}  // namespace

ConsoleModule::~ConsoleModule() { OnStop(); }

std::vector<common::ServiceFlag> ConsoleModule::Flags() {
  return {
      {"--console-http-listen", "RECOVERY_CONSOLE_HTTP_LISTEN",
       "serve the web console on host:port (HTTPS with --tls-cert/--tls-key; port 0: any free one)",
       &options_.http_listen},
      {"--console-port-file", "", "write the console's bound HTTP port to this file", &options_.port_file},
      {"--console-url", "RECOVERY_CONSOLE_URL",
       "the console's origin as browsers reach it (https://host:port); default: from the bound address",
       &options_.public_url},
      {"--console-static-dir", "RECOVERY_CONSOLE_STATIC_DIR", "the built web UI (index.html, assets/)",
       &options_.static_dir},
      {"--oidc-client-id", "RECOVERY_OIDC_CLIENT_ID", "the console's client id at the identity provider",
       &options_.client_id},
      {"--oidc-client-secret-file", "RECOVERY_OIDC_CLIENT_SECRET_FILE",
       "file holding the console's client secret (RECOVERY_OIDC_CLIENT_SECRET instead: the secret itself)",
       &options_.client_secret_file},
      {"--backends", "RECOVERY_CONSOLE_BACKENDS",
       "the services' gRPC addresses: intake=host:port,escalation=...,action-plan=...,follow-up=...,audit=...",
       &options_.backends},
      {"--backend-ca-file", "RECOVERY_CONSOLE_BACKEND_CA_FILE",
       "PEM CA bundle for TLS to the services; empty: plaintext", &options_.backend_ca_file},
      {"--session-ttl", "RECOVERY_CONSOLE_SESSION_TTL", "how long a sign-in lasts (e.g. 12h)", &options_.session_ttl},
      {"--console-http-threads", "", "HTTP worker threads (each open live-update stream holds one)",
       &options_.http_threads},
  };
}

absl::Status ConsoleModule::Init(const common::ServiceContext& ctx) {
  if (ctx.access == nullptr) return absl::FailedPreconditionError("console: no access control");
  const common::OidcSettings& oidc = ctx.access->config()->oidc;
  if (oidc.issuer.empty()) {
    return absl::InvalidArgumentError(
        "--auth-config: the console signs people in at oidc.issuer, and the file names none");
  }
  absl::Duration ttl;
  if (!absl::ParseDuration(options_.session_ttl, &ttl) || ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--session-ttl: expected a positive duration such as 12h, got '", options_.session_ttl, "'"));
  }
  size_t threads = 0;
  if (!absl::SimpleAtoi(options_.http_threads, &threads) || threads < 2 || threads > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("--console-http-threads: expected 2 to 4096, got '", options_.http_threads, "'"));
  }
  std::string secret;
  if (const char* env = std::getenv("RECOVERY_OIDC_CLIENT_SECRET"); env != nullptr && *env != '\0') {
    secret = env;
  } else if (!options_.client_secret_file.empty()) {
    ASSIGN_OR_RETURN(secret, ReadFile(options_.client_secret_file, "--oidc-client-secret-file"));
    secret = std::string(absl::StripAsciiWhitespace(secret));
  }
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        "--oidc-client-secret-file: the console's client secret is required (or RECOVERY_OIDC_CLIENT_SECRET)");
  }

  ASSIGN_OR_RETURN(auto addresses, ParseBackends(options_.backends));
  common::ChannelCredentialsSpec spec;
  if (!options_.backend_ca_file.empty()) {
    ASSIGN_OR_RETURN(spec.ca_pem, ReadFile(options_.backend_ca_file, "--backend-ca-file"));
  }
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (const auto& [name, address] : addresses) channels[name] = common::MakeChannel(address, spec);
  transcoder_ = std::make_unique<Transcoder>(std::move(channels));

  common::HttpServerOptions http;
  http.flag = "--console-http-listen";
  http.listen = options_.http_listen;
  http.tls_cert = ctx.config.tls_cert;
  http.tls_key = ctx.config.tls_key;
  http.max_body = 1 << 20;
  http.threads = threads;
  http.read_timeout = absl::Seconds(10);
  http.write_timeout = absl::Seconds(10);
  RETURN_IF_ERROR(http_.Bind(http));
  if (!http_.tls()) {
    common::LogWarn("the console serves plain HTTP: browsers keep its Secure session cookie only on localhost");
  }
  url_ = options_.public_url;
  if (url_.empty()) {
    const std::string host = options_.http_listen.substr(0, options_.http_listen.rfind(':'));
    url_ = absl::StrCat(http_.tls() ? "https://" : "http://", host == "0.0.0.0" || host.empty() ? "127.0.0.1" : host,
                        ":", http_.port());
  }
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  std::string origin;
  std::string path;
  RETURN_IF_ERROR(SplitUrl(url_, "--console-url", &origin, &path));
  if (path != "/") return absl::InvalidArgumentError("--console-url: the console's origin only, without a path");

  OidcOptions o;
  o.issuer = oidc.issuer;
  o.ca_file = oidc.ca_file;
  o.client_id = options_.client_id;
  o.client_secret = secret;
  o.redirect_uri = url_ + "/auth/callback";
  oidc_ = std::make_unique<OidcRelyingParty>(std::move(o));
  sessions_ = std::make_unique<SessionStore>(ctx.store, real_clock_, ttl);

  ConsoleServerOptions server;
  server.public_url = url_;
  server.static_dir = options_.static_dir.empty() ? RECOVERY_CONSOLE_WEB_DIR : options_.static_dir;
  server_ = std::make_unique<ConsoleServer>(server, *sessions_, *oidc_, *transcoder_, hub_, *ctx.access, real_clock_);
  RETURN_IF_ERROR(server_->LoadStatic());
  server_->Register(http_.routes());
  return absl::OkStatus();
}

absl::Status ConsoleModule::OnEvent(common::Tx& /*tx*/, const recovery::v1::Event& event) {
  hub_.Publish(event);
  return absl::OkStatus();
}

void ConsoleModule::OnReady() {
  if (auto swept = sessions_->Sweep(); !swept.ok()) {
    common::LogWarn("expired sessions not swept", {{"error", std::string(swept.status().message())}});
  }
  if (auto s = http_.Serve("console"); !s.ok()) {
    common::LogError("console not served", {{"error", std::string(s.message())}});
    return;
  }
  if (!options_.port_file.empty()) common::WriteFileAtomically(options_.port_file, std::to_string(http_.port()));
  common::LogInfo("console served", {{"url", url_}, {"port", std::to_string(http_.port())}});
}

void ConsoleModule::OnStop() {
  hub_.CloseAll();  // the open event streams end, so their workers can be joined
  http_.Stop();
}

}  // namespace recovery::console
