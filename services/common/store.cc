// Store helpers shared by every backend.
#include "services/common/store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace recovery::common {

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url);  // postgres_store.cc

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) return p->empty() ? 0 : std::stoll(*p);
  return 0;
}

double Row::Double(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return p->empty() ? 0 : std::stod(*p);
  return 0;
}

std::string Row::Str(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<Blob>(&v)) return p->bytes;
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return "";
}

absl::Status Store::Migrate(std::string_view component, const std::vector<std::string>& steps) {
  auto tx = Begin();
  if (!tx.ok()) return tx.status();
  if (auto s = (*tx)->Exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, "
          "PRIMARY KEY (component, version))");
      !s.ok())
    return s;
  auto rows = (*tx)->Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?",
                           {std::string(component)});
  if (!rows.ok()) return rows.status();
  const int64_t current = rows->empty() ? 0 : (*rows)[0].Int(0);
  for (size_t i = static_cast<size_t>(current); i < steps.size(); ++i) {
    if (auto s = (*tx)->Exec(steps[i]); !s.ok())
      return absl::Status(s.code(), absl::StrCat("migration ", std::string(component), " v", i + 1, ": ", s.message()));
    if (auto s = (*tx)->Exec("INSERT INTO schema_migrations (component, version) VALUES (?, ?)",
                             {std::string(component), static_cast<int64_t>(i + 1)});
        !s.ok())
      return s;
  }
  return (*tx)->Commit();
}

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& url) {
  if (absl::StartsWith(url, "postgres://") || absl::StartsWith(url, "postgresql://")) {
    return OpenPostgresStore(url);
  }
  return OpenSqliteStore(url);
}

absl::Status InTransaction(Store& store, const std::function<absl::Status(Tx&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    auto tx = store.Begin();
    if (!tx.ok()) return tx.status();
    absl::Status s = fn(**tx);
    if (s.ok()) s = (*tx)->Commit();
    if (s.code() == absl::StatusCode::kAborted && attempt < 5) continue;
    return s;
  }
}

}  // namespace recovery::common
