// Structured logging: one JSON object per line on stderr.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace recovery::common {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

using LogField = std::pair<std::string_view, std::string>;

// Sets the service name stamped on every line and the minimum level ("debug", "info",
// "warn", "error"). Thread-safe after the first call; call once from main.
bool InitLogging(std::string_view service, std::string_view level);

// Writes {"ts":..,"level":..,"service":..,"msg":..,<fields>} to stderr. Thread-safe.
void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

inline void LogInfo(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kInfo, msg, f); }
inline void LogWarn(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kWarn, msg, f); }
inline void LogError(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kError, msg, f); }
inline void LogDebug(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kDebug, msg, f); }

// JSON string escaping, shared with the audit export.
std::string JsonEscape(std::string_view s);

}  // namespace recovery::common
