// AccessControl: who is calling and whether they may. The runtime installs its interceptor
// on every gRPC server; for each call it authenticates the credential (an OIDC access token,
// an API token, or a verified client certificate), looks the method up in the one policy
// table, applies the caller's rate and concurrency limits, and records the decision for the
// handler. Handlers start with CallerOf(ctx): a refused call returns the refusal as is, an
// admitted one gets the principal, whose Actor() is the actor of every event the call causes.
//
// Answers: UNAUTHENTICATED (no, bad or unknown credential), PERMISSION_DENIED naming the
// missing permission, RESOURCE_EXHAUSTED with a retry delay. Each refusal is logged and
// counted (recovery_auth_refusals_total{reason}). Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "services/common/auth/access_config.h"
#include "services/common/auth/jwt_verifier.h"
#include "services/common/auth/policy.h"
#include "services/common/auth/principal.h"
#include "services/common/clock.h"
#include "services/common/grpc_util.h"

namespace grpc {
class AuthContext;
class ServerContextBase;
namespace experimental {
class ServerInterceptorFactoryInterface;
}  // namespace experimental
}  // namespace grpc

namespace recovery::common {

class Metrics;

// Where admitted reads of case data go (AccessLog, access_log.h, implements it).
class ReadRecorder {
 public:
  virtual ~ReadRecorder() = default;
  // One admitted read by `actor` of `method` touching each of `case_ids` (none: no one case).
  virtual void Record(std::string_view actor, std::string_view method, const std::vector<std::string>& case_ids) = 0;
};

// The admitted caller of one RPC and the policy that admitted it (for scope checks).
struct Caller {
  Principal principal;
  std::shared_ptr<const Policy> policy;
  bool Holds(std::string_view permission) const { return policy && policy->Grants(principal, permission); }
  std::string Actor() const { return principal.Actor(); }
};

class AccessControl {
 public:
  // `credential_clock` decides token expiry and rate limits: the real clock in a service even
  // under --manual-clock (the identity provider issues tokens in real time), a manual clock in
  // tests. `get` fetches discovery and JWKS documents (default: libcurl with oidc.ca_file).
  static absl::StatusOr<std::unique_ptr<AccessControl>> Create(AccessConfig config, Clock& credential_clock,
                                                               Metrics* metrics, HttpGet get = nullptr);
  ~AccessControl();

  // SIGHUP: new directory, tokens, limits and policy. Cached verifications are dropped, so a
  // revoked token or a removed person is refused from the next call. A changed `oidc`
  // section needs a restart (refused here).
  absl::Status Reload(AccessConfig config);

  // The whole decision for one call of `method` with the `authorization` metadata value
  // ("" when absent) over a transport whose peer is `transport` (nullable).
  absl::StatusOr<Caller> Admit(std::string_view method, std::string_view authorization,
                               const grpc::AuthContext* transport);
  // Ends an admitted call (its in-flight slot).
  void Release(const Caller& caller);

  // Authentication alone (cached per token until it expires).
  absl::StatusOr<Principal> Authenticate(std::string_view authorization, const grpc::AuthContext* transport);

  // The interceptor the runtime puts on its server. The factory must not outlive this.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

  std::shared_ptr<const AccessConfig> config() const;
  // A handler answered a refused call with its own status: it never asked CallerOf (a bug;
  // logged and counted as recovery_auth_unchecked_handlers_total{method}).
  void CountUncheckedHandler(const std::string& method);
  JwtVerifier* verifier() { return verifier_.get(); }
  // Where admitted reads of case data are recorded (access_log.h); null: not recorded. Set by
  // the runtime before serving; not owned.
  void SetAccessLog(ReadRecorder* log) { access_log_ = log; }
  ReadRecorder* access_log() const { return access_log_; }

 private:
  AccessControl(Clock& clock, Metrics* metrics);
  absl::StatusOr<Principal> AuthenticateUncached(const AccessConfig& cfg, const std::string& token);
  absl::Status Limit(const AccessConfig& cfg, const std::string& actor);
  absl::Status Refuse(std::string_view method, std::string_view reason, absl::Status status);

  Clock& clock_;
  Metrics* metrics_;
  ReadRecorder* access_log_ = nullptr;
  std::unique_ptr<JwtVerifier> verifier_;
  mutable std::mutex mu_;
  std::shared_ptr<const AccessConfig> config_ ABSL_GUARDED_BY(mu_);
  struct Cached {
    Principal principal;
    absl::Time until;
  };
  std::map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);  // by SHA-256 of the token
  struct Bucket {
    double tokens = 0;
    absl::Time refilled = absl::InfinitePast();
    int in_flight = 0;
  };
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);  // by actor
};

// The decision the access interceptor made for the call on `ctx`: the caller, or the refusal
// to return. Fails closed (UNAUTHENTICATED) for a call no interceptor saw.
absl::StatusOr<Caller> CallerOf(const grpc::ServerContextBase* ctx);

// The first line of every gRPC handler: binds `var` (a const Caller&) to the admitted caller
// of the call on `ctx`, or returns the refusal the interceptor decided.
#define CALLER_OR_RETURN(var, ctx)                                                                \
  auto var##_or_refusal = ::recovery::common::CallerOf(ctx);                                      \
  if (!var##_or_refusal.ok()) return ::recovery::common::ToGrpcStatus(var##_or_refusal.status()); \
  const ::recovery::common::Caller& var = *var##_or_refusal

// The same for a handler that needs no more than the admission.
#define RETURN_IF_REFUSED(ctx)                                           \
  if (auto refusal_ = ::recovery::common::CallerOf(ctx); !refusal_.ok()) \
  return ::recovery::common::ToGrpcStatus(refusal_.status())

// For code that calls a service's handler object directly in its own process (benchmarks,
// drivers): admits `caller` for calls made with `ctx` while this object lives. There is no
// network path to it; a server's calls are only ever admitted by the interceptor.
class InProcessCall {
 public:
  InProcessCall(const grpc::ServerContextBase* ctx, Caller caller);
  ~InProcessCall();
  InProcessCall(const InProcessCall&) = delete;
  InProcessCall& operator=(const InProcessCall&) = delete;

 private:
  const grpc::ServerContextBase* ctx_;
};

// Lower-case hex SHA-256 of an API token, as the access configuration stores it.
std::string ApiTokenHash(std::string_view token);

}  // namespace recovery::common
