// A tiny HTTP server for tests: accepts POSTs on 127.0.0.1:<ephemeral>, reads headers and the
// body (by Content-Length), records each request and answers `status()` (200 unless set),
// after `delay()` and, while Hold() is in force, only once Release() is called: a slow or
// failing receiver. Each connection is served on its own thread, so several held requests are
// on the wire at once (as from concurrent delivery workers); a sender that went away while
// its request was held (a killed process) costs the receiver nothing. Thread-safe accessors.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.h"

namespace recovery::escalation::testing {

struct ReceivedRequest {
  std::string path;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

class WebhookReceiver {
 public:
  WebhookReceiver() {
    fd_ = recovery::testing::ListenOnLoopback(&port_);
    thread_ = std::thread([this] { Loop(); });
  }
  ~WebhookReceiver() {
    running_ = false;
    Release();
    thread_.join();
    std::vector<std::thread> handlers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      handlers.swap(handlers_);
    }
    for (std::thread& t : handlers) t.join();
    ::close(fd_);
  }

  // The HTTP status of the answers from now on.
  void set_status(int status) { status_ = status; }
  // Each answer waits this long after the request was read.
  void set_delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }
  // Requests are recorded on arrival but not answered until Release().
  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_ = false;
    }
    release_cv_.notify_all();
  }
  // Requests answered so far (count() includes those still held).
  size_t answered() const {
    std::lock_guard<std::mutex> lock(mu_);
    return answered_;
  }
  // How many requests carried an idempotency key that an earlier request already carried.
  size_t repeated_keys() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, int> seen;
    size_t repeats = 0;
    for (const auto& r : requests_) {
      auto it = r.headers.find("idempotency-key");
      if (it != r.headers.end() && seen[it->second]++ > 0) ++repeats;
    }
    return repeats;
  }

  int port() const { return port_; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }

 private:
  void Loop() {
    while (running_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      handlers_.emplace_back([this, c] {
        Handle(c);
        ::close(c);
      });
    }
  }

  static bool ReadMore(int c, std::string& buf) {
    pollfd p{c, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    char tmp[4096];
    const ssize_t n = ::read(c, tmp, sizeof(tmp));
    if (n <= 0) return false;
    buf.append(tmp, static_cast<size_t>(n));
    return true;
  }

  void Handle(int c) {
    std::string buf;
    size_t header_end;
    while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(c, buf)) return;
    }
    ReceivedRequest req;
    const std::string head = buf.substr(0, header_end);
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const size_t sp1 = request_line.find(' ');
    const size_t sp2 = request_line.find(' ', sp1 + 1);
    req.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      const std::string line = head.substr(pos, end - pos);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        req.headers[name] = value;
      }
      pos = end + 2;
    }
    const size_t length = req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
    std::string body = buf.substr(header_end + 4);
    while (body.size() < length) {
      std::string more;
      if (!ReadMore(c, more)) return;
      body += more;
    }
    req.body = body.substr(0, length);
    {
      std::unique_lock<std::mutex> lock(mu_);
      requests_.push_back(std::move(req));
      release_cv_.wait(lock, [this] { return !held_; });
    }
    if (const int64_t ms = delay_ms_; ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    const int status = status_;
    const std::string reply = "HTTP/1.1 " + std::to_string(status) + (status < 300 ? " OK" : " Error") +
                              "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    // MSG_NOSIGNAL: the sender may have died while held; no SIGPIPE for the test process.
    (void)!::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    std::lock_guard<std::mutex> lock(mu_);
    ++answered_;
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> running_{true};
  std::thread thread_;
  std::atomic<int> status_{200};
  std::atomic<int64_t> delay_ms_{0};
  mutable std::mutex mu_;
  std::condition_variable release_cv_;
  bool held_ = false;
  size_t answered_ = 0;
  std::vector<ReceivedRequest> requests_;
  std::vector<std::thread> handlers_;  // one per accepted connection, joined on destruction
};

}  // namespace recovery::escalation::testing
