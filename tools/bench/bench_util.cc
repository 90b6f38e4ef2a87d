// Shared helpers of the benchmark binaries.
#include "tools/bench/bench_util.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace recovery::bench {

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {
std::string Num(double v) {
  if (!std::isfinite(v)) return "null";
  std::ostringstream o;
  o.precision(6);
  o << v;
  return o.str();
}
}  // namespace

void Record(const Result& r) {
  std::ostringstream o;
  const double ratio = r.baseline > 0 ? r.value / r.baseline : 0;
  o << "{\"bench\":\"" << JsonEscape(r.bench) << "\",\"metric\":\"" << JsonEscape(r.metric) << "\",\"unit\":\""
    << JsonEscape(r.unit) << "\",\"value\":" << Num(r.value) << ",\"baseline_name\":\"" << JsonEscape(r.baseline_name)
    << "\",\"baseline\":" << Num(r.baseline) << ",\"ratio\":" << Num(ratio)
    << ",\"higher_is_better\":" << (r.higher_is_better ? "true" : "false") << ",\"goal\":\"" << JsonEscape(r.goal)
    << "\",\"goal_met\":" << (r.goal_met < 0 ? "null" : (r.goal_met ? "true" : "false")) << ",\"note\":\""
    << JsonEscape(r.note) << "\"}";
  const char* path = std::getenv("BENCH_RESULTS");
  if (path && *path) {
    std::ofstream f(path, std::ios::app);
    f << o.str() << "\n";
  } else {
    std::cout << o.str() << std::endl;
  }
  std::cerr << "[bench] " << r.bench << " / " << r.metric << ": " << r.value << " " << r.unit << " vs "
            << r.baseline_name << " " << r.baseline << " (ratio " << ratio << ")"
            << (r.goal.empty() ? "" : " goal " + r.goal) << (r.goal_met == 0 ? " MISSED" : "") << "\n";
}

double Percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double idx = p / 100.0 * static_cast<double>(samples.size() - 1);
  return samples[static_cast<size_t>(std::llround(idx))];
}

int64_t RssBytes() {
  std::ifstream f("/proc/self/statm");
  int64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace recovery::bench
