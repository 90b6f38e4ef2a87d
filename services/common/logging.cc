// JSON-lines logging on top of spdlog's stderr sink.
#include "services/common/logging.h"

#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace recovery::common {
namespace {
std::mutex g_mu;
std::string g_service = "recovery";
std::shared_ptr<spdlog::logger> g_logger;

spdlog::logger& Logger() {
  std::lock_guard lock(g_mu);
  if (!g_logger) {
    g_logger = spdlog::stderr_logger_mt("recovery-json");
    g_logger->set_pattern("%v");
    g_logger->flush_on(spdlog::level::trace);
  }
  return *g_logger;
}

spdlog::level::level_enum ToSpd(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* Name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}
}  // namespace

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

bool InitLogging(std::string_view service, std::string_view level) {
  auto& logger = Logger();
  {
    std::lock_guard lock(g_mu);
    g_service = std::string(service);
  }
  if (level == "debug")
    logger.set_level(spdlog::level::debug);
  else if (level == "info")
    logger.set_level(spdlog::level::info);
  else if (level == "warn")
    logger.set_level(spdlog::level::warn);
  else if (level == "error")
    logger.set_level(spdlog::level::err);
  else
    return false;
  return true;
}

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  auto& logger = Logger();
  if (!logger.should_log(ToSpd(level))) return;
  std::string service;
  {
    std::lock_guard lock(g_mu);
    service = g_service;
  }
  std::string line = absl::StrCat(
      "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), "\",\"level\":\"",
      Name(level), "\",\"service\":\"", JsonEscape(service), "\",\"msg\":\"", JsonEscape(msg), "\"");
  for (const auto& [k, v] : fields) absl::StrAppend(&line, ",\"", JsonEscape(k), "\":\"", JsonEscape(v), "\"");
  line += "}";
  logger.log(ToSpd(level), "{}", line);
}

}  // namespace recovery::common
