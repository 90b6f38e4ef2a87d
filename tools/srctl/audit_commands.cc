// srctl's audit commands (recovery.v1.Audit): a case's timeline, verifying the hash chain
// (online) or an export against signed checkpoints (offline), exporting audited events,
// checkpoints, the public key, inclusion proofs and statistics.
#include <algorithm>
#include <ostream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "services/audit/domain/checkpoint.h"
#include "services/audit/domain/export_verifier.h"
#include "services/audit/domain/merkle.h"
#include "services/common/grpc_util.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

using google::protobuf::Message;
using recovery::v1::Audit;

// An export reads the whole log: it may take longer than a unary call.
constexpr absl::Duration kExportTimeout = absl::Minutes(10);

class TimelineCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_option("case", case_id_)->required(); }

  absl::Status Run(Session& session) const {
    recovery::v1::GetTimelineRequest req;
    req.set_case_id(case_id_);
    return session.Show(session.Call<Audit>(&Audit::Stub::GetTimeline, req), [](const Message& m, std::ostream& out) {
      out << Table(RepeatedMessages(m, "entries"), {"case_seq", "occurred_at", "source", "type", "summary"});
    });
  }

 private:
  std::string case_id_;
};

std::vector<std::string> RawHashes(const google::protobuf::RepeatedPtrField<std::string>& hexes) {
  std::vector<std::string> out;
  for (const std::string& h : hexes) out.push_back(absl::HexStringToBytes(h));
  return out;
}

// `srctl audit verify`: online, the service recomputes its chain (VerifyChain). With --export,
// offline: the export file, the auditor's copy of the public key and the checkpoints they kept
// (audit::VerifyExport; tools/audit_verify.py is the independent twin). --online then also
// asks the service for consistency proofs from each kept checkpoint to its latest one.
// Exit code 3 when anything is broken.
class VerifyCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--export", export_, "verify this export file (JSON lines of `srctl audit export`) offline");
    cmd.add_option("--public-key", public_key_, "the checkpoint signing key (PEM, from `srctl audit public-key`)");
    cmd.add_option("--checkpoint", checkpoints_, "a checkpoint kept earlier (`srctl audit checkpoint`); repeatable");
    cmd.add_flag("--allow-tail", allow_tail_, "records after the newest checkpoint are a note, not a failure");
    cmd.add_flag("--online", online_, "with --export: also verify the service's consistency proofs");
  }

  absl::Status Run(Session& session) const {
    if (export_.empty()) return VerifyChain(session);
    ASSIGN_OR_RETURN(const std::string text, ReadFlagFile("--export", export_));
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::optional<audit::PublicKey> key;
    if (!public_key_.empty()) {
      ASSIGN_OR_RETURN(const std::string pem, ReadFlagFile("--public-key", public_key_));
      auto parsed = audit::PublicKey::FromPem(pem);
      if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("--public-key: ", parsed.status().message()));
      key = *std::move(parsed);
    }
    std::vector<std::string> notes;
    for (const std::string& path : checkpoints_) {
      ASSIGN_OR_RETURN(std::string note, ReadFlagFile("--checkpoint", path));
      notes.push_back(std::move(note));
    }
    audit::ExportVerifyReport report =
        audit::VerifyExport(lines, key ? &*key : nullptr, notes, {.allow_tail = allow_tail_});
    if (online_ && key) RETURN_IF_ERROR(CheckOnline(session, *key, report));
    report.ok = report.problems.empty();
    if (!report.ok) session.set_exit_code(3);
    session.PrintText(report.Text());
    return absl::OkStatus();
  }

 private:
  static absl::Status VerifyChain(Session& session) {
    ASSIGN_OR_RETURN(const auto result,
                     session.Call<Audit>(&Audit::Stub::VerifyChain, recovery::v1::VerifyChainRequest()));
    if (!session.json() && !result.ok()) session.set_exit_code(3);
    session.Print(result, [&](std::ostream& out) {
      if (result.ok()) {
        out << "chain OK: " << result.records_checked() << " records, head " << DisplayText(result, "head_hash")
            << "\n";
      } else {
        out << "CHAIN BROKEN:\n" << Pretty(result, 1);
      }
    });
    return absl::OkStatus();
  }

  // Each kept checkpoint against the service's latest: the log there must extend it.
  static absl::Status CheckOnline(Session& session, const audit::PublicKey& key, audit::ExportVerifyReport& report) {
    for (const audit::Checkpoint& kept : report.checkpoints) {
      recovery::v1::GetConsistencyProofRequest req;
      req.set_first_size(kept.tree_size);
      ASSIGN_OR_RETURN(const auto resp, session.Call<Audit>(&Audit::Stub::GetConsistencyProof, req));
      auto latest = audit::VerifyCheckpoint(resp.second_checkpoint().note(), key);
      if (!latest.ok()) {
        report.problems.push_back(
            absl::StrCat("the service's checkpoint at size ", resp.second_size(), ": ", latest.status().message()));
        continue;
      }
      if (audit::merkle::VerifyConsistency(static_cast<uint64_t>(kept.tree_size),
                                           static_cast<uint64_t>(latest->tree_size), kept.root_hash, latest->root_hash,
                                           RawHashes(resp.hashes()))) {
        report.notes.push_back(absl::StrCat("the service's log at size ", latest->tree_size,
                                            " extends the checkpoint at size ", kept.tree_size,
                                            " (consistency proof verified)"));
      } else {
        report.problems.push_back(absl::StrCat("consistency proof from the service does not verify between size ",
                                               kept.tree_size, " and size ", latest->tree_size,
                                               ": the log was rewritten"));
      }
    }
    return absl::OkStatus();
  }

  std::string export_, public_key_;
  std::vector<std::string> checkpoints_;
  bool allow_tail_ = false, online_ = false;
};

// `srctl audit checkpoint [--size N] [--out FILE]`: the signed note to keep.
class CheckpointCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--size", size_, "the checkpoint at this tree size (default: the latest)");
    cmd.add_option("--out", out_, "write the signed note to this file");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::GetCheckpointRequest req;
    req.set_tree_size(size_);
    ASSIGN_OR_RETURN(const auto resp, session.Call<Audit>(&Audit::Stub::GetCheckpoint, req));
    if (!out_.empty()) RETURN_IF_ERROR(WriteFlagFile("--out", out_, resp.checkpoint().note()));
    if (session.json()) return session.Show(absl::StatusOr<recovery::v1::GetCheckpointResponse>(resp));
    session.PrintText(
        out_.empty() ? resp.checkpoint().note()
                     : absl::StrCat("checkpoint at size ", resp.checkpoint().tree_size(), " written to ", out_, "\n"));
    return absl::OkStatus();
  }

 private:
  int64_t size_ = 0;
  std::string out_;
};

// `srctl audit public-key [--out FILE]`.
class PublicKeyCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_option("--out", out_, "write the PEM to this file"); }

  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const auto resp,
                     session.Call<Audit>(&Audit::Stub::GetPublicKey, recovery::v1::GetPublicKeyRequest()));
    if (resp.public_key_pem().empty())
      return absl::FailedPreconditionError("audit signs no checkpoints (started without --audit-signing-key)");
    if (!out_.empty()) RETURN_IF_ERROR(WriteFlagFile("--out", out_, resp.public_key_pem()));
    if (session.json()) return session.Show(absl::StatusOr<recovery::v1::GetPublicKeyResponse>(resp));
    session.PrintText(out_.empty()
                          ? resp.public_key_pem()
                          : absl::StrCat("key ", resp.key_id(), " (", resp.origin(), ") written to ", out_, "\n"));
    return absl::OkStatus();
  }

 private:
  std::string out_;
};

// `srctl audit prove --seq N | --case C --public-key FILE`: the service's inclusion proofs,
// checked here against its signed checkpoint.
class ProveCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--seq", seq_, "one record");
    cmd.add_option("--case", case_id_, "every record of a case");
    cmd.add_option("--public-key", public_key_, "the signing key (PEM) to check the checkpoint with")->required();
  }

  absl::Status Run(Session& session) const {
    recovery::v1::GetInclusionProofRequest req;
    if (!case_id_.empty()) {
      req.set_case_id(case_id_);
    } else {
      req.set_seq(seq_);
    }
    ASSIGN_OR_RETURN(const std::string pem, ReadFlagFile("--public-key", public_key_));
    auto key = audit::PublicKey::FromPem(pem);
    if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat("--public-key: ", key.status().message()));
    ASSIGN_OR_RETURN(const auto resp, session.Call<Audit>(&Audit::Stub::GetInclusionProof, req));
    auto checkpoint = audit::VerifyCheckpoint(resp.checkpoint().note(), *key);
    std::string out;
    if (!checkpoint.ok()) {
      session.set_exit_code(3);
      absl::StrAppend(&out, "FAIL: ", checkpoint.status().message(), "\n");
    } else {
      int failed = 0;
      for (const auto& p : resp.proofs()) {
        const bool ok = audit::merkle::VerifyInclusion(
            static_cast<uint64_t>(p.leaf_index()), static_cast<uint64_t>(checkpoint->tree_size),
            absl::HexStringToBytes(p.leaf_hash()), RawHashes(p.hashes()), checkpoint->root_hash);
        failed += ok ? 0 : 1;
        absl::StrAppend(&out, ok ? "included: " : "NOT INCLUDED: ", "seq ", p.seq(), " in the checkpoint at size ",
                        checkpoint->tree_size, "\n");
      }
      if (failed > 0) session.set_exit_code(3);
    }
    session.PrintText(out);
    return absl::OkStatus();
  }

 private:
  int64_t seq_ = 0;
  std::string case_id_, public_key_;
};

class ExportCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--case", case_id_);
    cmd.add_option("--from", from_, "RFC3339, inclusive");
    cmd.add_option("--to", to_, "RFC3339, exclusive");
  }

  // One JSON line per event, as the audit service renders it (escaped for the terminal).
  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf("audit"));
    recovery::v1::ExportEventsRequest req;
    req.set_case_id(case_id_);
    // Only the bounds that were given: touching a mutable_ accessor marks a field present.
    if (!from_.empty()) {
      ASSIGN_OR_RETURN(*req.mutable_occurred_from(), ParseTimestamp("--from", from_));
    }
    if (!to_.empty()) {
      ASSIGN_OR_RETURN(*req.mutable_occurred_to(), ParseTimestamp("--to", to_));
    }
    ASSIGN_OR_RETURN(const auto channel, session.ChannelTo(address));
    ASSIGN_OR_RETURN(const auto context, session.NewContext(kExportTimeout));
    auto stub = Audit::NewStub(channel);
    auto reader = stub->ExportEvents(context.get(), req);
    recovery::v1::ExportEventsResponse line;
    while (reader->Read(&line)) session.PrintJsonText(line.json_line());
    return common::FromGrpcStatus(reader->Finish());
  }

 private:
  std::string case_id_, from_, to_;
};

// `srctl audit access --case C [--limit N]`: who read the case's data, newest first.
class AccessCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--case", case_id_, "the case (\"*\": reads of no one case)")->required();
    cmd.add_option("--limit", limit_, "at most this many (default 100)");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ListCaseAccessRequest req;
    req.set_case_id(case_id_);
    req.set_limit(limit_);
    return session.Show(
        session.Call<Audit>(&Audit::Stub::ListCaseAccess, req), [](const Message& m, std::ostream& out) {
          out << Table(RepeatedMessages(m, "entries"), {"last_at", "reader", "service", "method", "reads", "first_at"});
        });
  }

 private:
  std::string case_id_;
  int limit_ = 0;
};

// `srctl audit rejected [--limit N]`: events refused by their signature, newest first.
class RejectedCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_option("--limit", limit_, "at most this many (default 100)"); }

  absl::Status Run(Session& session) const {
    recovery::v1::ListRejectedEventsRequest req;
    req.set_limit(limit_);
    return session.Show(session.Call<Audit>(&Audit::Stub::ListRejectedEvents, req), [](const Message& m,
                                                                                       std::ostream& out) {
      out << DisplayText(m, "total") << " rejected event(s)\n"
          << Table(RepeatedMessages(m, "entries"), {"rejected_at", "type", "source", "key_id", "event_id", "reason"});
    });
  }

 private:
  int limit_ = 0;
};

class StatsCommand {
 public:
  void AddFlags(CLI::App&) {}

  absl::Status Run(Session& session) const {
    return session.Show(session.Call<Audit>(&Audit::Stub::GetStats, recovery::v1::GetStatsRequest()));
  }
};

// `srctl audit config --kind schedule --id X`: who changed a resource, when and why, from the
// audit chain (not from the service that holds it).
class ConfigChangesCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--service", service_, "intake|escalation|action-plan|follow-up (default: every one)");
    cmd.add_option("--kind", kind_, "person, schedule, policy, ... (default: every kind)");
    cmd.add_option("--id", id_, "one resource (needs --kind)");
    cmd.add_option("--limit", limit_, "at most this many, newest first (default 100)");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ListConfigChangesRequest req;
    // The audit records a service by its event source: "action-plan", "follow-up".
    std::string service = service_;
    std::replace(service.begin(), service.end(), '_', '-');
    req.set_service(service);
    req.set_kind(kind_);
    req.set_id(id_);
    req.set_limit(limit_);
    return session.Show(session.Call<Audit>(&Audit::Stub::ListConfigChanges, req),
                        [](const Message& m, std::ostream& out) {
                          out << Table(RepeatedMessages(m, "entries"), {"seq", "occurred_at", "actor", "summary"});
                        });
  }

 private:
  std::string service_, kind_, id_;
  int limit_ = 0;
};

constexpr char kVerifyHelp[] =
    "verify the audit hash chain (audit.VerifyChain); with --export, an export against the public key and kept "
    "checkpoints, offline";

// `srctl audit config ...`, `srctl audit verify ...`: the audit commands under one word too (the
// verifier's documented spelling), beside the top-level ones.
void AttachAuditCommands(CLI::App& cmd, Session& session) {
  cmd.require_subcommand(1);
  for (const Command& sub :
       {MakeCommand<ConfigChangesCommand>(
            "config", "configuration changes from the audit chain, newest first (audit.ListConfigChanges)"),
        MakeCommand<VerifyCommand>("verify", kVerifyHelp),
        MakeCommand<ExportCommand>("export", "export audited events as JSON lines (audit.ExportEvents)"),
        MakeCommand<CheckpointCommand>("checkpoint",
                                       "the latest (or --size N) signed checkpoint (audit.GetCheckpoint)"),
        MakeCommand<PublicKeyCommand>("public-key", "the checkpoint signing key, PEM (audit.GetPublicKey)"),
        MakeCommand<ProveCommand>("prove", "inclusion proofs of a record or case, checked (audit.GetInclusionProof)"),
        MakeCommand<AccessCommand>("access", "who read a case's data, newest first (audit.ListCaseAccess)"),
        MakeCommand<RejectedCommand>("rejected",
                                     "events refused by their signature, newest first (audit.ListRejectedEvents)")})
    sub.attach(*cmd.add_subcommand(sub.name, sub.help), session);
}

}  // namespace

std::vector<Command> AuditCommands() {
  return {
      MakeCommand<TimelineCommand>("timeline", "a case's audit timeline (audit.GetTimeline)"),
      MakeCommand<VerifyCommand>("verify", kVerifyHelp),
      MakeCommand<CheckpointCommand>("checkpoint", "the latest (or --size N) signed checkpoint (audit.GetCheckpoint)"),
      MakeCommand<PublicKeyCommand>("public-key", "the checkpoint signing key, PEM (audit.GetPublicKey)"),
      MakeCommand<ProveCommand>("prove", "inclusion proofs of a record or case, checked (audit.GetInclusionProof)"),
      MakeCommand<ExportCommand>("export", "export audited events as JSON lines (audit.ExportEvents)"),
      MakeCommand<StatsCommand>("stats", "audit statistics (audit.GetStats)"),
      Command{"audit", "audit queries: audit config|verify|export|checkpoint|public-key|prove", AttachAuditCommands},
  };
}

}  // namespace recovery::srctl
