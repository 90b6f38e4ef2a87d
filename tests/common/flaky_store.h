// FlakyStore: a Store that passes everything to a real one but fails the next N statements
// starting with a given SQL prefix (UNAVAILABLE, as a lost database connection does), to test
// what the runtime does when the database blips between two steps.
// Thread-safe as the store it wraps; one Tx belongs to one thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "services/common/status_macros.h"
#include "services/common/store.h"

namespace recovery::testing {

class FlakyStore final : public common::Store {
 public:
  explicit FlakyStore(common::Store& inner) : inner_(inner) {}

  // The next `times` statements starting with `sql_prefix` fail without running.
  void FailNext(std::string sql_prefix, int times) {
    std::lock_guard lock(mu_);
    prefix_ = std::move(sql_prefix);
    remaining_ = times;
  }
  int injected() const {
    std::lock_guard lock(mu_);
    return injected_;
  }

  absl::StatusOr<std::unique_ptr<common::Tx>> Begin() override {
    ASSIGN_OR_RETURN(std::unique_ptr<common::Tx> tx, inner_.Begin());
    return std::unique_ptr<common::Tx>(new FlakyTx(*this, std::move(tx)));
  }
  common::Dialect dialect() const override { return inner_.dialect(); }

 private:
  class FlakyTx final : public common::Tx {
   public:
    FlakyTx(FlakyStore& store, std::unique_ptr<common::Tx> inner) : store_(store), inner_(std::move(inner)) {}
    absl::Status Exec(std::string_view sql, const common::Params& params) override {
      if (store_.ShouldFail(sql)) return absl::UnavailableError("injected: server closed the connection unexpectedly");
      return inner_->Exec(sql, params);
    }
    absl::StatusOr<std::vector<common::Row>> Query(std::string_view sql, const common::Params& params) override {
      if (store_.ShouldFail(sql)) return absl::UnavailableError("injected: server closed the connection unexpectedly");
      return inner_->Query(sql, params);
    }
    int64_t ChangedRows() const override { return inner_->ChangedRows(); }
    absl::Status Commit() override {
      RETURN_IF_ERROR(inner_->Commit());
      RunAfterCommit();
      return absl::OkStatus();
    }

   private:
    FlakyStore& store_;
    std::unique_ptr<common::Tx> inner_;
  };

  bool ShouldFail(std::string_view sql) {
    std::lock_guard lock(mu_);
    if (remaining_ == 0 || sql.substr(0, prefix_.size()) != prefix_) return false;
    --remaining_;
    ++injected_;
    return true;
  }

  common::Store& inner_;
  mutable std::mutex mu_;
  std::string prefix_ ABSL_GUARDED_BY(mu_);
  int remaining_ ABSL_GUARDED_BY(mu_) = 0;
  int injected_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace recovery::testing
