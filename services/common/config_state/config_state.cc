// Configuration as state: resources with versions, one change path (config_state.h).
#include "services/common/config_state/config_state.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/auth/access_control.h"
#include "services/common/clock.h"
#include "services/common/config_state/yaml_value.h"
#include "services/common/ids.h"
#include "services/common/logging.h"
#include "services/common/outbox.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/store.h"
#include "services/common/validation.h"

namespace recovery::common {

namespace v1 = recovery::v1;
using JsonValue = google::protobuf::Value;
using Shape = ConfigKind::Shape;

absl::Status ConfigSchema::AuthorizeEdit(const Caller& caller, const ConfigEdit& edit, const YAML::Node&) const {
  if (caller.Holds(edit.kind->write_permission)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("permission ", edit.kind->write_permission, " needed to change ",
                                                  edit.kind->kind, " '", edit.id, "'"));
}

// Everything below works on entries: one resource of the live store or of a document.
struct ConfigState::Impl {
  struct Entry {
    std::string kind;
    std::string id;
    int position = 0;  // 1-based within the kind
    JsonValue spec;
    std::string hash;  // ContentHash(spec)
    // Stored only:
    int64_t version = 0;
    std::string updated_by, reason, origin;
    int64_t updated_us = 0;
  };
  using Key = std::pair<std::string, std::string>;  // (kind, id)
  using Entries = std::map<Key, Entry>;

  struct Change {
    v1::ConfigChangeType type = v1::CONFIG_CHANGE_TYPE_UNSPECIFIED;
    std::optional<Entry> before, after;
    std::vector<std::string> mask;
    int target_position = 0;  // Create/Update: where to put it (0: keep, or last for a new one)
  };

  struct Live {
    Entries entries;
    int64_t generation = 0;
    bool imported = false;
  };

  static constexpr char kResourceColumns[] =
      "kind, id, position, version, spec, content_hash, updated_by, updated_us, reason, origin";

  static absl::StatusOr<Live> Load(Tx& tx, const std::vector<ConfigKind>& kinds) {
    Live live;
    ASSIGN_OR_RETURN(auto meta, tx.Query("SELECT name, value FROM config_meta"));
    for (const Row& r : meta) {
      if (r.Str(0) == "generation") live.generation = r.Int(1);
      if (r.Str(0) == "imported") live.imported = r.Int(1) != 0;
    }
    ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat("SELECT ", kResourceColumns, " FROM config_resources")));
    for (const Row& r : rows) {
      Entry e;
      e.kind = r.Str(0);
      e.id = r.Str(1);
      e.position = static_cast<int>(r.Int(2));
      e.version = r.Int(3);
      ASSIGN_OR_RETURN(e.spec, ParseJsonValue(r.Str(4)));
      e.hash = r.Str(5);
      e.updated_by = r.Str(6);
      e.updated_us = r.Int(7);
      e.reason = r.Str(8);
      e.origin = r.Str(9);
      if (FindKind(kinds, e.kind) == nullptr) {
        LogWarn("configuration resource of a kind this version does not know; ignored",
                {{"kind", e.kind}, {"id", e.id}});
        continue;
      }
      live.entries.emplace(Key{e.kind, e.id}, std::move(e));
    }
    return live;
  }

  static const ConfigKind* FindKind(const std::vector<ConfigKind>& kinds, const std::string& kind) {
    for (const ConfigKind& k : kinds)
      if (k.kind == kind) return &k;
    return nullptr;
  }

  static Entry MakeEntry(const ConfigKind& kind, std::string id, int position, JsonValue spec) {
    Entry e;
    e.kind = kind.kind;
    e.id = std::move(id);
    e.position = position;
    e.spec = std::move(spec);
    e.hash = ContentHash(e.spec);
    return e;
  }

  // A document's resources; `file_only` receives its file-only sections. Errors name the key.
  static absl::StatusOr<Entries> Split(const std::vector<ConfigKind>& kinds, const std::vector<std::string>& file_only,
                                       const YAML::Node& doc, YAML::Node* file_only_out) {
    Entries out;
    if (file_only_out != nullptr) *file_only_out = YAML::Node(YAML::NodeType::Map);
    if (!doc.IsDefined() || doc.IsNull()) return out;
    if (!doc.IsMap()) return absl::InvalidArgumentError("configuration: must be a map");
    std::set<std::string> known;
    for (const ConfigKind& k : kinds) {
      if (k.shape == Shape::kSettings) {
        known.insert(k.keys.begin(), k.keys.end());
      } else {
        known.insert(k.section);
      }
    }
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(file_only.begin(), file_only.end(), key) != file_only.end()) {
        if (file_only_out != nullptr) (*file_only_out)[key] = it->second;
        continue;
      }
      if (known.count(key) == 0) return InvalidField(key, "unknown key");
    }
    for (const ConfigKind& k : kinds) {
      auto add = [&](Entry e, const std::string& path) -> absl::Status {
        Key key{e.kind, e.id};
        const std::string id = e.id;
        if (!out.emplace(key, std::move(e)).second) return InvalidField(path, absl::StrCat("duplicate id '", id, "'"));
        return absl::OkStatus();
      };
      if (k.shape == Shape::kSettings) {
        JsonValue spec;
        auto* fields = spec.mutable_struct_value()->mutable_fields();
        for (const std::string& key : k.keys)
          if (doc[key].IsDefined()) (*fields)[key] = YamlToValue(doc[key]);
        if (!fields->empty()) RETURN_IF_ERROR(add(MakeEntry(k, "settings", 1, std::move(spec)), k.section));
        continue;
      }
      const YAML::Node section = doc[k.section];
      if (!section.IsDefined() || section.IsNull()) continue;
      int position = 0;
      if (k.shape == Shape::kMap) {
        if (!section.IsMap()) return InvalidField(k.section, "must be a map");
        for (auto it = section.begin(); it != section.end(); ++it) {
          ++position;
          const std::string id = it->first.Scalar();
          RETURN_IF_ERROR(add(MakeEntry(k, id, position, YamlToValue(it->second)), absl::StrCat(k.section, ".", id)));
        }
        continue;
      }
      if (!section.IsSequence()) return InvalidField(k.section, "must be a list");
      for (const YAML::Node& item : section) {
        const std::string path = absl::StrCat(k.section, "[", position, "]");
        ++position;
        if (k.shape == Shape::kNames) {
          if (!item.IsScalar()) return InvalidField(path, "must be a name");
          RETURN_IF_ERROR(add(MakeEntry(k, item.Scalar(), position, JsonValue()), path));
          continue;
        }
        if (!item.IsMap()) return InvalidField(path, "must be a map");
        JsonValue spec = YamlToValue(item);
        const YAML::Node id = item["id"];
        std::string id_text;
        if (id.IsDefined() && id.IsScalar() && !id.Scalar().empty()) {
          id_text = id.Scalar();
        } else if (!k.auto_id_prefix.empty() && !id.IsDefined()) {
          id_text = absl::StrCat(k.auto_id_prefix, position);
          (*spec.mutable_struct_value()->mutable_fields())["id"].set_string_value(id_text);
        } else {
          return InvalidField(absl::StrCat(path, ".id"), "required");
        }
        RETURN_IF_ERROR(add(MakeEntry(k, id_text, position, std::move(spec)), absl::StrCat(path, ".id")));
      }
    }
    return out;
  }

  // The kind's entries in their order.
  static std::vector<const Entry*> Ordered(const Entries& entries, const std::string& kind) {
    std::vector<const Entry*> v;
    for (const auto& [key, e] : entries)
      if (key.first == kind) v.push_back(&e);
    std::stable_sort(v.begin(), v.end(), [](const Entry* a, const Entry* b) {
      return a->position != b->position ? a->position < b->position : a->id < b->id;
    });
    return v;
  }

  // Puts the kind's entry `id` at `target` (1-based; 0 keeps its place, past the end: last)
  // and renumbers the kind 1..n in order.
  static void Place(Entries& entries, const std::string& kind, const std::string& id, int target) {
    std::vector<Entry*> others;
    Entry* subject = nullptr;
    for (const Entry* e : Ordered(entries, kind)) {
      Entry* m = const_cast<Entry*>(e);
      if (m->id == id) {
        subject = m;
      } else {
        others.push_back(m);
      }
    }
    if (subject == nullptr) return;  // deleted: the gap stays (the others did not move)
    size_t at = others.size();
    if (target > 0) {
      at = std::min(others.size(), static_cast<size_t>(target - 1));
    } else {
      at = 0;
      while (at < others.size() && (others[at]->position < subject->position ||
                                    (others[at]->position == subject->position && others[at]->id < subject->id)))
        ++at;
    }
    others.insert(others.begin() + static_cast<std::ptrdiff_t>(at), subject);
    int p = 0;
    for (Entry* e : others) e->position = ++p;
  }

  static YAML::Node Assemble(const std::vector<ConfigKind>& kinds, const Entries& entries,
                             const YAML::Node& file_only) {
    YAML::Node doc(YAML::NodeType::Map);
    if (file_only.IsMap())
      for (auto it = file_only.begin(); it != file_only.end(); ++it) doc[it->first.Scalar()] = it->second;
    for (const ConfigKind& k : kinds) {
      const std::vector<const Entry*> ordered = Ordered(entries, k.kind);
      // An empty kind is named as [] or {}: the parser must not fill in defaults for a kind the
      // store manages (deleting every signal rule means none), and an export applies exactly.
      if (ordered.empty()) {
        if (k.shape != Shape::kSettings)
          doc[k.section] = YAML::Node(k.shape == Shape::kMap ? YAML::NodeType::Map : YAML::NodeType::Sequence);
        continue;
      }
      switch (k.shape) {
        case Shape::kSettings: {
          const YAML::Node spec = ValueToYaml(ordered.front()->spec);
          for (const std::string& key : k.keys)
            if (spec[key].IsDefined()) doc[key] = spec[key];
          break;
        }
        case Shape::kMap: {
          YAML::Node m(YAML::NodeType::Map);
          for (const Entry* e : ordered) m[e->id] = ValueToYaml(e->spec);
          doc[k.section] = m;
          break;
        }
        case Shape::kNames: {
          YAML::Node s(YAML::NodeType::Sequence);
          for (const Entry* e : ordered) s.push_back(YAML::Node(e->id));
          doc[k.section] = s;
          break;
        }
        case Shape::kList: {
          YAML::Node s(YAML::NodeType::Sequence);
          for (const Entry* e : ordered) s.push_back(ValueToYaml(e->spec));
          doc[k.section] = s;
          break;
        }
      }
    }
    return doc;
  }

  static bool Differs(const ConfigKind& kind, const Entry& a, const Entry& b) {
    return a.hash != b.hash || (kind.ordered && a.position != b.position);
  }

  // The changes that turn `live` into `target`.
  static std::vector<Change> Diff(const std::vector<ConfigKind>& kinds, const Entries& live, const Entries& target) {
    std::vector<Change> changes;
    for (const ConfigKind& k : kinds) {
      std::set<std::string> ids;
      for (const auto& [key, e] : live)
        if (key.first == k.kind) ids.insert(key.second);
      for (const auto& [key, e] : target)
        if (key.first == k.kind) ids.insert(key.second);
      for (const std::string& id : ids) {
        auto l = live.find({k.kind, id});
        auto t = target.find({k.kind, id});
        Change c;
        if (l == live.end()) {
          c.type = v1::CONFIG_CHANGE_TYPE_CREATED;
          c.after = t->second;
        } else if (t == target.end()) {
          c.type = v1::CONFIG_CHANGE_TYPE_DELETED;
          c.before = l->second;
        } else if (Differs(k, l->second, t->second)) {
          c.type = v1::CONFIG_CHANGE_TYPE_UPDATED;
          c.before = l->second;
          c.after = t->second;
        } else {
          continue;
        }
        changes.push_back(std::move(c));
      }
    }
    return changes;
  }

  static Entries Applied(const Entries& live, const std::vector<Change>& changes) {
    Entries out = live;
    for (const Change& c : changes) {
      const Entry& e = c.after ? *c.after : *c.before;
      if (c.after) {
        out[{e.kind, e.id}] = *c.after;
      } else {
        out.erase({e.kind, e.id});
      }
    }
    return out;
  }

  // A change as the module's scope check sees it.
  static ConfigEdit EditOf(const std::vector<ConfigKind>& kinds, const Change& c) {
    const Entry& subject = c.after ? *c.after : *c.before;
    ConfigEdit edit;
    edit.kind = FindKind(kinds, subject.kind);
    edit.id = subject.id;
    edit.type = c.type;
    edit.before = c.before ? ValueToYaml(c.before->spec) : YAML::Node(YAML::NodeType::Null);
    edit.after = c.after ? ValueToYaml(c.after->spec) : YAML::Node(YAML::NodeType::Null);
    edit.mask = c.mask;
    return edit;
  }

  static std::string Etag(int64_t version, const std::string& hash) {
    return absl::StrCat(version, "-", hash.substr(0, 16));
  }

  static v1::Resource ToResource(const Entry& e) {
    v1::Resource r;
    r.set_kind(e.kind);
    r.set_id(e.id);
    *r.mutable_spec() = e.spec;
    r.set_version(e.version);
    r.set_etag(Etag(e.version, e.hash));
    r.set_content_hash(e.hash);
    r.set_updated_by(e.updated_by);
    if (e.updated_us != 0) *r.mutable_update_time() = ToProto(absl::FromUnixMicros(e.updated_us));
    r.set_reason(e.reason);
    r.set_position(e.position);
    r.set_origin(e.origin);
    return r;
  }

  static JsonValue NullValue() {
    JsonValue v;
    v.set_null_value(google::protobuf::NULL_VALUE);
    return v;
  }

  static v1::ResourceChange ToChange(const Change& c, int64_t version) {
    v1::ResourceChange out;
    const Entry& e = c.after ? *c.after : *c.before;
    out.set_kind(e.kind);
    out.set_id(e.id);
    out.set_type(c.type);
    *out.mutable_before() = c.before ? c.before->spec : NullValue();
    *out.mutable_after() = c.after ? c.after->spec : NullValue();
    out.set_version(version);
    out.set_position_before(c.before ? c.before->position : 0);
    out.set_position_after(c.after ? c.after->position : 0);
    return out;
  }

  static absl::StatusOr<int64_t> NextVersion(Tx& tx, const std::string& kind, const std::string& id) {
    ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT COALESCE(MAX(version), 0) FROM config_versions WHERE kind = ? AND id = ?", {kind, id}));
    return rows.empty() ? 1 : rows[0].Int(0) + 1;
  }

  struct Written {
    std::vector<v1::ResourceChange> changes;
    std::vector<Entry> after;  // with their versions (deleted: the last version)
    int64_t generation = 0;
  };

  // Writes the changes, one ConfigChanged each, and moves the generation on (ABORTED when
  // another change moved it since `live` was read).
  static absl::StatusOr<Written> Write(Tx& tx, Outbox& outbox, const std::string& service, const Live& live,
                                       std::vector<Change> changes, const std::string& actor, const std::string& reason,
                                       const std::string& origin, absl::Time now) {
    Written w;
    // The generation first: its row lock orders concurrent changes (two replicas importing
    // the same file at their first start), and the one that lost sees the generation moved
    // and is ABORTED (retried on the new state) before it writes anything.
    w.generation = live.generation + 1;
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO config_meta (name, value) VALUES ('generation', 0) ON CONFLICT (name) DO NOTHING"));
    RETURN_IF_ERROR(tx.Exec("UPDATE config_meta SET value = ? WHERE name = 'generation' AND value = ?",
                            {w.generation, live.generation}));
    if (tx.ChangedRows() != 1) return absl::AbortedError("configuration changed concurrently; retry");
    const int64_t now_us = absl::ToUnixMicros(now);
    const std::string causation = absl::StrCat("config-change:", NewId(now));
    for (Change& c : changes) {
      const Entry& subject = c.after ? *c.after : *c.before;
      ASSIGN_OR_RETURN(const int64_t version, NextVersion(tx, subject.kind, subject.id));
      Entry written = subject;
      written.version = version;
      written.updated_by = actor;
      written.updated_us = now_us;
      written.reason = reason;
      written.origin = origin;
      if (c.after) {
        RETURN_IF_ERROR(tx.Exec("DELETE FROM config_resources WHERE kind = ? AND id = ?", {written.kind, written.id}));
        RETURN_IF_ERROR(tx.Exec(
            absl::StrCat("INSERT INTO config_resources (", kResourceColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            {written.kind, written.id, int64_t{written.position}, version, CanonicalJson(written.spec), written.hash,
             actor, now_us, reason, origin}));
      } else {
        RETURN_IF_ERROR(tx.Exec("DELETE FROM config_resources WHERE kind = ? AND id = ?", {written.kind, written.id}));
      }
      RETURN_IF_ERROR(
          tx.Exec("INSERT INTO config_versions (kind, id, version, position, spec, content_hash, actor, at_us, reason, "
                  "origin, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  {written.kind, written.id, version, int64_t{c.after ? written.position : 0},
                   c.after ? common::Value(CanonicalJson(written.spec)) : common::Value(std::monostate()),
                   c.after ? written.hash : std::string(), actor, now_us, reason, origin, int64_t{c.after ? 0 : 1}}));
      v1::ResourceChange rc = ToChange(c, version);
      v1::Event event;
      event.set_event_id(NewId(now));
      event.set_case_id(absl::StrCat("config:", service));
      *event.mutable_occurred_at() = ToProto(now);
      event.set_source(service);
      event.set_actor(actor);
      event.set_causation_id(causation);
      v1::ConfigChanged* body = event.mutable_config_changed();
      body->set_service(service);
      body->set_kind(rc.kind());
      body->set_id(rc.id());
      body->set_version(version);
      body->set_type(rc.type());
      *body->mutable_before() = rc.before();
      *body->mutable_after() = rc.after();
      body->set_reason(reason);
      body->set_content_hash(c.after ? written.hash : std::string());
      body->set_origin(origin);
      body->set_position_before(rc.position_before());
      body->set_position_after(rc.position_after());
      RETURN_IF_ERROR(outbox.Append(tx, event));
      w.changes.push_back(std::move(rc));
      w.after.push_back(std::move(written));
    }
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO config_meta (name, value) VALUES ('imported', 1) ON CONFLICT (name) DO NOTHING"));
    return w;
  }

  static void ToProtoFindings(const std::vector<ConfigFinding>& in,
                              google::protobuf::RepeatedPtrField<v1::SafetyFinding>* out) {
    for (const ConfigFinding& f : in) {
      v1::SafetyFinding* p = out->Add();
      p->set_code(f.code);
      p->set_path(f.path);
      p->set_message(f.message);
    }
  }

  static void ToProtoShifts(const std::vector<ShiftChange>& in,
                            google::protobuf::RepeatedPtrField<v1::ShiftDifference>* out) {
    for (const ShiftChange& s : in) {
      v1::ShiftDifference* p = out->Add();
      p->set_schedule_id(s.schedule_id);
      *p->mutable_start() = ToProto(s.start);
      *p->mutable_end() = ToProto(s.end);
      for (const std::string& b : s.before) p->add_before(b);
      for (const std::string& a : s.after) p->add_after(a);
    }
  }

  static absl::Status Blocking(const std::vector<ConfigFinding>& blocking) {
    std::vector<std::string> lines;
    for (const ConfigFinding& f : blocking) lines.push_back(absl::StrCat(f.code, " at ", f.path, ": ", f.message));
    return absl::FailedPreconditionError(
        absl::StrCat("the change fails its safety checks (nothing was changed):\n- ", absl::StrJoin(lines, "\n- ")));
  }

  // Sets (or with `from` lacking it, removes) the value at a dotted path of a struct.
  static absl::Status SetPath(JsonValue& target, const JsonValue& from, const std::string& path) {
    const std::vector<std::string> parts = absl::StrSplit(path, '.');
    JsonValue* t = &target;
    const JsonValue* f = &from;
    for (size_t i = 0; i < parts.size(); ++i) {
      const std::string& part = parts[i];
      if (part.empty()) return InvalidField("update_mask", absl::StrCat("empty name in '", path, "'"));
      if (t->kind_case() != JsonValue::kStructValue) t->mutable_struct_value();
      auto* tfields = t->mutable_struct_value()->mutable_fields();
      const bool last = i + 1 == parts.size();
      const JsonValue* next_from = nullptr;
      if (f != nullptr && f->kind_case() == JsonValue::kStructValue) {
        auto it = f->struct_value().fields().find(part);
        if (it != f->struct_value().fields().end()) next_from = &it->second;
      }
      if (last) {
        if (next_from == nullptr) {
          tfields->erase(part);
        } else {
          (*tfields)[part] = *next_from;
        }
        return absl::OkStatus();
      }
      t = &(*tfields)[part];
      f = next_from;
    }
    return absl::OkStatus();
  }
};

using Impl = ConfigState::Impl;

ConfigState::ConfigState(std::string service, Store& store, Outbox& outbox, Clock& clock, ConfigSchema& schema)
    : service_(std::move(service)),
      store_(store),
      outbox_(outbox),
      clock_(clock),
      schema_(schema),
      kinds_(schema.ConfigKinds()) {}

absl::Status ConfigState::Migrate(Store& store) {
  return store.Migrate(
      "config",
      {
          "CREATE TABLE config_resources (kind TEXT NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL, "
          "version INTEGER NOT NULL, spec TEXT NOT NULL, content_hash TEXT NOT NULL, updated_by TEXT NOT NULL, "
          "updated_us INTEGER NOT NULL, reason TEXT NOT NULL, origin TEXT NOT NULL, PRIMARY KEY (kind, id))",
          "CREATE TABLE config_versions (kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, "
          "position INTEGER NOT NULL, spec TEXT, content_hash TEXT NOT NULL, actor TEXT NOT NULL, "
          "at_us INTEGER NOT NULL, reason TEXT NOT NULL, origin TEXT NOT NULL, deleted INTEGER NOT NULL, "
          "PRIMARY KEY (kind, id, version))",
          "CREATE TABLE config_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
          "CREATE TABLE config_file_baseline (kind TEXT NOT NULL, id TEXT NOT NULL, fingerprint TEXT NOT NULL, "
          "PRIMARY KEY (kind, id))",
      });
}

namespace {

// What the file said about a resource: its content and, where order matters, its place.
std::string Fingerprint(const ConfigKind& kind, const Impl::Entry& e) {
  return kind.ordered ? absl::StrCat(e.hash, "@", e.position) : e.hash;
}

}  // namespace

YAML::Node ConfigState::FileOnly() const {
  std::lock_guard lock(mu_);
  return file_only_;
}

YAML::Node ConfigState::Document() const {
  std::lock_guard lock(mu_);
  return YAML::Clone(document_);
}

// The three-way apply of the file: returns the changes to make, the new baseline and the
// conflicts (resources the file and someone else both changed: they keep the live value).
namespace {

struct FilePlan {
  std::vector<Impl::Change> changes;
  std::map<Impl::Key, std::string> baseline;  // the new baseline (fingerprints)
  std::vector<std::string> conflicts;
};

absl::StatusOr<std::map<Impl::Key, std::string>> LoadBaseline(Tx& tx) {
  std::map<Impl::Key, std::string> b;
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT kind, id, fingerprint FROM config_file_baseline"));
  for (const Row& r : rows) b[{r.Str(0), r.Str(1)}] = r.Str(2);
  return b;
}

FilePlan PlanFile(const std::vector<ConfigKind>& kinds, const Impl::Entries& live, const Impl::Entries& file,
                  const std::map<Impl::Key, std::string>& baseline) {
  FilePlan plan;
  std::set<Impl::Key> keys;
  for (const auto& [k, e] : live) keys.insert(k);
  for (const auto& [k, e] : file) keys.insert(k);
  for (const auto& [k, fp] : baseline) keys.insert(k);
  for (const Impl::Key& key : keys) {
    const ConfigKind* kind = Impl::FindKind(kinds, key.first);
    if (kind == nullptr) continue;
    auto l = live.find(key);
    auto f = file.find(key);
    auto b = baseline.find(key);
    const std::string lfp = l == live.end() ? "" : Fingerprint(*kind, l->second);
    const std::string ffp = f == file.end() ? "" : Fingerprint(*kind, f->second);
    const std::string bfp = b == baseline.end() ? "" : b->second;
    if (ffp == bfp) {  // the file did not change it: whatever the live value is stays
      if (!ffp.empty()) plan.baseline[key] = ffp;
      continue;
    }
    if (lfp == ffp) {  // already as the file says
      if (!ffp.empty()) plan.baseline[key] = ffp;
      continue;
    }
    if (lfp != bfp) {  // changed in the file and elsewhere: the live value stays
      plan.conflicts.push_back(absl::StrCat(key.first, " '", key.second, "'"));
      if (!bfp.empty()) plan.baseline[key] = bfp;
      continue;
    }
    Impl::Change c;
    if (l != live.end()) c.before = l->second;
    if (f != file.end()) c.after = f->second;
    c.type = !c.before  ? recovery::v1::CONFIG_CHANGE_TYPE_CREATED
             : !c.after ? recovery::v1::CONFIG_CHANGE_TYPE_DELETED
                        : recovery::v1::CONFIG_CHANGE_TYPE_UPDATED;
    plan.changes.push_back(std::move(c));
    if (!ffp.empty()) plan.baseline[key] = ffp;
  }
  return plan;
}

absl::Status SaveBaseline(Tx& tx, const std::map<Impl::Key, std::string>& baseline) {
  RETURN_IF_ERROR(tx.Exec("DELETE FROM config_file_baseline"));
  for (const auto& [key, fp] : baseline) {
    RETURN_IF_ERROR(tx.Exec("INSERT INTO config_file_baseline (kind, id, fingerprint) VALUES (?, ?, ?)",
                            {key.first, key.second, fp}));
  }
  return absl::OkStatus();
}

void LogFindings(const std::string& service, const ConfigCheck& check) {
  for (const ConfigFinding& f : check.blocking)
    LogError("configuration safety problem",
             {{"service", service}, {"code", f.code}, {"path", f.path}, {"message", f.message}});
  for (const ConfigFinding& f : check.warnings)
    LogWarn("configuration safety warning",
            {{"service", service}, {"code", f.code}, {"path", f.path}, {"message", f.message}});
}

}  // namespace

absl::StatusOr<YAML::Node> ConfigState::Start(const YAML::Node& file) {
  const bool has_file = file.IsDefined() && !file.IsNull();
  if (has_file) RETURN_IF_ERROR(schema_.ValidateConfig(file));
  YAML::Node file_only;
  ASSIGN_OR_RETURN(const Impl::Entries file_entries, Impl::Split(kinds_, schema_.FileOnlySections(), file, &file_only));
  {
    std::lock_guard lock(mu_);
    file_only_ = file_only;
  }
  YAML::Node document;
  int64_t generation = 0;
  ConfigCheck check;
  std::vector<std::string> conflicts;
  int changed = 0;
  RETURN_IF_ERROR(InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Impl::Live live, Impl::Load(tx, kinds_));
    generation = live.generation;
    document = Impl::Assemble(kinds_, live.entries, file_only);
    if (!has_file) return absl::OkStatus();
    ASSIGN_OR_RETURN(const auto baseline, LoadBaseline(tx));
    FilePlan plan = PlanFile(kinds_, live.entries, file_entries, baseline);
    conflicts = plan.conflicts;
    changed = static_cast<int>(plan.changes.size());
    const Impl::Entries target = Impl::Applied(live.entries, plan.changes);
    const YAML::Node candidate = Impl::Assemble(kinds_, target, file_only);
    if (!plan.changes.empty()) {
      absl::Status valid = schema_.ValidateConfig(candidate);
      if (!valid.ok())
        return absl::Status(valid.code(),
                            absl::StrCat("the file's changes applied to the stored configuration: ", valid.message()));
      check = schema_.CheckConfig(document, candidate, clock_.Now());
      ASSIGN_OR_RETURN(
          Impl::Written w,
          Impl::Write(tx, outbox_, service_, live, std::move(plan.changes), absl::StrCat("service:", service_),
                      live.imported ? "--config file changed" : "--config file imported", "file", clock_.Now()));
      generation = w.generation;
    }
    RETURN_IF_ERROR(SaveBaseline(tx, plan.baseline));
    document = candidate;
    return absl::OkStatus();
  }));
  LogFindings(service_, check);
  for (const std::string& c : conflicts)
    LogWarn("--config file and the API both changed a resource; the live version stays",
            {{"service", service_}, {"resource", c}});
  if (changed > 0) LogInfo("configuration from --config applied", {{"changes", std::to_string(changed)}});
  std::lock_guard lock(mu_);
  installed_generation_ = generation;
  document_ = document;
  return YAML::Clone(document);
}

absl::Status ConfigState::ApplyFile(const YAML::Node& file) {
  RETURN_IF_ERROR(schema_.ValidateConfig(file));
  YAML::Node file_only;
  ASSIGN_OR_RETURN(const Impl::Entries file_entries, Impl::Split(kinds_, schema_.FileOnlySections(), file, &file_only));
  YAML::Node candidate;
  int64_t generation = 0;
  ConfigCheck check;
  std::vector<std::string> conflicts;
  RETURN_IF_ERROR(InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Impl::Live live, Impl::Load(tx, kinds_));
    ASSIGN_OR_RETURN(const auto baseline, LoadBaseline(tx));
    FilePlan plan = PlanFile(kinds_, live.entries, file_entries, baseline);
    conflicts = plan.conflicts;
    const Impl::Entries target = Impl::Applied(live.entries, plan.changes);
    candidate = Impl::Assemble(kinds_, target, file_only);
    RETURN_IF_ERROR(schema_.ValidateConfig(candidate));
    check = schema_.CheckConfig(Impl::Assemble(kinds_, live.entries, file_only), candidate, clock_.Now());
    generation = live.generation;
    if (!plan.changes.empty()) {
      ASSIGN_OR_RETURN(Impl::Written w, Impl::Write(tx, outbox_, service_, live, std::move(plan.changes),
                                                    absl::StrCat("service:", service_), "SIGHUP reload of --config",
                                                    "file", clock_.Now()));
      generation = w.generation;
    }
    return SaveBaseline(tx, plan.baseline);
  }));
  LogFindings(service_, check);
  for (const std::string& c : conflicts)
    LogWarn("--config file and the API both changed a resource; the live version stays",
            {{"service", service_}, {"resource", c}});
  std::lock_guard lock(mu_);
  file_only_ = file_only;
  RETURN_IF_ERROR(schema_.InstallConfig(candidate));
  installed_generation_ = std::max(installed_generation_, generation);
  document_ = candidate;
  return absl::OkStatus();
}

absl::Status ConfigState::Refresh() {
  const YAML::Node file_only = FileOnly();
  Impl::Live live;
  RETURN_IF_ERROR(InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(live, Impl::Load(tx, kinds_));
    return absl::OkStatus();
  }));
  std::lock_guard lock(mu_);
  if (live.generation <= installed_generation_) return absl::OkStatus();
  const YAML::Node doc = Impl::Assemble(kinds_, live.entries, file_only);
  RETURN_IF_ERROR(schema_.InstallConfig(doc));
  installed_generation_ = live.generation;
  document_ = doc;
  LogInfo("configuration refreshed from the store", {{"generation", std::to_string(live.generation)}});
  return absl::OkStatus();
}

v1::ListKindsResponse ConfigState::ListKinds() const {
  v1::ListKindsResponse out;
  out.set_service(service_);
  for (const ConfigKind& k : kinds_) {
    v1::ResourceKind* p = out.add_kinds();
    p->set_kind(k.kind);
    p->set_section(k.section);
    p->set_shape(k.shape == Shape::kList    ? "list"
                 : k.shape == Shape::kMap   ? "map"
                 : k.shape == Shape::kNames ? "names"
                                            : "settings");
    for (const std::string& key : k.keys) p->add_keys(key);
    p->set_write_permission(k.write_permission);
    p->set_ordered(k.ordered);
  }
  for (const std::string& s : schema_.FileOnlySections()) out.add_file_only_sections(s);
  return out;
}

namespace {

absl::Status RequireKind(const std::vector<ConfigKind>& kinds, const std::string& field, const std::string& kind,
                         const ConfigKind** out) {
  if (kind.empty()) return InvalidField(field, "required");
  *out = Impl::FindKind(kinds, kind);
  if (*out == nullptr) {
    std::vector<std::string> names;
    for (const ConfigKind& k : kinds) names.push_back(k.kind);
    return InvalidField(field, absl::StrCat("unknown kind ", QuoteForMessage(kind),
                                            " (this service holds: ", absl::StrJoin(names, ", "), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckResourceId(const std::string& field, const std::string& id) {
  if (id.empty()) return InvalidField(field, "required");
  if (id.size() > 200 || !IsValidUtf8(id)) return InvalidField(field, "at most 200 characters of UTF-8");
  for (const unsigned char c : id)
    if (c < 0x20 || c == 0x7f) return InvalidField(field, "control characters are not allowed");
  return absl::OkStatus();
}

int PageSize(int requested) { return requested <= 0 ? 100 : std::min(requested, 1000); }

absl::Status CheckPageSize(const std::string& field, int size) {
  if (size < 0) return InvalidField(field, "must not be negative");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Resource> ConfigState::Get(const std::string& kind, const std::string& id) {
  const ConfigKind* k = nullptr;
  RETURN_IF_ERROR(RequireKind(kinds_, "kind", kind, &k));
  RETURN_IF_ERROR(CheckResourceId("id", id));
  ASSIGN_OR_RETURN(auto tx, store_.Begin());
  ASSIGN_OR_RETURN(Impl::Live live, Impl::Load(*tx, kinds_));
  auto it = live.entries.find({kind, id});
  if (it == live.entries.end()) return absl::NotFoundError(absl::StrCat("id: no ", kind, " ", QuoteForMessage(id)));
  return Impl::ToResource(it->second);
}

absl::StatusOr<v1::ListResourcesResponse> ConfigState::List(const v1::ListResourcesRequest& req) {
  const ConfigKind* k = nullptr;
  RETURN_IF_ERROR(RequireKind(kinds_, "kind", req.kind(), &k));
  RETURN_IF_ERROR(CheckPageSize("page_size", req.page_size()));
  int after_position = 0;
  std::string after_id;
  if (!req.page_token().empty()) {
    std::string token;
    std::vector<std::string> parts;
    if (absl::WebSafeBase64Unescape(req.page_token(), &token)) parts = absl::StrSplit(token, absl::MaxSplits('\n', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &after_position))
      return InvalidField("page_token", "not a token this service gave");
    after_id = parts[1];
  }
  ASSIGN_OR_RETURN(auto tx, store_.Begin());
  ASSIGN_OR_RETURN(Impl::Live live, Impl::Load(*tx, kinds_));
  v1::ListResourcesResponse out;
  const int size = PageSize(req.page_size());
  for (const Impl::Entry* e : Impl::Ordered(live.entries, req.kind())) {
    if (!req.page_token().empty() &&
        (e->position < after_position || (e->position == after_position && e->id <= after_id)))
      continue;
    if (out.resources_size() == size) {
      const v1::Resource& last = out.resources(out.resources_size() - 1);
      out.set_next_page_token(absl::WebSafeBase64Escape(absl::StrCat(last.position(), "\n", last.id())));
      break;
    }
    *out.add_resources() = Impl::ToResource(*e);
  }
  return out;
}

namespace {

// The change path shared by Create, Update and Delete: validate the whole candidate, check
// scope and safety, then write (unless validate_only).
absl::StatusOr<v1::ChangeResult> Commit(Store& store, Outbox& outbox, Clock& clock, ConfigSchema& schema,
                                        const std::string& service, const std::vector<ConfigKind>& kinds,
                                        const YAML::Node& file_only, const Caller& caller,
                                        const std::function<absl::StatusOr<Impl::Change>(const Impl::Live&)>& decide,
                                        const std::string& reason, bool validate_only,
                                        const std::function<void(int64_t, const YAML::Node&)>& install) {
  v1::ChangeResult result;
  RETURN_IF_ERROR(InTransaction(store, [&](Tx& tx) -> absl::Status {
    result.Clear();
    ASSIGN_OR_RETURN(Impl::Live live, Impl::Load(tx, kinds));
    ASSIGN_OR_RETURN(Impl::Change change, decide(live));
    Impl::Entries target = Impl::Applied(live.entries, {change});
    const Impl::Entry subject = change.after ? *change.after : *change.before;
    Impl::Place(target, subject.kind, subject.id, change.target_position);
    if (change.after) change.after = target.at({subject.kind, subject.id});
    const YAML::Node before_doc = Impl::Assemble(kinds, live.entries, file_only);
    const YAML::Node candidate = Impl::Assemble(kinds, target, file_only);
    // Who may first: a caller without the permission learns nothing about the content.
    RETURN_IF_ERROR(schema.AuthorizeEdit(caller, Impl::EditOf(kinds, change), before_doc));
    RETURN_IF_ERROR(schema.ValidateConfig(candidate));
    const ConfigCheck check = schema.CheckConfig(before_doc, candidate, clock.Now());
    if (!check.blocking.empty()) return Impl::Blocking(check.blocking);
    Impl::ToProtoFindings(check.warnings, result.mutable_warnings());
    Impl::ToProtoShifts(check.shift_changes, result.mutable_shift_differences());
    result.set_validate_only(validate_only);
    // Other resources of an ordered kind that moved because of this one are written too.
    std::vector<Impl::Change> changes = Impl::Diff(kinds, live.entries, target);
    if (validate_only) {
      ASSIGN_OR_RETURN(const int64_t version, Impl::NextVersion(tx, subject.kind, subject.id));
      *result.mutable_change() = Impl::ToChange(change, version);
      Impl::Entry shown = change.after ? *change.after : *change.before;
      shown.version = version;
      shown.updated_by = caller.Actor();
      shown.reason = reason;
      shown.origin = "api";
      *result.mutable_resource() = Impl::ToResource(shown);
      return absl::OkStatus();  // nothing written: the transaction rolls back
    }
    if (changes.empty()) {  // the resource already is so: no version, no event
      *result.mutable_resource() = Impl::ToResource(*change.before);
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(Impl::Written w, Impl::Write(tx, outbox, service, live, std::move(changes), caller.Actor(), reason,
                                                  "api", clock.Now()));
    for (size_t i = 0; i < w.after.size(); ++i) {
      if (w.after[i].kind == subject.kind && w.after[i].id == subject.id) {
        *result.mutable_resource() = Impl::ToResource(w.after[i]);
        *result.mutable_change() = w.changes[i];
      }
    }
    tx.AfterCommit([install, generation = w.generation, candidate] { install(generation, candidate); });
    return absl::OkStatus();
  }));
  return result;
}

absl::Status CheckEtag(const std::string& field, const std::string& etag, const Impl::Entry& current) {
  if (etag.empty()) return absl::OkStatus();
  if (etag != Impl::Etag(current.version, current.hash))
    return absl::AbortedError(absl::StrCat(field, ": stale: ", current.kind, " '", current.id, "' is at version ",
                                           current.version, " (etag ", Impl::Etag(current.version, current.hash),
                                           "); read it again and retry"));
  return absl::OkStatus();
}

absl::Status CheckReason(const std::string& reason) { return OptionalText("reason", reason, 500); }

// A settings spec holds only the kind's keys (the document has no place for another).
absl::Status CheckSettingsKeys(const ConfigKind& kind, const JsonValue& spec) {
  for (const auto& [key, unused] : spec.struct_value().fields())
    if (std::find(kind.keys.begin(), kind.keys.end(), key) == kind.keys.end())
      return InvalidField(absl::StrCat("resource.spec.", key), "not a key of this kind");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::ChangeResult> ConfigState::Create(const Caller& caller, const v1::CreateResourceRequest& req) {
  const ConfigKind* k = nullptr;
  RETURN_IF_ERROR(RequireKind(kinds_, "resource.kind", req.resource().kind(), &k));
  RETURN_IF_ERROR(CheckResourceId("resource.id", req.resource().id()));
  RETURN_IF_ERROR(CheckReason(req.reason()));
  if (req.resource().position() < 0) return InvalidField("resource.position", "must not be negative");
  JsonValue spec = req.resource().spec();
  switch (k->shape) {
    case Shape::kList: {
      if (spec.kind_case() != JsonValue::kStructValue) return InvalidField("resource.spec", "must be a map");
      auto* fields = spec.mutable_struct_value()->mutable_fields();
      auto it = fields->find("id");
      if (it == fields->end()) {
        (*fields)["id"].set_string_value(req.resource().id());
      } else if (it->second.kind_case() != JsonValue::kStringValue ||
                 it->second.string_value() != req.resource().id()) {
        return InvalidField("resource.spec.id", "differs from resource.id");
      }
      break;
    }
    case Shape::kNames:
      spec = JsonValue();
      break;
    case Shape::kSettings:
      if (req.resource().id() != "settings") return InvalidField("resource.id", "must be 'settings' for this kind");
      if (spec.kind_case() != JsonValue::kStructValue) return InvalidField("resource.spec", "must be a map");
      RETURN_IF_ERROR(CheckSettingsKeys(*k, spec));
      break;
    case Shape::kMap:
      break;
  }
  const std::string id = req.resource().id();
  const int position = req.resource().position();
  const YAML::Node file_only = FileOnly();
  return Commit(
      store_, outbox_, clock_, schema_, service_, kinds_, file_only, caller,
      [&](const Impl::Live& live) -> absl::StatusOr<Impl::Change> {
        if (live.entries.count({k->kind, id}) > 0)
          return absl::AlreadyExistsError(
              absl::StrCat("resource.id: ", k->kind, " ", QuoteForMessage(id), " already exists"));
        int count = 0;
        for (const auto& [key, e] : live.entries) count += key.first == k->kind ? 1 : 0;
        // Before the resource now at `position` (1-based); 0 or past the end: last.
        Impl::Change c;
        c.type = v1::CONFIG_CHANGE_TYPE_CREATED;
        c.after = Impl::MakeEntry(*k, id, count + 1, spec);
        c.target_position = position == 0 ? std::numeric_limits<int>::max() : position;
        return c;
      },
      req.reason(), req.validate_only(),
      [this](int64_t generation, const YAML::Node& doc) { Install(generation, doc); });
}

absl::StatusOr<v1::ChangeResult> ConfigState::Update(const Caller& caller, const v1::UpdateResourceRequest& req) {
  const ConfigKind* k = nullptr;
  RETURN_IF_ERROR(RequireKind(kinds_, "resource.kind", req.resource().kind(), &k));
  RETURN_IF_ERROR(CheckResourceId("resource.id", req.resource().id()));
  RETURN_IF_ERROR(CheckReason(req.reason()));
  std::vector<std::string> mask(req.update_mask().paths().begin(), req.update_mask().paths().end());
  for (const std::string& path : mask) {
    if (path.empty()) return InvalidField("update_mask", "empty path");
    if (path == "id" || absl::StartsWith(path, "id."))
      return InvalidField("update_mask", "id cannot change (delete and create instead)");
  }
  if (req.resource().position() < 0) return InvalidField("resource.position", "must not be negative");
  const bool move = std::find(mask.begin(), mask.end(), "position") != mask.end();
  if (move && req.resource().position() == 0) return InvalidField("resource.position", "required to move");
  if (move && !k->ordered)
    return InvalidField("resource.position",
                        absl::StrCat("the order of ", k->section, " has no meaning: nothing to move"));
  if (k->shape == Shape::kNames && !(mask.size() == 1 && move))
    return InvalidField("update_mask", "a name has no spec: only 'position' can change");
  const JsonValue spec = req.resource().spec();
  const bool move_only = move && mask.size() == 1;  // the spec is not read
  if (!move_only && k->shape != Shape::kMap && k->shape != Shape::kNames && spec.kind_case() != JsonValue::kStructValue)
    return InvalidField("resource.spec", "must be a map");
  const std::string id = req.resource().id();
  const std::string etag = req.resource().etag();
  const YAML::Node file_only = FileOnly();
  return Commit(
      store_, outbox_, clock_, schema_, service_, kinds_, file_only, caller,
      [&](const Impl::Live& live) -> absl::StatusOr<Impl::Change> {
        auto it = live.entries.find({k->kind, id});
        if (it == live.entries.end())
          return absl::NotFoundError(absl::StrCat("resource.id: no ", k->kind, " ", QuoteForMessage(id)));
        RETURN_IF_ERROR(CheckEtag("resource.etag", etag, it->second));
        Impl::Change c;
        c.type = v1::CONFIG_CHANGE_TYPE_UPDATED;
        c.before = it->second;
        c.mask = mask;
        JsonValue next = it->second.spec;
        if (mask.empty()) {
          next = spec;
        } else {
          for (const std::string& path : mask) {
            if (path == "position") continue;
            RETURN_IF_ERROR(Impl::SetPath(next, spec, path));
          }
        }
        if (k->shape == Shape::kList) {
          auto* fields = next.mutable_struct_value()->mutable_fields();
          auto idf = fields->find("id");
          if (idf == fields->end()) {
            (*fields)["id"].set_string_value(id);
          } else if (idf->second.kind_case() != JsonValue::kStringValue || idf->second.string_value() != id) {
            return InvalidField("resource.spec.id", "differs from resource.id");
          }
        }
        if (k->shape == Shape::kSettings) RETURN_IF_ERROR(CheckSettingsKeys(*k, next));
        c.after = Impl::MakeEntry(*k, id, it->second.position, std::move(next));
        if (move) c.target_position = req.resource().position();
        return c;
      },
      req.reason(), req.validate_only(),
      [this](int64_t generation, const YAML::Node& doc) { Install(generation, doc); });
}

absl::StatusOr<v1::ChangeResult> ConfigState::Delete(const Caller& caller, const v1::DeleteResourceRequest& req) {
  const ConfigKind* k = nullptr;
  RETURN_IF_ERROR(RequireKind(kinds_, "kind", req.kind(), &k));
  RETURN_IF_ERROR(CheckResourceId("id", req.id()));
  RETURN_IF_ERROR(CheckReason(req.reason()));
  const YAML::Node file_only = FileOnly();
  return Commit(
      store_, outbox_, clock_, schema_, service_, kinds_, file_only, caller,
      [&](const Impl::Live& live) -> absl::StatusOr<Impl::Change> {
        auto it = live.entries.find({k->kind, req.id()});
        if (it == live.entries.end())
          return absl::NotFoundError(absl::StrCat("id: no ", k->kind, " ", QuoteForMessage(req.id())));
        RETURN_IF_ERROR(CheckEtag("etag", req.etag(), it->second));
        Impl::Change c;
        c.type = v1::CONFIG_CHANGE_TYPE_DELETED;
        c.before = it->second;
        return c;
      },
      req.reason(), req.validate_only(),
      [this](int64_t generation, const YAML::Node& doc) { Install(generation, doc); });
}

absl::StatusOr<v1::ListResourceVersionsResponse> ConfigState::Versions(const v1::ListResourceVersionsRequest& req) {
  const ConfigKind* k = nullptr;
  RETURN_IF_ERROR(RequireKind(kinds_, "kind", req.kind(), &k));
  RETURN_IF_ERROR(CheckResourceId("id", req.id()));
  RETURN_IF_ERROR(CheckPageSize("page_size", req.page_size()));
  int64_t before_version = INT64_MAX;
  if (!req.page_token().empty() && (!absl::SimpleAtoi(req.page_token(), &before_version) || before_version <= 0))
    return InvalidField("page_token", "not a token this service gave");
  const int size = PageSize(req.page_size());
  ASSIGN_OR_RETURN(auto tx, store_.Begin());
  ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT version, position, spec, content_hash, actor, at_us, reason, origin, "
                                        "deleted FROM config_versions WHERE kind = ? AND id = ? AND version < ? "
                                        "ORDER BY version DESC LIMIT ?",
                                        {req.kind(), req.id(), before_version, int64_t{size + 1}}));
  if (rows.empty() && req.page_token().empty())
    return absl::NotFoundError(absl::StrCat("id: no ", req.kind(), " ", QuoteForMessage(req.id()), " ever existed"));
  v1::ListResourceVersionsResponse out;
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < size; ++i) {
    const Row& r = rows[i];
    Impl::Entry e;
    e.kind = req.kind();
    e.id = req.id();
    e.version = r.Int(0);
    e.position = static_cast<int>(r.Int(1));
    if (!r.IsNull(2)) {
      ASSIGN_OR_RETURN(e.spec, ParseJsonValue(r.Str(2)));
    } else {
      e.spec = Impl::NullValue();
    }
    e.hash = r.Str(3);
    e.updated_by = r.Str(4);
    e.updated_us = r.Int(5);
    e.reason = r.Str(6);
    e.origin = r.Str(7);
    v1::Resource* p = out.add_versions();
    *p = Impl::ToResource(e);
    p->set_deleted(r.Int(8) != 0);
  }
  if (static_cast<int>(rows.size()) > size) out.set_next_page_token(absl::StrCat(rows[size - 1].Int(0)));
  return out;
}

absl::StatusOr<v1::ExportConfigurationResponse> ConfigState::Export() {
  ASSIGN_OR_RETURN(auto tx, store_.Begin());
  ASSIGN_OR_RETURN(Impl::Live live, Impl::Load(*tx, kinds_));
  v1::ExportConfigurationResponse out;
  out.set_service(service_);
  out.set_generation(live.generation);
  const YAML::Node doc = Impl::Assemble(kinds_, live.entries, YAML::Node());
  out.set_yaml(absl::StrCat("# ", service_, " configuration, generation ", live.generation,
                            " (srctl config export; apply with srctl config apply -f)\n",
                            doc.size() == 0 ? std::string("{}\n") : EmitYaml(doc)));
  return out;
}

absl::StatusOr<v1::ApplyConfigurationResponse> ConfigState::Apply(const Caller& caller,
                                                                  const v1::ApplyConfigurationRequest& req) {
  RETURN_IF_ERROR(CheckReason(req.reason()));
  YAML::Node doc;
  try {
    doc = YAML::Load(req.yaml());
  } catch (const YAML::Exception& e) {
    return InvalidField("yaml", absl::StrCat("line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  // An empty document would delete everything: say so rather than do it.
  if (!doc.IsDefined() || doc.IsNull() || (doc.IsMap() && doc.size() == 0))
    return InvalidField("yaml", "empty: give the kinds to apply, as export writes them (an empty kind is [] or {})");
  YAML::Node file_only_given;
  ASSIGN_OR_RETURN(const Impl::Entries given, Impl::Split(kinds_, schema_.FileOnlySections(), doc, &file_only_given));
  if (file_only_given.size() > 0) {
    return InvalidField(file_only_given.begin()->first.Scalar(),
                        "is read from the service's --config file only, not applied through the API");
  }
  // The kinds the document names are replaced wholly (`routing_rules: []` deletes them all);
  // a kind it does not name stays as it is, so a directory may manage some kinds only.
  std::set<std::string> named;
  for (const ConfigKind& k : kinds_) {
    bool present = doc[k.section].IsDefined();
    if (k.shape == Shape::kSettings) {
      present = false;
      for (const std::string& key : k.keys) present |= doc[key].IsDefined();
    }
    if (present) named.insert(k.kind);
  }
  const YAML::Node file_only = FileOnly();
  v1::ApplyConfigurationResponse out;
  RETURN_IF_ERROR(InTransaction(store_, [&](Tx& tx) -> absl::Status {
    out.Clear();
    ASSIGN_OR_RETURN(Impl::Live live, Impl::Load(tx, kinds_));
    Impl::Entries target = given;
    for (const auto& [key, e] : live.entries)
      if (named.count(key.first) == 0) target.emplace(key, e);
    const YAML::Node before_doc = Impl::Assemble(kinds_, live.entries, file_only);
    const YAML::Node candidate = Impl::Assemble(kinds_, target, file_only);
    std::vector<Impl::Change> changes = Impl::Diff(kinds_, live.entries, target);
    for (const Impl::Change& c : changes)
      RETURN_IF_ERROR(schema_.AuthorizeEdit(caller, Impl::EditOf(kinds_, c), before_doc));
    RETURN_IF_ERROR(schema_.ValidateConfig(candidate));
    out.set_validate_only(req.validate_only());
    out.set_generation(live.generation);
    if (changes.empty()) return absl::OkStatus();
    const ConfigCheck check = schema_.CheckConfig(before_doc, candidate, clock_.Now());
    if (!check.blocking.empty()) return Impl::Blocking(check.blocking);
    Impl::ToProtoFindings(check.warnings, out.mutable_warnings());
    Impl::ToProtoShifts(check.shift_changes, out.mutable_shift_differences());
    if (req.validate_only()) {
      for (const Impl::Change& c : changes) {
        const Impl::Entry& subject = c.after ? *c.after : *c.before;
        ASSIGN_OR_RETURN(const int64_t version, Impl::NextVersion(tx, subject.kind, subject.id));
        *out.add_changes() = Impl::ToChange(c, version);
      }
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(Impl::Written w, Impl::Write(tx, outbox_, service_, live, std::move(changes), caller.Actor(),
                                                  req.reason(), "apply", clock_.Now()));
    for (auto& c : w.changes) *out.add_changes() = std::move(c);
    out.set_generation(w.generation);
    tx.AfterCommit([this, generation = w.generation, candidate] { Install(generation, candidate); });
    return absl::OkStatus();
  }));
  return out;
}

void ConfigState::Install(int64_t generation, const YAML::Node& document) {
  std::lock_guard lock(mu_);
  if (generation <= installed_generation_) return;  // a later change is already installed
  const absl::Status s = schema_.InstallConfig(document);
  if (!s.ok()) {
    // Validated with the same parser before the commit: this is a bug, not bad input.
    LogError("a committed configuration failed to install", {{"error", std::string(s.message())}});
    return;
  }
  installed_generation_ = generation;
  document_ = document;
}

}  // namespace recovery::common
