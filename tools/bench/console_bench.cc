// recovery-bench-console: the web console on the real local stack (tools/stack.sh: dev broker,
// identity provider, the five services over TLS, the console over HTTPS), each figure against
// a baseline measured in the same run (issue 18):
//
//   Now screen  POST /api/escalation/recovery.v1.Escalation/ListEscalations {"activeOnly":true,
//               "pageSize":500}, both pages of 1,000 active escalations, through the console
//               (session cookie, CSRF token, JSON), against the same two calls made directly over
//               gRPC to escalation as the same person, alternating in one loop.
//   live events 100 events/s published to the topic with librdkafka, received on 200 open
//               GET /api/events streams (one TLS connection each, read by a small epoll loop):
//               publish -> SSE receipt per delivery, against a raw librdkafka consumer (assign,
//               no group, fetch.wait.max.ms=10) reading the same events at the same time. A
//               first phase with one stream separates the console's own hop from the fan-out.
//
// The stack runs on the demo's simulated clock (Tuesday 21:40 in London, after hours), so every
// case is an after-hours P1 that pages the on-call engineer at once and, with the clock frozen,
// stays paging: the 1,000 escalations are still active when the Now screen is timed, and no
// ack timer fires during the run. Results go to $BENCH_RESULTS (see bench_util.h).
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <librdkafka/rdkafkacpp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "recovery/v1/intake.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/ids.h"
#include "services/common/kafka_util.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/kafka_produce.h"

namespace {

namespace rt = recovery::testing;
namespace v1 = recovery::v1;
using recovery::bench::NowNanos;
using recovery::bench::Percentile;
using recovery::bench::Record;

constexpr char kTopic[] = "recovery.case-events";
constexpr int kPartitions = 4;  // tools/stack.sh's dev broker
// The demo's simulated clock: a Tuesday evening in London, after the client's business hours.
constexpr char kAfterHours[] = "2026-11-24T21:40:00Z";

std::string g_stop_command;           // tools/stack.sh stop, run at exit once the stack was started
std::unique_ptr<rt::TempDir> g_temp;  // the default data directory

void StopStack() {
  if (g_stop_command.empty()) return;
  const std::string cmd = g_stop_command;
  g_stop_command.clear();
  int status = 0;
  rt::RunCommand(cmd, &status);
}

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "console benchmark failed: " << what << "\n";
  StopStack();
  if (g_temp) std::cerr << "its logs are kept in " << g_temp.release()->path() << "\n";
  std::exit(1);
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::string Trimmed(const std::string& s) { return std::string(absl::StripAsciiWhitespace(s)); }

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string Run(const std::string& cmd, const std::string& what) {
  int status = 0;
  std::string out = rt::RunCommand(cmd, &status);
  if (status != 0) Fail(what + " failed (exit " + std::to_string(status) + "): " + cmd);
  return out;
}

// Runs fn(i) for i in [0, n), the i-th no earlier than i / rate seconds after the first.
void Paced(int n, double rate, const std::function<void(int)>& fn) {
  const int64_t t0 = NowNanos();
  for (int i = 0; i < n; ++i) {
    const int64_t at = t0 + static_cast<int64_t>(i * 1e9 / rate);
    while (NowNanos() < at) std::this_thread::sleep_for(std::chrono::microseconds(200));
    fn(i);
  }
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  size_t n = 0;
};

Percentiles Summarise(std::vector<double> samples) {
  Percentiles p;
  p.n = samples.size();
  p.p50 = Percentile(samples, 50);
  p.p99 = Percentile(samples, 99);
  p.max = samples.empty() ? 0 : samples.back();  // Percentile sorted them
  return p;
}

// CPU (user + system) a process has used so far, in ns; 0 when it cannot be read.
int64_t ProcessCpuNs(const std::string& pid) {
  std::ifstream f("/proc/" + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const size_t close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt (fields 3-13)
  int64_t utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) * (1000000000 / sysconf(_SC_CLK_TCK));
}

// The machine's busy and total CPU time so far (clock ticks, all CPUs), from /proc/stat.
struct MachineCpu {
  int64_t busy = 0, total = 0;
};

MachineCpu ReadMachineCpu() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  f >> cpu;
  MachineCpu m;
  for (int i = 0; i < 8; ++i) {  // user nice system idle iowait irq softirq steal
    int64_t v = 0;
    f >> v;
    m.total += v;
    if (i != 3 && i != 4) m.busy += v;
  }
  return m;
}

// What share of the machine's CPU was busy between a and b (everything: the stack, the
// benchmark and whatever else runs on the machine).
double BusyShare(const MachineCpu& a, const MachineCpu& b) {
  return b.total > a.total ? static_cast<double>(b.busy - a.busy) / static_cast<double>(b.total - a.total) : 0;
}

// ---- the stack ----

struct Stack {
  std::string data, build, source;
  std::string console_url, console_host;
  int console_port = 0;
  std::string ca_file, ca_pem;
  std::string intake_addr, escalation_addr;
  std::string console_pid, escalation_pid;

  std::string Command(const std::string& args, const std::string& env = "") const {
    return absl::StrCat("BUILD_DIR=", ShellQuote(build), " ", env, " ", ShellQuote(source + "/tools/stack.sh"), " ",
                        args, " --data ", ShellQuote(data));
  }
  std::string Token(const std::string& person) const {
    return Trimmed(Run(Command("token " + person) + " 2>>" + ShellQuote(data + "/bench-token.log"),
                       "tools/stack.sh token " + person));
  }
};

struct ConsoleSession {
  std::string cookie, csrf;
};

ConsoleSession SignIn(const Stack& stack, const std::string& person) {
  const std::string out = Run(
      absl::StrCat("python3 ", ShellQuote(stack.source + "/tools/console_client.py"), " --data ",
                   ShellQuote(stack.data), " sign-in ", person, " 2>>", ShellQuote(stack.data + "/bench-sign-in.log")),
      "tools/console_client.py sign-in " + person);
  google::protobuf::Struct s;
  if (!google::protobuf::util::JsonStringToMessage(out, &s).ok()) Fail("sign-in printed no JSON: " + out);
  const auto& f = s.fields();
  if (!f.count("cookie") || !f.count("csrfToken")) Fail("sign-in printed no cookie/csrfToken: " + out);
  return {f.at("cookie").string_value(), f.at("csrfToken").string_value()};
}

Stack StartStack(const std::string& data, int http_threads) {
  Stack s;
  s.data = data;
  s.build = RECOVERY_BINARY_DIR;
  s.source = RECOVERY_SOURCE_DIR;
  // The UI is not part of this benchmark: a one-line index.html satisfies the console's start.
  const std::string web = data + "/bench-web";
  std::filesystem::create_directories(web);
  std::ofstream(web + "/index.html") << "<!doctype html><title>bench</title>\n";
  g_stop_command = s.Command("stop") + " >/dev/null 2>&1";
  const std::string env =
      absl::StrCat("RECOVERY_CONSOLE_STATIC_DIR=", ShellQuote(web), " CONSOLE_HTTP_THREADS=", http_threads);
  std::cerr << "starting the stack in " << data << " (simulated clock " << kAfterHours << ")\n";
  Run(s.Command(absl::StrCat("start --manual-clock ", kAfterHours), env) + " >" +
          ShellQuote(data + "/bench-stack-start.log") + " 2>&1",
      "tools/stack.sh start (see " + data + "/bench-stack-start.log and " + data + "/logs)");
  s.console_url = Trimmed(ReadAll(data + "/stack/console.url"));
  const auto colon = s.console_url.rfind(':');
  s.console_host = s.console_url.substr(std::string("https://").size(), colon - std::string("https://").size());
  s.console_port = std::atoi(s.console_url.c_str() + colon + 1);
  s.ca_file = data + "/tls/ca.pem";
  s.ca_pem = ReadAll(s.ca_file);
  s.intake_addr = Trimmed(ReadAll(data + "/stack/intake.addr"));
  s.escalation_addr = Trimmed(ReadAll(data + "/stack/escalation.addr"));
  s.console_pid = Trimmed(ReadAll(data + "/pids/console.pid"));
  s.escalation_pid = Trimmed(ReadAll(data + "/pids/escalation.pid"));
  if (s.console_port == 0 || s.ca_pem.empty() || s.intake_addr.empty() || s.escalation_addr.empty())
    Fail("the stack's addresses are missing under " + data + "/stack");
  return s;
}

std::shared_ptr<grpc::Channel> Channel(const Stack& s, const std::string& addr, const std::string& token) {
  recovery::common::ChannelCredentialsSpec spec;
  spec.bearer_token = token;
  spec.ca_pem = s.ca_pem;
  return recovery::common::MakeChannel(addr, spec);
}

// ---- Kafka ----

std::unique_ptr<RdKafka::Conf> Conf(const std::map<std::string, std::string>& kv) {
  auto conf = recovery::common::MakeKafkaConf(kv);
  if (!conf.ok()) Fail(std::string(conf.status().message()));
  return std::move(*conf);
}

std::unique_ptr<RdKafka::Producer> MakeProducer(const std::string& brokers) {
  auto conf = Conf({{"bootstrap.servers", brokers},
                    {"enable.idempotence", "true"},
                    {"acks", "all"},
                    {"linger.ms", "1"},
                    {"socket.nagle.disable", "true"}});
  std::string err;
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  if (!p) Fail(err);
  return p;
}

// The direct hop: a consumer assigned every partition from the end (no group, so no 3 s join),
// with the fetch wait the services use (--fetch-wait-ms, default 10, which tools/stack.sh keeps).
std::unique_ptr<RdKafka::KafkaConsumer> MakeReader(const std::string& brokers) {
  auto conf = Conf({{"bootstrap.servers", brokers},
                    {"group.id", "bench-console-reader-" + std::to_string(NowNanos())},
                    {"enable.auto.commit", "false"},
                    {"fetch.wait.max.ms", "10"},
                    {"socket.nagle.disable", "true"}});
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!c) Fail(err);
  std::vector<RdKafka::TopicPartition*> parts;
  for (int i = 0; i < kPartitions; ++i)
    parts.push_back(RdKafka::TopicPartition::create(kTopic, i, RdKafka::Topic::OFFSET_END));
  c->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  return c;
}

// The sum of the topic's high watermarks (messages ever published), or -1.
int64_t TopicEnd(RdKafka::Handle& c) {
  int64_t sum = 0;
  for (int p = 0; p < kPartitions; ++p) {
    int64_t low = 0, high = 0;
    if (c.query_watermark_offsets(kTopic, p, &low, &high, 5000) != RdKafka::ERR_NO_ERROR) return -1;
    sum += high;
  }
  return sum;
}

// Waits until nothing has been published for `quiet` (the services' reactions to the cases
// opened: escalations, pages, plans, SLA clocks), at most `limit`; false when it never settled.
bool WaitForQuietTopic(RdKafka::Handle& c, absl::Duration quiet, absl::Duration limit, int64_t* events) {
  const absl::Time deadline = absl::Now() + limit;
  int64_t last = TopicEnd(c);
  absl::Time since = absl::Now();
  while (absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const int64_t now = TopicEnd(c);
    if (now != last) {
      last = now;
      since = absl::Now();
    } else if (absl::Now() - since >= quiet) {
      *events = last;
      return true;
    }
  }
  *events = last;
  return false;
}

// The benchmark's events: NoteAdded (no service acts on a note: intake, escalation and
// action-plan do not handle it, follow-up changes nothing for it, audit records it as it records
// every event), keyed "bench:<run>:<index>" so no real case is touched.
v1::Event BenchEvent(const std::string& run, int64_t index) {
  const absl::Time now = absl::Now();
  auto e = recovery::common::NewEvent(now, absl::StrCat("bench:", run, ":", index), "bench", "bench",
                                      absl::StrCat("bench-", run));
  auto* note = e.mutable_note_added();
  note->set_note_id(recovery::common::NewId(now));
  note->set_text("console benchmark event");
  note->set_author("bench");
  return e;
}

void Produce(RdKafka::Producer& p, const v1::Event& e) {
  if (const std::string error = recovery::bench::ProduceEvent(p, kTopic, e); !error.empty()) Fail(error);
}

// When each benchmark event was published and first seen by the raw consumer (steady ns, 0:
// not yet), by index.
struct EventLog {
  explicit EventLog(size_t n) : published(n), raw(n) {
    for (auto& a : published) a = 0;
    for (auto& a : raw) a = 0;
  }
  std::vector<std::atomic<int64_t>> published;
  std::vector<std::atomic<int64_t>> raw;
};

// "bench:<run>:<index>" -> index, or -1.
int64_t IndexOf(const char* p, size_t n, const std::string& prefix) {
  if (n <= prefix.size() || std::string_view(p, prefix.size()) != prefix) return -1;
  int64_t v = 0;
  for (size_t i = prefix.size(); i < n; ++i) {
    if (p[i] < '0' || p[i] > '9') return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v;
}

// ---- SSE clients: TLS connections read by epoll threads ----

// One EventSource: a TLS connection to GET /api/events, de-chunked and split into messages.
struct Stream {
  int fd = -1;
  SSL* ssl = nullptr;
  std::string raw;  // chunked body bytes not yet decoded
  std::string sse;  // decoded event-stream text not yet split
  size_t chunk_left = 0;
  std::atomic<bool> ended{false};
  // By event index: when this stream delivered it (steady ns, 0: not yet); written by the
  // stream's epoll thread, read by the main thread.
  std::unique_ptr<std::atomic<int64_t>[]> received;
  std::atomic<int64_t> other_messages{0};  // events of the stack itself
};

class StreamClients {
 public:
  StreamClients(const Stack& stack, std::string prefix, size_t events, EventLog& log, int threads)
      : stack_(stack), prefix_(std::move(prefix)), events_(events), log_(log), delivered_(events) {
    for (auto& d : delivered_) d = 0;
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_ || SSL_CTX_load_verify_locations(ctx_, stack.ca_file.c_str(), nullptr) != 1)
      Fail("TLS client context for " + stack.ca_file);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    for (int i = 0; i < threads; ++i) {
      const int ep = epoll_create1(EPOLL_CLOEXEC);
      if (ep < 0) Fail("epoll_create1");
      epolls_.push_back(ep);
      cpu_ns_.push_back(std::make_unique<std::atomic<int64_t>>(0));
    }
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { Loop(i); });
  }
  ~StreamClients() {
    running_ = false;
    for (auto& t : threads_) t.join();
    for (auto& s : streams_) {
      if (s->ssl) SSL_free(s->ssl);
      if (s->fd >= 0) ::close(s->fd);
    }
    for (int ep : epolls_) ::close(ep);
    SSL_CTX_free(ctx_);
  }

  // Opens one more stream with the session's cookie; returns once the console has answered
  // 200 (it subscribes the stream before answering).
  void Open(const std::string& cookie) {
    auto s = std::make_unique<Stream>();
    s->received = std::make_unique<std::atomic<int64_t>[]>(events_);
    for (size_t i = 0; i < events_; ++i) s->received[i] = 0;
    s->fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(stack_.console_port));
    inet_pton(AF_INET, stack_.console_host.c_str(), &addr.sin_addr);
    if (::connect(s->fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Fail("connect to the console");
    const int one = 1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    s->ssl = SSL_new(ctx_);
    SSL_set_fd(s->ssl, s->fd);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl), stack_.console_host.c_str());
    if (SSL_connect(s->ssl) != 1) Fail("TLS handshake with the console: " + SslError());
    const std::string request =
        absl::StrCat("GET /api/events HTTP/1.1\r\nHost: ", stack_.console_host, ":", stack_.console_port,
                     "\r\nAccept: text/event-stream\r\nCookie: ", cookie, "\r\nCache-Control: no-cache\r\n\r\n");
    if (SSL_write(s->ssl, request.data(), static_cast<int>(request.size())) <= 0) Fail("GET /api/events: write");
    std::string head;
    char buf[4096];
    size_t end;
    while ((end = head.find("\r\n\r\n")) == std::string::npos) {
      const int n = SSL_read(s->ssl, buf, sizeof(buf));
      if (n <= 0) Fail("GET /api/events: the console closed the connection");
      head.append(buf, static_cast<size_t>(n));
    }
    if (head.rfind("HTTP/1.1 200", 0) != 0) Fail("GET /api/events answered: " + head.substr(0, head.find('\r')));
    s->raw = head.substr(end + 4);
    Decode(*s, NowNanos());
    fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
    Stream* raw = s.get();
    size_t n;
    {
      std::lock_guard lock(mu_);
      streams_.push_back(std::move(s));
      n = streams_.size();
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = raw;
    epoll_ctl(epolls_[(n - 1) % epolls_.size()], EPOLL_CTL_ADD, raw->fd, &ev);
  }

  size_t size() {
    std::lock_guard lock(mu_);
    return streams_.size();
  }
  // How many streams have delivered event `index`.
  int delivered(int64_t index) const { return delivered_[static_cast<size_t>(index)]; }
  int64_t cpu_ns() const {
    int64_t sum = 0;
    for (const auto& c : cpu_ns_) sum += *c;
    return sum;
  }
  int64_t ended() {
    std::lock_guard lock(mu_);
    int64_t n = 0;
    for (const auto& s : streams_) n += s->ended;
    return n;
  }
  // publish -> receipt (ms) of events [from, to) on every stream; *missing = deliveries absent.
  std::vector<double> Latencies(int64_t from, int64_t to, int64_t* missing) {
    std::lock_guard lock(mu_);
    std::vector<double> out;
    *missing = 0;
    for (const auto& s : streams_) {
      for (int64_t i = from; i < to; ++i) {
        const int64_t at = s->received[static_cast<size_t>(i)];
        if (at == 0) {
          ++*missing;
          continue;
        }
        out.push_back(static_cast<double>(at - log_.published[static_cast<size_t>(i)]) / 1e6);
      }
    }
    return out;
  }
  int64_t other_messages() {
    std::lock_guard lock(mu_);
    int64_t n = 0;
    for (const auto& s : streams_) n += s->other_messages;
    return n;
  }

 private:
  static std::string SslError() {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
    return buf;
  }

  void Loop(int t) {
    epoll_event evs[64];
    char buf[16384];
    while (running_) {
      const int n = epoll_wait(epolls_[static_cast<size_t>(t)], evs, 64, 50);
      for (int k = 0; k < n; ++k) {
        Stream& s = *static_cast<Stream*>(evs[k].data.ptr);
        const int64_t now = NowNanos();  // the receipt: when the bytes are there to read
        for (;;) {
          const int r = SSL_read(s.ssl, buf, sizeof(buf));
          if (r > 0) {
            s.raw.append(buf, static_cast<size_t>(r));
            continue;
          }
          const int err = SSL_get_error(s.ssl, r);
          if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            s.ended = true;
            epoll_ctl(epolls_[static_cast<size_t>(t)], EPOLL_CTL_DEL, s.fd, nullptr);
          }
          break;
        }
        Decode(s, now);
      }
      timespec cpu{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
      *cpu_ns_[static_cast<size_t>(t)] = int64_t{cpu.tv_sec} * 1000000000 + cpu.tv_nsec;
    }
  }

  // Chunked transfer coding -> event-stream text -> messages; each message is one chunk (the
  // console writes one per event) but nothing here relies on it.
  void Decode(Stream& s, int64_t now) {
    for (;;) {
      if (s.chunk_left == 0) {
        const size_t eol = s.raw.find("\r\n");
        if (eol == std::string::npos) break;
        if (eol == 0) {  // the CRLF after a chunk's data
          s.raw.erase(0, 2);
          continue;
        }
        s.chunk_left = std::strtoul(s.raw.c_str(), nullptr, 16);
        s.raw.erase(0, eol + 2);
        if (s.chunk_left == 0) {
          s.ended = true;
          break;
        }
      }
      if (s.raw.empty()) break;
      const size_t take = std::min(s.chunk_left, s.raw.size());
      s.sse.append(s.raw, 0, take);
      s.raw.erase(0, take);
      s.chunk_left -= take;
    }
    static const std::string kKey = "\"caseId\":\"";
    size_t start = 0, end;
    while ((end = s.sse.find("\n\n", start)) != std::string::npos) {
      const std::string_view message(s.sse.data() + start, end - start);
      start = end + 2;
      const size_t at = message.find(kKey);
      int64_t index = -1;
      if (at != std::string_view::npos) {
        const size_t from = at + kKey.size();
        const size_t to = message.find('"', from);
        if (to != std::string_view::npos) index = IndexOf(message.data() + from, to - from, prefix_);
      }
      if (index < 0 || index >= static_cast<int64_t>(events_)) {
        ++s.other_messages;
        continue;
      }
      if (s.received[static_cast<size_t>(index)].load(std::memory_order_relaxed) == 0) {
        s.received[static_cast<size_t>(index)].store(now, std::memory_order_relaxed);
        ++delivered_[static_cast<size_t>(index)];
      }
    }
    s.sse.erase(0, start);
  }

  const Stack& stack_;
  const std::string prefix_;
  const size_t events_;
  EventLog& log_;
  std::vector<std::atomic<int>> delivered_;
  SSL_CTX* ctx_ = nullptr;
  std::vector<int> epolls_;
  std::vector<std::unique_ptr<std::atomic<int64_t>>> cpu_ns_;
  std::atomic<bool> running_{true};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Stream>> streams_;
};

// ---- the Now screen ----

struct Screen {
  double ms = 0;
  int escalations = 0;
  size_t bytes = 0;
};

// The Now screen through the console: both pages, as the UI asks for them.
Screen ConsoleScreen(httplib::SSLClient& http, const ConsoleSession& session) {
  Screen screen;
  std::string token;
  const httplib::Headers headers{{"Cookie", session.cookie}, {"X-CSRF-Token", session.csrf}};
  std::vector<std::string> bodies;
  const int64_t t0 = NowNanos();
  for (int page = 0; page < 2; ++page) {
    const std::string body = token.empty()
                                 ? R"({"activeOnly":true,"pageSize":500})"
                                 : absl::StrCat(R"({"activeOnly":true,"pageSize":500,"pageToken":")", token, "\"}");
    auto res = http.Post("/api/escalation/recovery.v1.Escalation/ListEscalations", headers, body, "application/json");
    if (!res) Fail("console ListEscalations: " + httplib::to_string(res.error()));
    if (res->status != 200) Fail(absl::StrCat("console ListEscalations answered ", res->status, ": ", res->body));
    // The next page's token, as the UI reads it (the full parse is checked after the clock).
    static const std::string kNext = "\"nextPageToken\":\"";
    token.clear();
    if (auto at = res->body.find(kNext); at != std::string::npos) {
      const size_t from = at + kNext.size();
      token = res->body.substr(from, res->body.find('"', from) - from);
    }
    bodies.push_back(std::move(res->body));
    if (token.empty()) break;
  }
  screen.ms = static_cast<double>(NowNanos() - t0) / 1e6;
  for (const std::string& b : bodies) {
    v1::ListEscalationsResponse page;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(b, &page, options).ok())
      Fail("console ListEscalations: not a ListEscalationsResponse");
    screen.escalations += page.escalations_size();
    screen.bytes += b.size();
  }
  return screen;
}

// The same two calls made directly over gRPC as the same person.
Screen DirectScreen(v1::Escalation::Stub& stub) {
  Screen screen;
  std::string token;
  const int64_t t0 = NowNanos();
  for (int page = 0; page < 2; ++page) {
    v1::ListEscalationsRequest req;
    req.set_active_only(true);
    req.set_page_size(500);
    req.set_page_token(token);
    v1::ListEscalationsResponse resp;
    auto ctx = recovery::common::ContextWithDeadline(absl::Seconds(30));
    const grpc::Status s = stub.ListEscalations(ctx.get(), req, &resp);
    if (!s.ok()) Fail("direct ListEscalations: " + s.error_message());
    screen.escalations += resp.escalations_size();
    screen.bytes += resp.ByteSizeLong();
    token = resp.next_page_token();
    if (token.empty()) break;
  }
  screen.ms = static_cast<double>(NowNanos() - t0) / 1e6;
  return screen;
}

int ActiveEscalations(v1::Escalation::Stub& stub) { return DirectScreen(stub).escalations; }

// Opens `n` after-hours P1 cases through intake (each pages the on-call engineer at once).
// Intake's per-person rate limit (tools/stack.sh: 50/s, burst 100) paces the opening.
void OpenCases(v1::Intake::Stub& stub, const std::string& run, int n, double rate) {
  Paced(n, rate, [&](int i) {
    v1::OpenCaseRequest r;
    r.set_request_id(absl::StrCat("bench-console-", run, "-", i));
    r.mutable_client()->set_id(absl::StrCat("bench-client-", run, "-", i));
    r.mutable_client()->set_name(absl::StrCat("Bench client ", i));
    r.mutable_client()->set_time_zone("Europe/London");
    r.set_channel(v1::CHANNEL_PHONE);
    r.set_category("unreachable");
    r.set_severity(v1::SEVERITY_P1);
    r.set_summary("Called after hours and nobody answered");
    for (int attempt = 0;; ++attempt) {
      v1::OpenCaseResponse resp;
      auto ctx = recovery::common::ContextWithDeadline(absl::Seconds(10));
      const grpc::Status s = stub.OpenCase(ctx.get(), r, &resp);
      if (s.ok()) break;
      if (s.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED || attempt > 100)
        Fail("OpenCase: " + s.error_message());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the same request_id: idempotent
    }
  });
}

struct Options {
  std::string data;
  bool keep = false;
  int escalations = 1000, screens = 100, clients = 200, sse_threads = 2, http_threads = 256;
  double rate = 100, seconds = 10, single_seconds = 5, open_rate = 45;
};

int Main(const Options& o) {
  if (o.data.empty()) g_temp = std::make_unique<rt::TempDir>();
  const std::string data = o.data.empty() ? g_temp->path() + "/stack" : o.data;
  std::filesystem::create_directories(data);
  Stack stack = StartStack(data, o.http_threads);
  const std::string run = std::to_string(NowNanos() % 1000000);
  const std::string brokers = Trimmed(ReadAll(data + "/stack/broker.addr"));
  auto producer = MakeProducer(brokers);

  // ---- 1,000 active escalations, then the Now screen ----
  const std::string mia = stack.Token("mia");  // an admin opens the cases
  const std::string lee = stack.Token("lee");  // the person looking at the Now screen
  auto intake = v1::Intake::NewStub(Channel(stack, stack.intake_addr, mia));
  auto escalation = v1::Escalation::NewStub(Channel(stack, stack.escalation_addr, lee));
  const int64_t t_open = NowNanos();
  OpenCases(*intake, run, o.escalations, o.open_rate);
  const double open_s = static_cast<double>(NowNanos() - t_open) / 1e9;
  int active = 0;
  if (!rt::PollUntil([&] { return (active = ActiveEscalations(*escalation)) >= o.escalations; }, absl::Seconds(120),
                     absl::Milliseconds(500)))
    Fail(absl::StrCat("only ", active, " of ", o.escalations, " escalations active after 120 s"));
  int64_t topic_events = 0;
  const bool quiet = WaitForQuietTopic(*producer, absl::Seconds(2), absl::Seconds(120), &topic_events);
  std::cerr << o.escalations << " cases opened in " << open_s << " s; " << active << " active escalations; topic "
            << (quiet ? "quiet" : "STILL BUSY") << " at " << topic_events << " events\n";

  const ConsoleSession session = SignIn(stack, "lee");
  httplib::SSLClient http(stack.console_host, stack.console_port);
  http.set_ca_cert_path(stack.ca_file.c_str());
  http.enable_server_certificate_verification(true);
  http.set_keep_alive(true);
  http.set_tcp_nodelay(true);  // as browsers do; httplib writes a POST's headers and body apart
  http.set_read_timeout(30, 0);
  std::vector<double> via_console, direct;
  Screen last_console, last_direct;
  constexpr int kWarmup = 5;
  // Alternating, each path first in every other pair, and at most one pair per 100 ms: four
  // ListEscalations of Lee's per 100 ms stay under escalation's 50/s per-person limit.
  int64_t console_cpu0 = 0, escalation_cpu0 = 0;
  MachineCpu machine0;
  Paced(o.screens + kWarmup, 10, [&](int i) {
    if (i == kWarmup) {
      console_cpu0 = ProcessCpuNs(stack.console_pid);
      escalation_cpu0 = ProcessCpuNs(stack.escalation_pid);
      machine0 = ReadMachineCpu();
    }
    const bool console_first = i % 2 == 0;
    Screen a = console_first ? ConsoleScreen(http, session) : DirectScreen(*escalation);
    Screen b = console_first ? DirectScreen(*escalation) : ConsoleScreen(http, session);
    Screen& c = console_first ? a : b;
    Screen& d = console_first ? b : a;
    if (c.escalations != active || d.escalations != active)
      Fail(absl::StrCat("a Now screen showed ", c.escalations, " (console) / ", d.escalations, " (direct) of ", active,
                        " active escalations"));
    if (i < kWarmup) return;
    via_console.push_back(c.ms);
    direct.push_back(d.ms);
    last_console = c;
    last_direct = d;
  });
  const double console_cpu_ms = static_cast<double>(ProcessCpuNs(stack.console_pid) - console_cpu0) / 1e6 / o.screens;
  const double escalation_cpu_ms =
      static_cast<double>(ProcessCpuNs(stack.escalation_pid) - escalation_cpu0) / 1e6 / (2 * o.screens);
  const double now_busy = BusyShare(machine0, ReadMachineCpu());
  const Percentiles nc = Summarise(via_console), nd = Summarise(direct);
  const std::string now_note = absl::StrCat(
      o.screens, " screens each way, alternating (after ", kWarmup,
      " unmeasured), keep-alive HTTPS (the console closes a ",
      "connection after 5 requests, cpp-httplib's default, so one request in five pays a new TLS handshake); ", active,
      " active escalations (after-hours P1s, paging, on a frozen simulated clock), 2 pages of 500: ",
      last_console.bytes, " bytes of JSON through the console, ", last_direct.bytes, " bytes of protobuf direct; ",
      "same person (lee), the console with its session's token, the direct calls with a device-flow token; max ",
      nc.max, " ms vs ", nd.max, " ms; CPU per screen: the console ", console_cpu_ms, " ms, escalation ",
      escalation_cpu_ms, " ms (either path); the machine was ", static_cast<int>(now_busy * 100),
      "% busy (both CPUs) meanwhile");
  Record({"console", "Now screen (ListEscalations active, 2 pages of 500) p50", "ms", nc.p50,
          "direct gRPC to escalation, p50", nd.p50, false, "", -1, now_note});
  Record({"console", "Now screen (ListEscalations active, 2 pages of 500) p99", "ms", nc.p99,
          "direct gRPC to escalation, p99", nd.p99, false, "", -1, now_note});

  // ---- live events: one stream, then 200 ----
  const int64_t single_events = static_cast<int64_t>(o.rate * o.single_seconds);
  const int64_t fan_events = static_cast<int64_t>(o.rate * o.seconds);
  constexpr int kWarmEvents = 3;
  const int64_t total = 2 * kWarmEvents + single_events + fan_events;
  EventLog log(static_cast<size_t>(total));
  const std::string prefix = absl::StrCat("bench:", run, ":");
  auto reader = MakeReader(brokers);
  std::atomic<bool> reading{true};
  std::thread raw_thread([&] {
    while (reading) {
      std::unique_ptr<RdKafka::Message> m(reader->consume(50));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;
      const int64_t now = NowNanos();
      const int64_t i = IndexOf(static_cast<const char*>(m->key_pointer()), m->key_len(), prefix);
      if (i < 0 || i >= total) continue;
      int64_t expected = 0;
      log.raw[static_cast<size_t>(i)].compare_exchange_strong(expected, now);
    }
  });
  int64_t next = 0;
  auto publish = [&](int64_t i) {
    const v1::Event e = BenchEvent(run, i);
    log.published[static_cast<size_t>(i)] = NowNanos();
    Produce(*producer, e);
  };
  // Three single events, each waited for by every stream and the raw consumer (the streams are
  // subscribed and the console's consumer is caught up before anything is timed).
  auto warm_up = [&](StreamClients& clients) {
    for (int k = 0; k < kWarmEvents; ++k) {
      const int64_t i = next++;
      publish(i);
      const size_t want = clients.size();
      if (!rt::PollUntil(
              [&] { return clients.delivered(i) >= static_cast<int>(want) && log.raw[static_cast<size_t>(i)] != 0; },
              absl::Seconds(30), absl::Milliseconds(5)))
        Fail(absl::StrCat("warm-up event ", i, " reached ", clients.delivered(i), " of ", want, " streams in 30 s"));
    }
  };
  // `n` events at o.rate; then up to 10 s for the last deliveries.
  auto measure = [&](StreamClients& clients, int64_t n, int64_t* from) {
    *from = next;
    Paced(static_cast<int>(n), o.rate, [&](int) { publish(next++); });
    producer->flush(10000);
    const size_t want = clients.size();
    rt::PollUntil(
        [&] {
          for (int64_t i = *from; i < next; ++i)
            if (clients.delivered(i) < static_cast<int>(want) || log.raw[static_cast<size_t>(i)] == 0) return false;
          return true;
        },
        absl::Seconds(10), absl::Milliseconds(20));
  };
  auto raw_latencies = [&](int64_t from, int64_t to, int64_t* missing) {
    std::vector<double> out;
    *missing = 0;
    for (int64_t i = from; i < to; ++i) {
      const int64_t at = log.raw[static_cast<size_t>(i)];
      if (at == 0) {
        ++*missing;
        continue;
      }
      out.push_back(static_cast<double>(at - log.published[static_cast<size_t>(i)]) / 1e6);
    }
    return out;
  };
  std::vector<ConsoleSession> sessions{session, SignIn(stack, "mia"), SignIn(stack, "reception")};
  StreamClients clients(stack, prefix, static_cast<size_t>(total), log, o.sse_threads);
  struct Phase {
    std::string label;
    int streams;
    int64_t from, to, missing_sse, missing_raw, cpu_ns, console_cpu_ns;
    double busy;
    Percentiles sse, raw;
  };
  std::vector<Phase> phases;
  for (const auto& [label, streams, events] : std::vector<std::tuple<std::string, int, int64_t>>{
           {"1 stream", 1, single_events}, {absl::StrCat(o.clients, " streams"), o.clients, fan_events}}) {
    const int64_t t_connect = NowNanos();
    while (static_cast<int>(clients.size()) < streams) clients.Open(sessions[clients.size() % sessions.size()].cookie);
    std::cerr << "live events: " << streams << " streams open (" << static_cast<double>(NowNanos() - t_connect) / 1e6
              << " ms to connect)\n";
    warm_up(clients);
    Phase p{label, streams, 0, 0, 0, 0, 0, 0, 0, {}, {}};
    const int64_t cpu0 = clients.cpu_ns(), console0 = ProcessCpuNs(stack.console_pid);
    const MachineCpu m0 = ReadMachineCpu();
    measure(clients, events, &p.from);
    p.to = next;
    p.cpu_ns = clients.cpu_ns() - cpu0;
    p.console_cpu_ns = ProcessCpuNs(stack.console_pid) - console0;
    p.busy = BusyShare(m0, ReadMachineCpu());
    p.sse = Summarise(clients.Latencies(p.from, p.to, &p.missing_sse));
    p.raw = Summarise(raw_latencies(p.from, p.to, &p.missing_raw));
    phases.push_back(p);
  }
  reading = false;
  raw_thread.join();
  const int64_t ended = clients.ended();
  for (const Phase& p : phases) {
    const int64_t events = p.to - p.from;
    const std::string note = absl::StrCat(
        events, " NoteAdded events at ", o.rate, "/s to ", p.streams, " open GET /api/events streams (TLS, ",
        sessions.size(), " sessions): ", p.sse.n, "/", events * p.streams, " deliveries (", p.missing_sse,
        " missing), streams ended by the console: ", ended, "; baseline: a raw librdkafka consumer (assign, ",
        "fetch.wait.max.ms=10) reading the same events at the same time, ", p.raw.n, "/", events,
        "; the console's consumer: its group, --fetch-wait-ms 10 (tools/stack.sh passes none; the default); max ",
        p.sse.max, " ms vs ", p.raw.max, " ms; the benchmark's readers used ",
        p.sse.n ? static_cast<double>(p.cpu_ns) / 1e3 / static_cast<double>(p.sse.n) : 0, " us of CPU per delivery (",
        o.sse_threads, " epoll threads); the console used ",
        static_cast<double>(p.console_cpu_ns) / 1e6 / static_cast<double>(events),
        " ms of CPU per event; the machine was ", static_cast<int>(p.busy * 100), "% busy (both CPUs) meanwhile");
    Record({"console", "event published -> SSE received p50, " + p.label, "ms", p.sse.p50, "direct Kafka hop p50",
            p.raw.p50, false, "", -1, note});
    Record({"console", "event published -> SSE received p99, " + p.label, "ms", p.sse.p99, "direct Kafka hop p99",
            p.raw.p99, false, "", -1, note});
    Record({"console", "event published -> SSE received max, " + p.label, "ms", p.sse.max, "direct Kafka hop max",
            p.raw.max, false, "", -1, note});
    if (p.missing_sse > 0 || p.missing_raw > 0)
      Fail(absl::StrCat(p.label, ": ", p.missing_sse, " SSE deliveries and ", p.missing_raw,
                        " raw receipts missing; see ", data, "/logs/console.log"));
  }
  reader->close();
  if (o.keep) {
    g_stop_command.clear();
    std::cerr << "the stack is still up: tools/stack.sh stop --data " << data << "\n";
  }
  return 0;  // main stops the stack once the Kafka clients here are gone
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"the web console on the local stack: the Now screen and live-event fan-out"};
  Options o;
  app.add_option("--data", o.data, "the stack's data directory (default: a temporary one)");
  app.add_flag("--keep", o.keep, "leave the stack running");
  app.add_option("--escalations", o.escalations, "active escalations behind the Now screen");
  app.add_option("--open-rate", o.open_rate, "cases opened per second (intake's per-person limit is 50/s)");
  app.add_option("--screens", o.screens, "Now screens timed each way");
  app.add_option("--clients", o.clients, "open live-event streams in the fan-out phase");
  app.add_option("--rate", o.rate, "events per second published");
  app.add_option("--seconds", o.seconds, "length of the fan-out phase");
  app.add_option("--single-seconds", o.single_seconds, "length of the one-stream phase");
  app.add_option("--sse-threads", o.sse_threads, "epoll threads reading the streams");
  app.add_option("--http-threads", o.http_threads, "the console's HTTP workers (CONSOLE_HTTP_THREADS)");
  CLI11_PARSE(app, argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  const int rc = Main(o);
  StopStack();
  g_temp.reset();
  return rc;
}
