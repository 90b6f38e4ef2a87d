// Shared helpers of the benchmark binaries: percentiles, RSS, and the result records that
// tools/bench/report.py turns into results/latest.{md,json}.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace recovery::bench {

// One measured figure and the baseline it is compared with (measured in the same run).
struct Result {
  std::string bench;          // e.g. "intake"
  std::string metric;         // e.g. "OpenCase throughput"
  std::string unit;           // e.g. "req/s"
  double value = 0;           // the system under test
  std::string baseline_name;  // e.g. "no-op gRPC server"
  double baseline = 0;        // same unit
  bool higher_is_better = true;
  std::string goal;   // human-readable, e.g. ">= 0.5x baseline"
  int goal_met = -1;  // 1 met, 0 missed, -1 no goal on this row
  std::string note;
};

// Appends the result as one JSON line to $BENCH_RESULTS (or stdout when unset), and prints
// a readable line on stderr.
void Record(const Result& r);

// Percentile p in [0,100] of the samples (sorted in place); 0 when empty.
double Percentile(std::vector<double>& samples, double p);

// Resident set size of this process in bytes (from /proc/self/statm).
int64_t RssBytes();

int64_t NowNanos();  // steady clock

std::string JsonEscape(const std::string& s);

}  // namespace recovery::bench
