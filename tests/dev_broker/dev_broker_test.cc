// Integration tests for tools/dev_broker: start the real recovery-dev-broker
// binary as a child process and talk to it with real clients over TCP.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr char kBrokerBinary[] = RECOVERY_BINARY_DIR "/tools/dev_broker/recovery-dev-broker";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// A running recovery-dev-broker child process with its own temp dir.
class BrokerProcess {
 public:
  explicit BrokerProcess(std::vector<std::string> extra_args) {
    char tmpl[] = "/tmp/dev_broker_test.XXXXXX";
    char* dir = ::mkdtemp(tmpl);
    if (dir == nullptr) {
      ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
      return;
    }
    dir_ = dir;
    bootstrap_file_ = dir_ + "/bootstrap";
    stdout_file_ = dir_ + "/stdout";

    std::vector<std::string> args{kBrokerBinary, "--bootstrap-file", bootstrap_file_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ == 0) {
      // Child: only async-signal-safe calls until exec.
      int fd = ::open(stdout_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::close(fd);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (pid_ < 0) ADD_FAILURE() << "fork: " << std::strerror(errno);
  }

  ~BrokerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) {
      std::remove((dir_ + "/bootstrap").c_str());
      std::remove((dir_ + "/bootstrap.tmp").c_str());
      std::remove(stdout_file_.c_str());
      ::rmdir(dir_.c_str());
    }
  }

  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  // Polls for the bootstrap file; returns its content or "" on timeout or if
  // the child died first.
  std::string WaitForBootstrap(std::chrono::milliseconds timeout = 30s) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (FileExists(bootstrap_file_)) return Trim(ReadFile(bootstrap_file_));
      int status = 0;
      if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
        ADD_FAILURE() << "broker exited early, status " << status;
        pid_ = -1;
        return "";
      }
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "no bootstrap file within " << timeout.count() << " ms";
    return "";
  }

  // Sends SIGTERM and waits (bounded) for the exit; returns the wait status or -1.
  int TerminateAndWait(std::chrono::milliseconds timeout = 30s) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }

  const std::string& bootstrap_file() const { return bootstrap_file_; }
  std::string Stdout() const { return ReadFile(stdout_file_); }

 private:
  pid_t pid_ = -1;
  std::string dir_;
  std::string bootstrap_file_;
  std::string stdout_file_;
};

std::unique_ptr<RdKafka::Conf> MakeConf(const std::map<std::string, std::string>& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : props) {
    EXPECT_EQ(conf->set(k, v, err), RdKafka::Conf::CONF_OK) << k << ": " << err;
  }
  return conf;
}

class DeliveryCounter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ++ok;
    } else {
      ++failed;
      last_error = message.errstr();
    }
  }
  int ok = 0;
  int failed = 0;
  std::string last_error;
};

std::string Uuidish() {
  return std::to_string(::getpid()) + "-" + std::to_string(Clock::now().time_since_epoch().count());
}

TEST(DevBrokerTest, PrintsBootstrapAndStopsCleanlyOnSigterm) {
  BrokerProcess broker({});
  const std::string addr = broker.WaitForBootstrap();
  ASSERT_FALSE(addr.empty());
  EXPECT_EQ(addr.rfind("127.0.0.1:", 0), 0u) << addr;

  // The stdout line is written (and flushed) before the file appears.
  EXPECT_EQ(broker.Stdout(), "bootstrap=" + addr + "\n");

  const int status = broker.TerminateAndWait();
  ASSERT_NE(status, -1) << "broker did not exit after SIGTERM";
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(FileExists(broker.bootstrap_file())) << "stale bootstrap file left behind";
}

TEST(DevBrokerTest, IdempotentProducerAndGroupConsumerRoundTrip) {
  const std::string topic = "recovery.case-events";
  BrokerProcess broker({"--topic", topic, "--partitions", "4"});
  const std::string addr = broker.WaitForBootstrap();
  ASSERT_FALSE(addr.empty());

  constexpr int kKeys = 12;
  constexpr int kPerKey = 25;
  constexpr int kTotal = kKeys * kPerKey;

  // Produce: keyed, idempotent, acks=all.
  {
    DeliveryCounter dr;
    auto conf =
        MakeConf({{"bootstrap.servers", addr}, {"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "5"}});
    std::string err;
    ASSERT_EQ(conf->set("dr_cb", &dr, err), RdKafka::Conf::CONF_OK) << err;
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
    ASSERT_NE(producer, nullptr) << err;
    for (int seq = 0; seq < kPerKey; ++seq) {
      for (int k = 0; k < kKeys; ++k) {
        const std::string key = "case-" + std::to_string(k);
        const std::string value = key + ":" + std::to_string(seq);
        RdKafka::ErrorCode rc =
            producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                              const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0, nullptr);
        ASSERT_EQ(rc, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(rc);
        producer->poll(0);
      }
    }
    ASSERT_EQ(producer->flush(30000), RdKafka::ERR_NO_ERROR);
    EXPECT_EQ(dr.ok, kTotal);
    EXPECT_EQ(dr.failed, 0) << dr.last_error;
  }

  // Consume in a group.
  auto conf = MakeConf({{"bootstrap.servers", addr},
                        {"group.id", "dev-broker-test-" + Uuidish()},
                        {"auto.offset.reset", "earliest"},
                        {"enable.partition.eof", "false"},
                        {"fetch.wait.max.ms", "10"}});
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  ASSERT_NE(consumer, nullptr) << err;
  ASSERT_EQ(consumer->subscribe({topic}), RdKafka::ERR_NO_ERROR);

  std::map<std::string, std::vector<int>> seen;  // key -> sequence numbers in arrival order
  std::set<int32_t> partitions;
  int received = 0;
  const auto deadline = Clock::now() + 60s;
  while (received < kTotal && Clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> msg(consumer->consume(100));
    if (msg->err() == RdKafka::ERR__TIMED_OUT) continue;
    ASSERT_EQ(msg->err(), RdKafka::ERR_NO_ERROR) << msg->errstr();
    ASSERT_NE(msg->key(), nullptr);
    const std::string key = *msg->key();
    const std::string value(static_cast<const char*>(msg->payload()), msg->len());
    const auto colon = value.find(':');
    ASSERT_NE(colon, std::string::npos) << value;
    ASSERT_EQ(value.substr(0, colon), key);
    seen[key].push_back(std::stoi(value.substr(colon + 1)));
    partitions.insert(msg->partition());
    ++received;
  }
  consumer->close();

  ASSERT_EQ(received, kTotal) << "timed out waiting for messages";
  ASSERT_EQ(seen.size(), static_cast<size_t>(kKeys));
  for (const auto& [key, seqs] : seen) {
    std::vector<int> expected(kPerKey);
    for (int i = 0; i < kPerKey; ++i) expected[i] = i;
    EXPECT_EQ(seqs, expected) << "key " << key << " out of order, duplicated or incomplete";
  }
  EXPECT_GT(partitions.size(), 1u) << "keys should spread over partitions";

  const int status = broker.TerminateAndWait();
  ASSERT_NE(status, -1) << "broker did not exit after SIGTERM";
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

TEST(DevBrokerTest, KcatListsTopicsWithPartitions) {
  if (!OnPath("kcat")) GTEST_SKIP() << "kcat not on PATH";
  BrokerProcess broker({"--topic", "recovery.case-events", "--topic", "recovery.other", "--partitions", "6"});
  const std::string addr = broker.WaitForBootstrap();
  ASSERT_FALSE(addr.empty());

  const std::string cmd = "kcat -L -m 10 -b '" + addr + "' 2>&1";
  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int rc = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << out;

  EXPECT_NE(out.find("topic \"recovery.case-events\" with 6 partitions"), std::string::npos) << out;
  EXPECT_NE(out.find("topic \"recovery.other\" with 6 partitions"), std::string::npos) << out;
  EXPECT_NE(out.find("broker 1 at " + addr), std::string::npos) << out;

  const int status = broker.TerminateAndWait();
  ASSERT_NE(status, -1);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
