// Child processes for integration tests: start a binary, wait for a file, kill it.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace recovery::testing {

// A child process; killed (SIGKILL) on destruction if still running.
class Process {
 public:
  Process() = default;
  Process(const std::string& binary, const std::vector<std::string>& args, const std::string& log_path = "",
          const std::map<std::string, std::string>& env = {});
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;

  pid_t pid() const { return pid_; }
  bool running();
  void Kill(int sig);
  // Waits for exit; returns the wait status or -1 on timeout.
  int Wait(absl::Duration timeout = absl::Seconds(10));
  // SIGTERM then wait; returns the exit code (or 128+signal).
  int Terminate(absl::Duration timeout = absl::Seconds(10));

 private:
  pid_t pid_ = -1;
};

// A fresh directory under $TMPDIR, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Polls until the file exists and is non-empty; returns its first line ("" on timeout).
std::string WaitForFile(const std::string& path, absl::Duration timeout = absl::Seconds(20));

std::string BinaryPath(const std::string& relative);  // under the build tree
std::string SourcePath(const std::string& relative);  // under the source tree

// Runs a shell command, returns stdout; exit code in *status when given.
std::string RunCommand(const std::string& cmd, int* status = nullptr);
bool HaveCommand(const std::string& name);

// A TCP socket listening on 127.0.0.1 at a free port (written to *port), for the small
// servers tests and benchmarks run (webhook and SMTP receivers); -1 when it cannot listen.
int ListenOnLoopback(int* port, int backlog = 16);

}  // namespace recovery::testing
