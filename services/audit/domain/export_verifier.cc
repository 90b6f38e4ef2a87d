// Export lines and the offline export verifier. Every message here has its twin in
// tools/audit_verify.py: change both together.
#include "services/audit/domain/export_verifier.h"

#include <algorithm>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/audit/domain/merkle.h"
#include "services/common/events.h"

namespace recovery::audit {
namespace {

using google::protobuf::Struct;

struct LineRecord {
  int64_t line = 0;
  int64_t seq = 0;
  std::string record_hash;
  std::string event_bytes;
  Struct event;  // the "event" rendering
};

std::optional<LineRecord> ParseLine(const std::string& text, int64_t line_no) {
  Struct obj;
  if (!google::protobuf::util::JsonStringToMessage(text, &obj).ok()) return std::nullopt;
  const auto& f = obj.fields();
  auto seq = f.find("seq");
  auto hash = f.find("record_hash");
  auto bytes = f.find("event_bytes");
  auto event = f.find("event");
  if (seq == f.end() || !seq->second.has_number_value() || hash == f.end() || !hash->second.has_string_value() ||
      bytes == f.end() || !bytes->second.has_string_value() || event == f.end() || !event->second.has_struct_value())
    return std::nullopt;
  LineRecord r;
  r.line = line_no;
  const double s = seq->second.number_value();
  if (s < 1 || s != static_cast<double>(static_cast<int64_t>(s))) return std::nullopt;
  r.seq = static_cast<int64_t>(s);
  r.record_hash = hash->second.string_value();
  if (!absl::Base64Unescape(bytes->second.string_value(), &r.event_bytes)) return std::nullopt;
  r.event = event->second.struct_value();
  return r;
}

std::string StringField(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it != s.fields().end() && it->second.has_string_value() ? it->second.string_value() : "";
}

std::string Hex(const std::string& raw) { return absl::BytesToHexString(raw); }

// The envelope fields both verifiers compare between the rendering and the bytes (the Python
// verifier decodes them from the protobuf wire format without the schema).
std::optional<std::string> EnvelopeMismatch(const recovery::v1::Event& event, const Struct& json) {
  const std::pair<const char*, std::string> fields[] = {
      {"event_id", event.event_id()}, {"case_id", event.case_id()},           {"source", event.source()},
      {"actor", event.actor()},       {"causation_id", event.causation_id()},
  };
  for (const auto& [name, value] : fields)
    if (StringField(json, name) != value) return std::string(name);
  std::string occurred;
  if (event.has_occurred_at()) {
    (void)google::protobuf::util::MessageToJsonString(event.occurred_at(), &occurred);
    // A Timestamp renders as a quoted JSON string.
    if (occurred.size() >= 2) occurred = occurred.substr(1, occurred.size() - 2);
  }
  if (StringField(json, "occurred_at") != occurred) return std::string("occurred_at");
  return std::nullopt;
}

}  // namespace

std::string ExportLine(const ChainRecord& r, const recovery::v1::Event& event) {
  return absl::StrCat("{\"seq\":", r.seq, ",\"case_seq\":", r.case_seq, ",\"record_hash\":\"", r.record_hash,
                      "\",\"leaf_index\":", r.seq - 1, ",\"event_bytes\":\"", absl::Base64Escape(r.event_bytes),
                      "\",\"event\":", common::EventToJson(event), "}");
}

std::string ExportVerifyReport::Text() const {
  std::string out = absl::StrCat(ok ? "OK: " : "FAIL: ", records, " records, root ", root_hex, "\n");
  for (const std::string& p : problems) absl::StrAppend(&out, "problem: ", p, "\n");
  for (const std::string& n : notes) absl::StrAppend(&out, "note: ", n, "\n");
  return out;
}

ExportVerifyReport VerifyExport(const std::vector<std::string>& lines, const PublicKey* public_key,
                                const std::vector<std::string>& checkpoints, const ExportVerifyOptions& options) {
  ExportVerifyReport report;
  std::vector<LineRecord> records;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find_first_not_of(" \t\r\n") == std::string::npos) continue;
    auto r = ParseLine(lines[i], static_cast<int64_t>(i + 1));
    if (!r) {
      report.problems.push_back(absl::StrCat("line ", i + 1, ": not an export record"));
      continue;
    }
    records.push_back(std::move(*r));
  }
  report.records = static_cast<int64_t>(records.size());

  // Structure: every seq once, ascending, none missing from 1.
  bool structure_ok = true;
  std::map<int64_t, int64_t> line_of;
  for (const LineRecord& r : records) {
    auto [it, inserted] = line_of.emplace(r.seq, r.line);
    if (!inserted) {
      report.problems.push_back(
          absl::StrCat("record seq ", r.seq, " appears twice (lines ", it->second, " and ", r.line, ")"));
      structure_ok = false;
    }
  }
  for (size_t i = 1; i < records.size(); ++i) {
    if (records[i].seq < records[i - 1].seq) {
      report.problems.push_back(
          absl::StrCat("records out of order at seq ", records[i].seq, " (line ", records[i].line, ")"));
      structure_ok = false;
      break;
    }
  }
  int64_t previous = 0;
  for (const auto& [seq, line] : line_of) {
    if (seq > previous + 1) {
      report.problems.push_back(absl::StrCat("record missing between seq ", previous, " and seq ", seq));
      structure_ok = false;
    }
    previous = seq;
  }

  // Content: the chain's record hashes over the bytes, and the rendering against the bytes.
  // After a structural problem the chain would only repeat it, so it is not walked.
  if (structure_ok) {
    std::string prev = GenesisHash();
    for (size_t i = 0; i < records.size(); ++i) {
      const LineRecord& r = records[i];
      const std::string at = absl::StrCat("record ", i + 1, " (seq ", r.seq, ") changed: ");
      recovery::v1::Event event;
      const std::string event_id = StringField(r.event, "event_id");
      const std::string expect = RecordHash(prev, Sha256Hex(r.event_bytes), r.seq, event_id);
      if (expect != r.record_hash) {
        report.problems.push_back(absl::StrCat(at, "its record_hash does not match its bytes"));
        break;
      }
      if (!event.ParseFromString(r.event_bytes)) {
        report.problems.push_back(absl::StrCat(at, "its bytes are not an event"));
        break;
      }
      if (auto field = EnvelopeMismatch(event, r.event)) {
        report.problems.push_back(absl::StrCat(at, "its event's ", *field, " does not match its bytes"));
        break;
      }
      // The whole rendering (this verifier has the schema; the Python one checks the envelope).
      Struct rendered;
      if (!google::protobuf::util::JsonStringToMessage(common::EventToJson(event), &rendered).ok() ||
          !google::protobuf::util::MessageDifferencer::Equals(rendered, r.event)) {
        report.problems.push_back(absl::StrCat(at, "its event JSON does not match its bytes"));
        break;
      }
      prev = expect;
    }
  }

  // The tree over the records as exported.
  merkle::MerkleTree tree;
  for (const LineRecord& r : records) tree.AppendLeaf(r.event_bytes);
  report.root_hex = Hex(tree.Root());
  const int64_t n = report.records;
  const int64_t last_seq = records.empty() ? 0 : records.back().seq;

  if (checkpoints.empty()) {
    report.notes.push_back("no checkpoint given: the export is only checked against itself");
  } else if (public_key == nullptr) {
    report.problems.push_back("no public key given: the checkpoints cannot be checked");
  } else {
    for (size_t k = 0; k < checkpoints.size(); ++k) {
      auto c = VerifyCheckpoint(checkpoints[k], *public_key);
      if (!c.ok()) {
        report.problems.push_back(absl::StrCat("checkpoint ", k + 1, ": ", c.status().message()));
        continue;
      }
      report.checkpoints.push_back(*std::move(c));
    }
    std::stable_sort(report.checkpoints.begin(), report.checkpoints.end(),
                     [](const Checkpoint& a, const Checkpoint& b) { return a.tree_size < b.tree_size; });
    std::vector<int64_t> matched;
    for (const Checkpoint& c : report.checkpoints) {
      if (c.tree_size > n) {
        report.problems.push_back(absl::StrCat("record missing after seq ", last_seq, ": the checkpoint at size ",
                                               c.tree_size, " covers more than the export's ", n, " records"));
        continue;
      }
      const std::string root = tree.Root(static_cast<uint64_t>(c.tree_size));
      if (root != c.root_hash) {
        report.problems.push_back(absl::StrCat("checkpoint at size ", c.tree_size,
                                               " does not match the export: signed root ", Hex(c.root_hash),
                                               ", the export's root ", Hex(root)));
        continue;
      }
      matched.push_back(c.tree_size);
      report.verified_size = c.tree_size;
      report.notes.push_back(absl::StrCat("checkpoint at size ", c.tree_size, " matches the export"));
    }
    if (matched.size() >= 2)
      report.notes.push_back(absl::StrCat("the log only grew from size ", matched.front(), " to size ", matched.back(),
                                          " (consistent by recomputation)"));
    if (!report.checkpoints.empty()) {
      const int64_t newest = report.checkpoints.back().tree_size;
      if (n > newest) {
        const std::string tail =
            absl::StrCat("records after the checkpoint are not in it: seq ", records[newest].seq, " to ", last_seq,
                         " (", n - newest, " records appended after size ", newest, ")");
        (options.allow_tail ? report.notes : report.problems).push_back(tail);
      }
    }
  }
  report.ok = report.problems.empty();
  return report;
}

}  // namespace recovery::audit
