// Configuration as state: a service's configuration is a set of resources (kind, id, spec)
// with versions in the service's own store, changed through the Configuration API
// (config.proto), an apply of a whole document, or the --config file. The module says which
// kinds its YAML holds (ConfigSchema) and parses them; everything else is here, once:
//
//   - the tables: config_resources (the live version of each resource), config_versions
//     (every version: actor, time, reason, content hash, origin), config_meta (the
//     generation, +1 per change), config_file_baseline (what the --config file said at its
//     last apply, per resource);
//   - one change path: load the live document, apply the change, validate the whole
//     candidate document with the module's own parser (the YAML load and the API share it),
//     check the caller's scope, run the safety checks, then write the versions, the
//     generation and one ConfigChanged event per resource through the outbox in one
//     transaction, and install the new document in the module after the commit;
//   - the file: the first start imports it (origin "file", actor service:<name>). After
//     that the store is the source of truth: a restart or SIGHUP applies only what the
//     file changed since its last apply (a three-way comparison with the baseline), so an
//     API change survives a reload of an old file; where the file and the API both changed
//     one resource, that resource keeps its live version and the conflict is reported.
//
// Thread-safety: every method may be called from any thread; changes are serialised by the
// store (a change whose generation moved underneath is ABORTED and retried).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/config.pb.h"
#include "yaml-cpp/yaml.h"

namespace recovery::common {

class Clock;
class Outbox;
class Store;
class Tx;
struct Caller;

struct ConfigKind {
  // kList: a list of maps with an `id` (people, schedules); kMap: a map id -> value
  // (follow-up's sla: P1 -> targets); kNames: a list of names (categories); kSettings: the
  // top-level `keys`, held as one resource with id "settings".
  enum class Shape { kList, kMap, kNames, kSettings };
  std::string kind;     // "person"
  std::string section;  // "people" (kSettings: a name for the group, e.g. "settings")
  Shape shape = Shape::kList;
  std::vector<std::string> keys;  // kSettings
  // Permission a write of this kind needs besides config.write; the module's
  // AuthorizeEdit may accept less for a narrower change (a person editing themselves).
  std::string write_permission = "config.edit";
  bool ordered = false;  // the order matters (routing rules: first match wins)
  // kList entries written without an id get "<auto_id_prefix><n>" (1-based position) at
  // import; empty: an id is required.
  std::string auto_id_prefix;

  static ConfigKind Of(Shape shape, std::string kind, std::string section,
                       std::string write_permission = "config.edit") {
    ConfigKind k;
    k.shape = shape;
    k.kind = std::move(kind);
    k.section = std::move(section);
    k.write_permission = std::move(write_permission);
    return k;
  }
  static ConfigKind Settings(std::string kind, std::vector<std::string> keys,
                             std::string write_permission = "config.edit") {
    ConfigKind k = Of(Shape::kSettings, std::move(kind), "settings", std::move(write_permission));
    k.keys = std::move(keys);
    return k;
  }
  ConfigKind& Ordered() {
    ordered = true;
    return *this;
  }
  ConfigKind& AutoIds(std::string prefix) {
    auto_id_prefix = std::move(prefix);
    return *this;
  }
};

struct ConfigFinding {
  std::string code;
  std::string path;
  std::string message;
};

struct ShiftChange {
  std::string schedule_id;
  absl::Time start, end;
  std::vector<std::string> before, after;
};

struct ConfigCheck {
  std::vector<ConfigFinding> blocking;  // FAILED_PRECONDITION, nothing changes
  std::vector<ConfigFinding> warnings;  // returned with the result
  std::vector<ShiftChange> shift_changes;
};

// One resource change as the module's scope check sees it.
struct ConfigEdit {
  const ConfigKind* kind = nullptr;
  std::string id;
  recovery::v1::ConfigChangeType type = recovery::v1::CONFIG_CHANGE_TYPE_UNSPECIFIED;
  YAML::Node before;              // null when created
  YAML::Node after;               // null when deleted
  std::vector<std::string> mask;  // the update mask ("" entries never); empty: whole spec
};

// What a service module tells the configuration state about its YAML.
class ConfigSchema {
 public:
  virtual ~ConfigSchema() = default;
  virtual std::vector<ConfigKind> ConfigKinds() const = 0;
  // Top-level keys read from the --config file only, never from the API (security settings
  // such as the networks webhooks may reach). Other unknown keys are errors.
  virtual std::vector<std::string> FileOnlySections() const { return {}; }
  // The file as the canonical document (e.g. the files it names read in). `path` is the
  // file's path (relative names resolve against it). Called with a null node and an empty
  // path when there is no file: return the module's shipped defaults to store, or null.
  virtual absl::StatusOr<YAML::Node> FromFile(const YAML::Node& file, const std::string& /*path*/) const {
    return file;
  }
  // Parses and validates a whole document exactly as a file load does (INVALID_ARGUMENT
  // naming the key path), without installing it.
  virtual absl::Status ValidateConfig(const YAML::Node& document) const = 0;
  // Makes a validated document the running configuration.
  virtual absl::Status InstallConfig(const YAML::Node& document) = 0;
  // Safety checks of going from `before` to `after` (both valid), for [now, now + 14 days).
  virtual ConfigCheck CheckConfig(const YAML::Node& /*before*/, const YAML::Node& /*after*/, absl::Time /*now*/) const {
    return {};
  }
  // OK, or PERMISSION_DENIED naming the permission. Default: kind.write_permission.
  virtual absl::Status AuthorizeEdit(const Caller& caller, const ConfigEdit& edit, const YAML::Node& live) const;
};

class ConfigState {
 public:
  // `schema` (the module), `store`, `outbox` and `clock` outlive this.
  ConfigState(std::string service, Store& store, Outbox& outbox, Clock& clock, ConfigSchema& schema);

  static absl::Status Migrate(Store& store);

  // At start, before the module's Init: imports the file (already FromFile'd; a null node
  // when there is none) on the first start, else applies what it changed since its last
  // apply. Returns the live document to build the module from. A file that fails to parse
  // or validate is an error; conflicts with API changes are logged and keep the live value.
  absl::StatusOr<YAML::Node> Start(const YAML::Node& file);
  // SIGHUP: the same three-way apply, then installs. Errors keep the running configuration.
  absl::Status ApplyFile(const YAML::Node& file);
  // Reads the store again when another replica changed it (its ConfigChanged was consumed).
  absl::Status Refresh();

  // The Configuration API (the caller was admitted by the policy; the kind's permission and
  // the module's scope are checked here).
  recovery::v1::ListKindsResponse ListKinds() const;
  absl::StatusOr<recovery::v1::Resource> Get(const std::string& kind, const std::string& id);
  absl::StatusOr<recovery::v1::ListResourcesResponse> List(const recovery::v1::ListResourcesRequest& req);
  absl::StatusOr<recovery::v1::ChangeResult> Create(const Caller& caller,
                                                    const recovery::v1::CreateResourceRequest& req);
  absl::StatusOr<recovery::v1::ChangeResult> Update(const Caller& caller,
                                                    const recovery::v1::UpdateResourceRequest& req);
  absl::StatusOr<recovery::v1::ChangeResult> Delete(const Caller& caller,
                                                    const recovery::v1::DeleteResourceRequest& req);
  absl::StatusOr<recovery::v1::ListResourceVersionsResponse> Versions(
      const recovery::v1::ListResourceVersionsRequest& req);
  absl::StatusOr<recovery::v1::ExportConfigurationResponse> Export();
  absl::StatusOr<recovery::v1::ApplyConfigurationResponse> Apply(const Caller& caller,
                                                                 const recovery::v1::ApplyConfigurationRequest& req);

  // The live document (what the module runs with).
  YAML::Node Document() const;
  const std::string& service() const { return service_; }

  struct Impl;

 private:
  // The file-only sections of the last file (a snapshot).
  YAML::Node FileOnly() const;
  // Makes `document` the module's configuration unless a later generation already is.
  void Install(int64_t generation, const YAML::Node& document);

  const std::string service_;
  Store& store_;
  Outbox& outbox_;
  Clock& clock_;
  ConfigSchema& schema_;
  const std::vector<ConfigKind> kinds_;
  mutable std::mutex mu_;
  int64_t installed_generation_ ABSL_GUARDED_BY(mu_) = -1;
  YAML::Node document_ ABSL_GUARDED_BY(mu_);
  YAML::Node file_only_ ABSL_GUARDED_BY(mu_);  // the file-only sections of the last file
};

}  // namespace recovery::common
