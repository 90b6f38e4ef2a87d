// AccessControl: authentication, the policy decision, per-principal limits, the interceptor.
#include "services/common/auth/access_control.h"

#include <openssl/evp.h>

#include <cmath>
#include <optional>
#include <unordered_map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/message.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/status_macros.h"

namespace recovery::common {
namespace {

constexpr std::size_t kMaxCachedTokens = 10000;

// Decisions of calls being served, keyed by their ServerContextBase.
class CallRegistry {
 public:
  static CallRegistry& Get() {
    static CallRegistry* r = new CallRegistry();
    return *r;
  }
  void Put(const grpc::ServerContextBase* ctx, absl::StatusOr<Caller> d) {
    std::lock_guard lock(mu_);
    calls_.insert_or_assign(ctx, std::move(d));
  }
  absl::StatusOr<Caller> Find(const grpc::ServerContextBase* ctx) {
    std::lock_guard lock(mu_);
    auto it = calls_.find(ctx);
    if (it == calls_.end()) return absl::UnauthenticatedError("no credential was checked for this call");
    return it->second;
  }
  void Erase(const grpc::ServerContextBase* ctx) {
    std::lock_guard lock(mu_);
    calls_.erase(ctx);
  }

 private:
  std::mutex mu_;
  std::unordered_map<const grpc::ServerContextBase*, absl::StatusOr<Caller>> calls_ ABSL_GUARDED_BY(mu_);
};

// The cases a request names: its `case_id` (string) or `case_ids` (repeated string) field.
std::vector<std::string> CaseIdsOf(const google::protobuf::Message& request) {
  std::vector<std::string> out;
  const auto* descriptor = request.GetDescriptor();
  const auto* reflection = request.GetReflection();
  using FD = google::protobuf::FieldDescriptor;
  if (const FD* f = descriptor->FindFieldByName("case_id"); f && f->type() == FD::TYPE_STRING && !f->is_repeated()) {
    std::string id = reflection->GetString(request, f);
    if (!id.empty()) out.push_back(std::move(id));
  }
  if (const FD* f = descriptor->FindFieldByName("case_ids"); f && f->type() == FD::TYPE_STRING && f->is_repeated()) {
    for (int i = 0; i < reflection->FieldSize(request, f); ++i)
      out.push_back(reflection->GetRepeatedString(request, f, i));
  }
  return out;
}

class AccessInterceptor final : public grpc::experimental::Interceptor {
 public:
  AccessInterceptor(grpc::experimental::ServerRpcInfo* info, AccessControl* access)
      : method_(info->method()), ctx_(info->server_context()), access_(access) {}
  ~AccessInterceptor() override {
    if (decided_) {
      CallRegistry::Get().Erase(ctx_);
      if (admitted_) access_->Release(*admitted_);
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      std::string authorization;
      if (auto* md = methods->GetRecvInitialMetadata(); md != nullptr) {
        auto it = md->find("authorization");
        if (it != md->end()) authorization.assign(it->second.data(), it->second.size());
      }
      const auto transport = ctx_->auth_context();
      auto decision = access_->Admit(method_, authorization, transport.get());
      if (decision.ok()) {
        admitted_ = *decision;
      } else {
        refusal_ = decision.status();
      }
      CallRegistry::Get().Put(ctx_, std::move(decision));
      decided_ = true;
    }
    // Reads of case data: which cases the request names, recorded once the call succeeded.
    if (admitted_ && access_->access_log() != nullptr &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) && admitted_->policy &&
        admitted_->policy->AuditsAccessTo(method_)) {
      // Every audited method is one of our protobuf services (never health's ByteBuffer API).
      if (const auto* request = static_cast<const google::protobuf::Message*>(methods->GetRecvMessage()))
        case_ids_ = CaseIdsOf(*request);
      audited_ = true;
    }
    if (audited_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().ok()) {
      access_->access_log()->Record(admitted_->Actor(), std::string_view(method_).substr(1), case_ids_);
    }
    // A handler that forgot CallerOf still cannot answer a refused call: no message leaves
    // and the status is the refusal (for services we do not write, e.g. reflection, this is
    // the only check).
    if (!refusal_.ok()) {
      if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
        if (grpc::ByteBuffer* b = methods->GetSerializedSendMessage(); b != nullptr) {
          grpc::Slice empty;  // an empty message, not a missing one (gRPC refuses those)
          *b = grpc::ByteBuffer(&empty, 1);
        }
      }
      if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
        // Our handlers return the refusal itself (CALLER_OR_RETURN); any other status means
        // one ran without asking. Services we do not write answer as they do and are exempt.
        const grpc::Status sent = methods->GetSendStatus();
        if (absl::StartsWith(method_, "/recovery.") &&
            (static_cast<int>(sent.error_code()) != static_cast<int>(refusal_.code()) ||
             sent.error_message() != refusal_.message())) {
          access_->CountUncheckedHandler(method_);
        }
        methods->ModifySendStatus(
            grpc::Status(static_cast<grpc::StatusCode>(refusal_.code()), std::string(refusal_.message())));
      }
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  const grpc::ServerContextBase* ctx_;
  AccessControl* access_;
  bool decided_ = false;
  std::optional<Caller> admitted_;
  absl::Status refusal_;
  bool audited_ = false;
  std::vector<std::string> case_ids_;
};

class AccessInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AccessInterceptorFactory(AccessControl* access) : access_(access) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new AccessInterceptor(info, access_);
  }

 private:
  AccessControl* access_;
};

// The token of an "authorization: Bearer <token>" value.
absl::StatusOr<std::string> BearerToken(std::string_view authorization) {
  constexpr char kScheme[] = "bearer ";
  const std::string value(authorization);
  if (value.size() <= sizeof(kScheme) - 1 || !absl::StartsWithIgnoreCase(value, kScheme))
    return absl::UnauthenticatedError("authorization: expected 'Bearer <token>'");
  std::string token(absl::StripAsciiWhitespace(value.substr(sizeof(kScheme) - 1)));
  if (token.empty()) return absl::UnauthenticatedError("authorization: the bearer token is empty");
  return token;
}

}  // namespace

std::string ApiTokenHash(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(std::string(reinterpret_cast<const char*>(digest), len));
}

AccessControl::AccessControl(Clock& clock, Metrics* metrics) : clock_(clock), metrics_(metrics) {}
AccessControl::~AccessControl() = default;

absl::StatusOr<std::unique_ptr<AccessControl>> AccessControl::Create(AccessConfig config, Clock& credential_clock,
                                                                     Metrics* metrics, HttpGet get) {
  std::unique_ptr<AccessControl> ac(new AccessControl(credential_clock, metrics));
  if (!config.oidc.issuer.empty()) {
    if (!get) get = CurlHttpGet(config.oidc.ca_file);
    ac->verifier_ = std::make_unique<JwtVerifier>(config.oidc, credential_clock, std::move(get));
    if (auto s = ac->verifier_->Refresh(); !s.ok()) {
      // The provider may start after us; tokens are checked once its keys can be fetched.
      LogWarn("identity provider keys not fetched yet",
              {{"issuer", config.oidc.issuer}, {"error", std::string(s.message())}});
    }
  }
  ac->config_ = std::make_shared<const AccessConfig>(std::move(config));
  return ac;
}

absl::Status AccessControl::Reload(AccessConfig config) {
  std::lock_guard lock(mu_);
  const OidcSettings& was = config_->oidc;
  if (config.oidc.issuer != was.issuer || config.oidc.audience != was.audience ||
      config.oidc.jwks_uri != was.jwks_uri || config.oidc.jwks_file != was.jwks_file)
    return absl::FailedPreconditionError("auth-config.oidc: the identity provider changed; restart to use it");
  config_ = std::make_shared<const AccessConfig>(std::move(config));
  cache_.clear();
  return absl::OkStatus();
}

std::shared_ptr<const AccessConfig> AccessControl::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

absl::StatusOr<Principal> AccessControl::AuthenticateUncached(const AccessConfig& cfg, const std::string& token) {
  const absl::Time now = clock_.Now();
  if (absl::StartsWith(token, "srk_")) {
    const std::string hash = ApiTokenHash(token);
    for (const auto& t : cfg.api_tokens) {
      if (t.sha256 != hash) continue;
      if (t.revoked) return absl::UnauthenticatedError(absl::StrCat("API token '", t.name, "' is revoked"));
      if (t.expires <= now) return absl::UnauthenticatedError(absl::StrCat("API token '", t.name, "' has expired"));
      Principal p;
      p.kind = Principal::Kind::kIntegration;
      p.id = t.name;
      p.roles = t.roles;
      p.expires = t.expires;
      return p;
    }
    return absl::UnauthenticatedError("API token: not known (never issued, or removed)");
  }
  if (verifier_ == nullptr) return absl::UnauthenticatedError("token: no identity provider is configured");
  ASSIGN_OR_RETURN(TokenClaims claims, verifier_->Verify(token));
  Principal p;
  p.expires = claims.expires;
  if (!claims.client_id.empty() && (claims.sub.empty() || claims.sub == claims.client_id)) {
    auto it = cfg.oidc.clients.find(claims.client_id);
    if (it == cfg.oidc.clients.end())
      return absl::UnauthenticatedError(absl::StrCat("token: client '", claims.client_id, "' is not configured"));
    p.kind = Principal::Kind::kIntegration;
    p.id = it->second.integration;
    p.roles = it->second.roles;
    return p;
  }
  if (claims.subject.empty())
    return absl::UnauthenticatedError(absl::StrCat("token: no '", cfg.oidc.subject_claim, "' claim"));
  auto person = cfg.people.find(claims.subject);
  p.kind = Principal::Kind::kPerson;
  if (person != cfg.people.end()) {
    p.id = person->second.person;
    p.roles = person->second.roles;
  } else if (cfg.oidc.unlisted_subjects_are_people) {
    p.id = claims.subject;
  } else {
    return absl::UnauthenticatedError(
        absl::StrCat("token: subject '", claims.subject, "' is not a person of the directory"));
  }
  for (const auto& g : claims.groups) {
    auto it = cfg.oidc.group_roles.find(g);
    if (it != cfg.oidc.group_roles.end()) p.roles.insert(it->second.begin(), it->second.end());
  }
  return p;
}

absl::StatusOr<Principal> AccessControl::Authenticate(std::string_view authorization,
                                                      const grpc::AuthContext* transport) {
  std::shared_ptr<const AccessConfig> cfg = config();
  if (authorization.empty()) {
    // A verified client certificate names a service (mTLS between our own processes).
    if (transport != nullptr && transport->IsPeerAuthenticated()) {
      for (const auto& cn : transport->FindPropertyValues("x509_common_name")) {
        auto it = cfg->certificates.find(std::string(cn.data(), cn.size()));
        if (it == cfg->certificates.end()) continue;
        Principal p;
        p.kind = Principal::Kind::kService;
        p.id = it->second.service;
        p.roles = it->second.roles;
        return p;
      }
    }
    return absl::UnauthenticatedError("no credential: send 'authorization: Bearer <token>'");
  }
  ASSIGN_OR_RETURN(std::string token, BearerToken(authorization));
  const std::string key = ApiTokenHash(token);
  const absl::Time now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && now < it->second.until) return it->second.principal;
  }
  ASSIGN_OR_RETURN(Principal p, AuthenticateUncached(*cfg, token));
  std::lock_guard lock(mu_);
  if (cfg != config_) return p;  // reloaded meanwhile: do not cache under the old directory
  if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  // Cached until the credential expires (leeway included for JWTs), at most 5 minutes for
  // API tokens so that an expiry set by a reload is never outlived by much.
  const absl::Time until =
      std::min(p.expires + (p.kind == Principal::Kind::kIntegration ? absl::ZeroDuration() : cfg->oidc.leeway),
               now + absl::Minutes(5));
  cache_[key] = Cached{p, until};
  return p;
}

absl::Status AccessControl::Limit(const AccessConfig& cfg, const std::string& actor) {
  auto lit = cfg.limits.find(actor);
  const common::Limit& limit = lit == cfg.limits.end() ? cfg.default_limit : lit->second;
  const absl::Time now = clock_.Now();
  std::lock_guard lock(mu_);
  Bucket& b = buckets_[actor];
  if (b.refilled == absl::InfinitePast()) {
    b.tokens = limit.burst;
  } else {
    b.tokens = std::min(limit.burst, b.tokens + absl::ToDoubleSeconds(now - b.refilled) * limit.rate);
  }
  b.refilled = now;
  if (b.in_flight >= limit.in_flight)
    return absl::ResourceExhaustedError(absl::StrFormat(
        "%s has %d calls in flight (the limit); retry after one completes (retry after 100ms)", actor, b.in_flight));
  if (b.tokens < 1) {
    const double wait_ms = std::ceil((1 - b.tokens) / limit.rate * 1000);
    return absl::ResourceExhaustedError(
        absl::StrFormat("%s is over its rate limit of %g calls/s; retry after %.0fms", actor, limit.rate, wait_ms));
  }
  b.tokens -= 1;
  ++b.in_flight;
  return absl::OkStatus();
}

void AccessControl::Release(const Caller& caller) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(caller.principal.Actor());
  if (it != buckets_.end() && it->second.in_flight > 0) --it->second.in_flight;
}

void AccessControl::CountUncheckedHandler(const std::string& method) {
  if (metrics_ != nullptr) metrics_->Count("auth_unchecked_handlers_total", method);
  LogError("a handler ran for a refused call without CALLER_OR_RETURN", {{"method", method}});
}

absl::Status AccessControl::Refuse(std::string_view method, std::string_view reason, absl::Status status) {
  if (metrics_ != nullptr) metrics_->Count("auth_refusals_total", reason);
  LogWarn("call refused",
          {{"method", std::string(method)}, {"reason", std::string(reason)}, {"error", std::string(status.message())}});
  return status;
}

absl::StatusOr<Caller> AccessControl::Admit(std::string_view method, std::string_view authorization,
                                            const grpc::AuthContext* transport) {
  std::shared_ptr<const AccessConfig> cfg = config();
  auto permission = cfg->policy->PermissionFor(method);
  if (!permission.ok())
    return Refuse(method, "unlisted_method", absl::PermissionDeniedError(permission.status().message()));
  Caller caller;
  caller.policy = cfg->policy;
  if (*permission == Policy::kOpen) {
    caller.principal.kind = Principal::Kind::kService;
    caller.principal.id = "anonymous";
    return caller;
  }
  auto principal = Authenticate(authorization, transport);
  if (!principal.ok()) {
    // A provider we cannot reach is not the caller's fault: UNAVAILABLE tells them to retry.
    const bool unavailable = principal.status().code() == absl::StatusCode::kUnavailable;
    return Refuse(method, unavailable ? "keys_unavailable" : "unauthenticated", principal.status());
  }
  caller.principal = *std::move(principal);
  if (auto s = cfg->policy->Authorize(caller.principal, method); !s.ok()) return Refuse(method, "permission", s);
  if (auto s = Limit(*cfg, caller.principal.Actor()); !s.ok()) return Refuse(method, "limit", s);
  return caller;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> AccessControl::InterceptorFactory() {
  return std::make_unique<AccessInterceptorFactory>(this);
}

absl::StatusOr<Caller> CallerOf(const grpc::ServerContextBase* ctx) { return CallRegistry::Get().Find(ctx); }

InProcessCall::InProcessCall(const grpc::ServerContextBase* ctx, Caller caller) : ctx_(ctx) {
  CallRegistry::Get().Put(ctx, std::move(caller));
}

InProcessCall::~InProcessCall() { CallRegistry::Get().Erase(ctx_); }

}  // namespace recovery::common
