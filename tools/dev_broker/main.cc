// recovery-dev-broker: a development Kafka broker built on librdkafka's mock
// cluster (rdkafka_mock.h). Real clients (kcat, the services, tests) reach it
// over TCP on loopback. In memory only; see README.md for its limits.

#include <librdkafka/rdkafka.h>  // must come before rdkafka_mock.h
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

struct Options {
  int brokers = 1;
  int partitions = 4;
  std::vector<std::string> topics{"recovery.case-events"};
  std::string bootstrap_file;
  std::string debug;
};

// librdkafka log lines go to stderr as usual, except the hosting handle's
// warning that it has no bootstrap.servers: it never connects anywhere.
void LogCallback(const rd_kafka_t* /*rk*/, int level, const char* fac, const char* buf) {
  if (std::strcmp(fac, "CONFWARN") == 0 && std::strstr(buf, "bootstrap.servers") != nullptr) {
    return;
  }
  std::fprintf(stderr, "recovery-dev-broker: rdkafka %d %s: %s\n", level, fac, buf);
}

// Writes `content` to PATH.tmp, fsyncs it and renames it over PATH, so a reader
// sees either no file or the whole address, never a partial line.
bool WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) {
    std::cerr << "recovery-dev-broker: cannot open " << tmp << ": " << std::strerror(errno) << "\n";
    return false;
  }
  const bool wrote = std::fwrite(content.data(), 1, content.size(), f) == content.size() && std::fflush(f) == 0 &&
                     ::fsync(::fileno(f)) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed) {
    std::cerr << "recovery-dev-broker: cannot write " << tmp << ": " << std::strerror(errno) << "\n";
    std::remove(tmp.c_str());
    return false;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::cerr << "recovery-dev-broker: cannot rename " << tmp << " to " << path << ": " << std::strerror(errno) << "\n";
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

int Run(const Options& opts) {
  // Block the shutdown signals before librdkafka starts any thread, so every
  // thread inherits the mask and only sigwait() below receives them.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  if (int err = pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr); err != 0) {
    std::cerr << "recovery-dev-broker: pthread_sigmask: " << std::strerror(err) << "\n";
    return 1;
  }

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (!opts.debug.empty() &&
      rd_kafka_conf_set(conf, "debug", opts.debug.c_str(), errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    std::cerr << "recovery-dev-broker: --debug: " << errstr << "\n";
    rd_kafka_conf_destroy(conf);
    return 2;
  }
  rd_kafka_conf_set_log_cb(conf, LogCallback);
  // The handle only hosts the mock cluster (its threads, timers and logging);
  // it never produces anything itself.
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    std::cerr << "recovery-dev-broker: rd_kafka_new: " << errstr << "\n";
    rd_kafka_conf_destroy(conf);
    return 1;
  }

  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, opts.brokers);
  if (cluster == nullptr) {
    std::cerr << "recovery-dev-broker: rd_kafka_mock_cluster_new failed\n";
    rd_kafka_destroy(rk);
    return 1;
  }

  int rc = 0;
  const int replication_factor = 1;
  for (const std::string& topic : opts.topics) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, topic.c_str(), opts.partitions, replication_factor);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cerr << "recovery-dev-broker: cannot create topic " << topic << ": " << rd_kafka_err2str(err) << "\n";
      rc = 1;
      break;
    }
  }

  // The stdout line is flushed before the file appears, so whoever sees the
  // file can also rely on the line being there.
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  bool wrote_file = false;
  if (rc == 0) {
    std::cout << "bootstrap=" << bootstrap << std::endl;  // endl flushes
    if (!opts.bootstrap_file.empty()) {
      if (WriteFileAtomically(opts.bootstrap_file, bootstrap + "\n")) {
        wrote_file = true;
      } else {
        rc = 1;
      }
    }
  }

  if (rc == 0) {
    std::cerr << "recovery-dev-broker: " << opts.brokers << " broker(s), topic(s)";
    for (const std::string& topic : opts.topics) std::cerr << " " << topic;
    std::cerr << " with " << opts.partitions << " partition(s); SIGTERM or SIGINT stops\n";

    int sig = 0;
    while (true) {
      int err = sigwait(&shutdown_signals, &sig);
      if (err == 0) break;
      if (err != EINTR) {
        std::cerr << "recovery-dev-broker: sigwait: " << std::strerror(err) << "\n";
        rc = 1;
        break;
      }
    }
    if (rc == 0) {
      std::cerr << "recovery-dev-broker: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", shutting down\n";
    }
  }

  // A stale address must not outlive the broker.
  if (wrote_file) std::remove(opts.bootstrap_file.c_str());

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  CLI::App app{
      "Development Kafka broker on librdkafka's in-memory mock cluster. Prints "
      "'bootstrap=HOST:PORT[,HOST:PORT...]' on stdout once ready and runs until SIGTERM/SIGINT."};
  app.add_option("--brokers", opts.brokers, "Number of mock brokers")->check(CLI::Range(1, 16))->capture_default_str();
  app.add_option("--topic", opts.topics, "Topic to create at start (repeatable); default recovery.case-events")
      ->take_all();
  app.add_option("--partitions", opts.partitions, "Partitions per created topic")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--bootstrap-file", opts.bootstrap_file,
                 "Also write the bare bootstrap address to this file (atomically, via "
                 "PATH.tmp + rename); removed again on clean shutdown");
  app.add_option("--debug", opts.debug, "librdkafka debug contexts for the hosting handle, e.g. 'mock' or 'all'");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; every flag error exits 2.
    return app.exit(e) == 0 ? 0 : 2;
  }

  for (const std::string& topic : opts.topics) {
    if (topic.empty()) {
      std::cerr << "recovery-dev-broker: --topic must not be empty\n";
      return 2;
    }
  }
  return Run(opts);
}
