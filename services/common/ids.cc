// UUIDv7 generator.
#include "services/common/ids.h"

#include <cctype>
#include <cstdint>
#include <mutex>
#include <random>

namespace recovery::common {
namespace {
std::mutex g_mu;
int64_t g_last_ms = -1;
uint32_t g_counter = 0;
std::mt19937_64& Rng() {
  static std::mt19937_64 rng{std::random_device{}()};
  return rng;
}
}  // namespace

std::string IdGenerator::NewUuidV7(absl::Time now) {
  int64_t ms = absl::ToUnixMillis(now);
  uint64_t rand_b;
  uint32_t counter;
  {
    std::lock_guard lock(g_mu);
    if (ms <= g_last_ms) {
      ms = g_last_ms;  // never go backwards, even if the clock does
      if (++g_counter > 0xFFF) {
        ++ms;  // counter overflow: borrow the next millisecond
        g_counter = static_cast<uint32_t>(Rng()() & 0x3FF);
      }
    } else {
      g_counter = static_cast<uint32_t>(Rng()() & 0x3FF);  // leave headroom for increments
    }
    g_last_ms = ms;
    counter = g_counter;
    rand_b = Rng()();
  }
  uint8_t b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(static_cast<uint64_t>(ms) >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | ((counter >> 8) & 0x0F));
  b[7] = static_cast<uint8_t>(counter & 0xFF);
  b[8] = static_cast<uint8_t>(0x80 | ((rand_b >> 56) & 0x3F));
  for (int i = 9; i < 16; ++i) b[i] = static_cast<uint8_t>(rand_b >> (8 * (15 - i)));
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0xF]);
  }
  return out;
}

std::string NewId(absl::Time now) {
  static IdGenerator gen;
  return gen.NewUuidV7(now);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace recovery::common
