// recovery-bench-audit-merkle: the audit Merkle log on SQLite with a million leaves (the
// store's own audit_merkle_node rows, filled with AuditStore::InsertLeafNodes in transactions of
// 10,000): inclusion proof latency for one record, against one store point read of a leaf
// (the cheapest read an RPC does) in the same run; and the cost of signing a checkpoint (root
// from the stored subtrees + Ed25519) per 10,000 records, against hashing those 10,000
// leaves (SHA-256, the least a log of them costs). Short: the fill dominates (about 10 s).
//
//   recovery-bench-audit-merkle --dir D [--records 1000000] [--proofs 2000]
#include <filesystem>
#include <iostream>
#include <random>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "services/audit/domain/checkpoint.h"
#include "services/audit/domain/merkle.h"
#include "services/audit/store.h"
#include "services/common/store.h"
#include "tools/bench/bench_util.h"

namespace {

using recovery::bench::NowNanos;
using recovery::bench::Percentile;
using recovery::bench::Record;
namespace audit = recovery::audit;
namespace rc = recovery::common;

void Check(const absl::Status& s, const std::string& what) {
  if (!s.ok()) {
    std::cerr << "audit merkle bench: " << what << ": " << s << "\n";
    std::exit(1);
  }
}

std::string LeafBytes(int64_t i) { return absl::StrCat("event bytes of record ", i, std::string(200, 'x')); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"audit Merkle log: inclusion proof latency and checkpoint signing cost"};
  std::string dir;
  int64_t records = 1000000;
  int proofs = 2000;
  app.add_option("--dir", dir)->required();
  app.add_option("--records", records);
  app.add_option("--proofs", proofs);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/audit.db";
  std::filesystem::remove(path);
  auto store = rc::OpenStore(path);
  Check(store.status(), "open");
  Check((*store)->Migrate("audit", audit::AuditStore::Migrations()), "migrate");

  const int64_t fill_start = NowNanos();
  constexpr int64_t kBatch = 10000;
  for (int64_t from = 0; from < records; from += kBatch) {
    Check(rc::InTransaction(**store,
                            [&](rc::Tx& tx) -> absl::Status {
                              const int64_t to = std::min(records, from + kBatch);
                              for (int64_t i = from; i < to; ++i) {
                                absl::Status s =
                                    audit::AuditStore::InsertLeafNodes(tx, i, audit::merkle::LeafHash(LeafBytes(i)));
                                if (!s.ok()) return s;
                              }
                              return tx.Exec("UPDATE audit_head SET tree_size = ? WHERE id = 1", {to});
                            }),
          "fill");
  }
  const double fill_s = static_cast<double>(NowNanos() - fill_start) / 1e9;
  std::cerr << "filled " << records << " leaves in " << fill_s << " s\n";

  std::mt19937_64 rng(20);
  std::uniform_int_distribution<int64_t> pick(0, records - 1);
  const auto size = static_cast<uint64_t>(records);
  std::string root;
  Check(rc::InTransaction(**store,
                          [&](rc::Tx& tx) -> absl::Status {
                            auto r = audit::merkle::Root(size, audit::AuditStore::Nodes(tx));
                            if (r.ok()) root = *r;
                            return r.status();
                          }),
        "root");

  // Alternating rounds: a proof (one transaction, as the RPC's), then a point read of a leaf.
  std::vector<double> proof_us, read_us;
  for (int i = 0; i < proofs; ++i) {
    const auto index = static_cast<uint64_t>(pick(rng));
    int64_t t0 = NowNanos();
    std::vector<std::string> path_hashes;
    std::string leaf;
    Check(rc::InTransaction(**store,
                            [&](rc::Tx& tx) -> absl::Status {
                              const auto nodes = audit::AuditStore::Nodes(tx);
                              auto l = nodes(0, index);
                              if (!l.ok()) return l.status();
                              leaf = *l;
                              auto p = audit::merkle::InclusionProof(index, size, nodes);
                              if (!p.ok()) return p.status();
                              path_hashes = *std::move(p);
                              return absl::OkStatus();
                            }),
          "proof");
    proof_us.push_back(static_cast<double>(NowNanos() - t0) / 1e3);
    if (!audit::merkle::VerifyInclusion(index, size, leaf, path_hashes, root)) {
      std::cerr << "proof of " << index << " does not verify\n";
      return 1;
    }
    t0 = NowNanos();
    Check(rc::InTransaction(**store,
                            [&](rc::Tx& tx) -> absl::Status {
                              return audit::AuditStore::Nodes(tx)(0, static_cast<uint64_t>(pick(rng))).status();
                            }),
          "read");
    read_us.push_back(static_cast<double>(NowNanos() - t0) / 1e3);
  }
  const std::string note =
      absl::StrCat(proofs, " proofs of random records in a tree of ", records, " (SQLite, one transaction each); fill ",
                   static_cast<int64_t>(fill_s * 10) / 10.0, " s");
  double p50 = Percentile(proof_us, 50), p99 = Percentile(proof_us, 99);
  double r50 = Percentile(read_us, 50), r99 = Percentile(read_us, 99);
  Record({"audit-merkle", "inclusion proof latency p50", "us", p50, "one store point read of a leaf, p50", r50, false,
          "", -1, note});
  Record({"audit-merkle", "inclusion proof latency p99", "us", p99, "one store point read of a leaf, p99", r99, false,
          "", -1, note});

  // A checkpoint: the root at the current size from the stored subtrees, then sign the note.
  auto key = audit::SigningKey::Generate();
  Check(key.status(), "key");
  constexpr int kCheckpoints = 200;
  int64_t t0 = NowNanos();
  for (int i = 0; i < kCheckpoints; ++i) {
    const uint64_t at = size - static_cast<uint64_t>(i);
    Check(rc::InTransaction(**store,
                            [&](rc::Tx& tx) -> absl::Status {
                              auto r = audit::merkle::Root(at, audit::AuditStore::Nodes(tx));
                              if (!r.ok()) return r.status();
                              const std::string signed_note = audit::SignCheckpoint(
                                  {"bench/audit", static_cast<int64_t>(at), *r, absl::UnixEpoch()}, *key);
                              return signed_note.empty() ? absl::InternalError("sign") : absl::OkStatus();
                            }),
          "checkpoint");
  }
  const double checkpoint_us = static_cast<double>(NowNanos() - t0) / 1e3 / kCheckpoints;
  t0 = NowNanos();
  std::string sink;
  for (int64_t i = 0; i < kBatch; ++i) sink = audit::merkle::LeafHash(LeafBytes(i));
  const double hash_10k_us = static_cast<double>(NowNanos() - t0) / 1e3;
  Record(
      {"audit-merkle", "checkpoint signing cost per 10,000 records (one checkpoint every 10,000)", "us", checkpoint_us,
       "SHA-256 of the 10,000 leaves", hash_10k_us, false, "", -1,
       absl::StrCat("root from stored subtrees + Ed25519 signature, mean of ", kCheckpoints, " at size ~", records)});
  Record({"audit-merkle", "leaf append (nodes stored, tx of 10,000)", "leaves/s", static_cast<double>(records) / fill_s,
          "SHA-256 of a leaf", 1e6 * kBatch / hash_10k_us, true, "", -1, "InsertLeafNodes on SQLite"});
  return 0;
}
