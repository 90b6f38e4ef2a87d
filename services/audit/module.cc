// The audit ServiceModule: flags, the signing key, the checkpoint timer, the tree catch-up.
#include "services/audit/module.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/logging.h"
#include "services/common/status_macros.h"
#include "services/common/timers.h"

namespace recovery::audit {

std::vector<common::ServiceFlag> AuditModule::Flags() {
  return {
      {"--audit-signing-key", "RECOVERY_AUDIT_SIGNING_KEY",
       "sign checkpoints of the Merkle log with this Ed25519 private key (PKCS#8 PEM, e.g. `openssl genpkey "
       "-algorithm ed25519`); empty: no checkpoints",
       &flags_.signing_key},
      {"--audit-checkpoint-every", "RECOVERY_AUDIT_CHECKPOINT_EVERY",
       "sign a checkpoint every this many records (default 1000)", &flags_.every},
      {"--audit-checkpoint-interval", "RECOVERY_AUDIT_CHECKPOINT_INTERVAL",
       "and at the latest this long after a record no checkpoint covers (default 60s; e.g. 10s, 5m)", &flags_.interval},
      {"--audit-checkpoint-origin", "RECOVERY_AUDIT_CHECKPOINT_ORIGIN",
       "the log's name in its checkpoints (default recovery.local/audit)", &flags_.origin},
  };
}

absl::Status AuditModule::Init(const common::ServiceContext& ctx) {
  AuditOptions options = options_;
  if (!flags_.signing_key.empty()) options.signing_key_file = flags_.signing_key;
  if (!flags_.origin.empty()) options.origin = flags_.origin;
  if (!flags_.every.empty() &&
      (!absl::SimpleAtoi(flags_.every, &options.checkpoints.every_records) || options.checkpoints.every_records < 1))
    return absl::InvalidArgumentError("--audit-checkpoint-every: a whole number of records, at least 1");
  if (!flags_.interval.empty() && (!absl::ParseDuration(flags_.interval, &options.checkpoints.every) ||
                                   options.checkpoints.every <= absl::ZeroDuration()))
    return absl::InvalidArgumentError("--audit-checkpoint-interval: a positive duration such as 10s or 5m");
  if (options.origin.empty() || options.origin.find_first_of(" \n") != std::string::npos)
    return absl::InvalidArgumentError("--audit-checkpoint-origin: one word, no spaces");
  std::optional<SigningKey> key;
  if (!options.signing_key_file.empty()) {
    auto loaded = SigningKey::FromPemFile(options.signing_key_file);
    if (!loaded.ok())
      return absl::Status(loaded.status().code(), absl::StrCat("--audit-signing-key: ", loaded.status().message()));
    key = *std::move(loaded);
    common::LogInfo("audit: checkpoints signed", {{"origin", options.origin},
                                                  {"key_id", KeyIdHex(NoteKeyId(key->public_key(), options.origin))},
                                                  {"public_key", key->public_key().Pem()}});
  } else {
    common::LogWarn("audit: no --audit-signing-key: the Merkle log is kept but no checkpoint is signed", {});
  }
  app_ = std::make_unique<AuditApp>(ctx, options, std::move(key));
  RETURN_IF_ERROR(app_->CatchUpTree());
  ctx.timers.Handle(kCheckpointTimer,
                    [this](common::Tx& tx, const common::Timer&) { return app_->OnCheckpointTimer(tx); });
  service_ = std::make_unique<AuditService>(*app_);
  return absl::OkStatus();
}

absl::Status AuditModule::OnEvent(common::Tx& tx, const recovery::v1::Event& event) { return app_->OnEvent(tx, event); }

absl::Status AuditModule::OnRejectedEvent(common::Tx& tx, const common::RejectedEvent& rejected) {
  return app_->RecordRejected(tx, rejected);
}

}  // namespace recovery::audit
