// recovery-bench-loadgen: a generic async gRPC load generator (CompletionQueue, GenericStub,
// pre-serialized request bytes) and the no-op generic server it is compared against.
//
//   recovery-bench-loadgen serve-noop --port-file F
//   recovery-bench-loadgen run --target 127.0.0.1:P[,127.0.0.1:Q...] --method /recovery.v1.Intake/OpenCase
//                              [--concurrency 16] [--seconds 5] [--warmup 1] [--out F]
//
// `run` keeps exactly --concurrency calls in flight (one channel per target; with several
// targets, call slot i always goes to target i mod n, so each gets an equal share) and writes
// {"requests","errors","seconds","throughput","p50_us","p99_us","max_us","request_bytes"}.
// The requests are distinct OpenCaseRequests (unique request_id, client id varied so dedup
// never links), built and serialized before the clock starts, so the same bytes hit any server.
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_split.h"
#include "recovery/v1/intake.pb.h"
#include "tools/bench/bench_util.h"

namespace {

using recovery::bench::NowNanos;

class NoopReactor : public grpc::ServerGenericBidiReactor {
 public:
  NoopReactor() {
    static const grpc::Slice kEmpty("", 0);
    response_ = grpc::ByteBuffer(&kEmpty, 1);
    StartRead(&request_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  }
  void OnDone() override { delete this; }

 private:
  grpc::ByteBuffer request_, response_;
};

class NoopService : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    return new NoopReactor();
  }
};

int ServeNoop(const std::string& port_file) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  NoopService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterCallbackGenericService(&service);
  auto server = builder.BuildAndStart();
  if (!server) return 1;
  {
    std::ofstream f(port_file + ".tmp");
    f << port << "\n";
  }
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  int sig = 0;
  sigwait(&set, &sig);
  server->Shutdown();
  return 0;
}

std::vector<grpc::ByteBuffer> BuildOpenCaseRequests(size_t n, size_t* size) {
  std::mt19937_64 rng(std::random_device{}());
  const std::string run = std::to_string(rng() % 1000000000);
  std::vector<grpc::ByteBuffer> out;
  out.reserve(n);
  recovery::v1::OpenCaseRequest r;
  r.set_channel(recovery::v1::CHANNEL_PHONE);
  r.set_category("missed_deadline");
  r.set_severity(recovery::v1::SEVERITY_P2);
  r.set_summary("Quarterly report delivered two days late; client could not present to board");
  r.mutable_contact()->set_name("Jane Client");
  r.mutable_contact()->set_email("jane@client.example");
  for (size_t i = 0; i < n; ++i) {
    // Fixed-width ids keep every request the same size.
    char id[64];
    std::snprintf(id, sizeof(id), "bench-%09zu-%s", i, run.c_str());
    r.set_request_id(id);
    r.mutable_client()->set_id(std::string("client-") + id);
    r.mutable_client()->set_name("Client " + std::to_string(i % 1000));
    std::string bytes;
    r.SerializeToString(&bytes);
    *size = bytes.size();
    grpc::Slice slice(bytes);
    out.emplace_back(&slice, 1);
  }
  return out;
}

struct Call {
  grpc::ClientContext ctx;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  int64_t start_ns = 0;
};

int Run(const std::string& targets, const std::string& method, int concurrency, double seconds, double warmup,
        size_t pool, const std::string& out_path, const std::string& token, const std::string& tls_ca) {
  size_t request_bytes = 0;
  auto requests = BuildOpenCaseRequests(pool, &request_bytes);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  const std::vector<std::string> addresses = absl::StrSplit(targets, ',', absl::SkipEmpty());
  for (const std::string& target : addresses) {
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    if (!tls_ca.empty()) {
      std::ifstream in(tls_ca);
      std::stringstream pem;
      pem << in.rdbuf();
      grpc::SslCredentialsOptions tls;
      tls.pem_root_certs = pem.str();
      creds = grpc::SslCredentials(tls);
    }
    auto channel = grpc::CreateCustomChannel(target, creds, args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::cerr << "loadgen: cannot connect to " << target << "\n";
      return 1;
    }
    stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
  }
  if (stubs.empty()) {
    std::cerr << "loadgen: --target: no address\n";
    return 1;
  }
  grpc::CompletionQueue cq;
  size_t next = 0;
  std::vector<Call> calls(static_cast<size_t>(concurrency));
  auto start_call = [&](Call* c) {
    c->~Call();
    new (c) Call();
    c->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token.empty()) c->ctx.AddMetadata("authorization", "Bearer " + token);
    c->start_ns = NowNanos();
    grpc::GenericStub& stub = *stubs[static_cast<size_t>(c - calls.data()) % stubs.size()];
    c->reader = stub.PrepareUnaryCall(&c->ctx, method, requests[next++ % requests.size()], &cq);
    c->reader->StartCall();
    c->reader->Finish(&c->response, &c->status, c);
  };
  const int64_t t0 = NowNanos();
  const int64_t measure_from = t0 + static_cast<int64_t>(warmup * 1e9);
  const int64_t measure_to = measure_from + static_cast<int64_t>(seconds * 1e9);
  for (auto& c : calls) start_call(&c);
  std::vector<double> latencies_us;
  latencies_us.reserve(1 << 20);
  int64_t errors = 0, measured = 0;
  int in_flight = concurrency;
  std::string first_error;
  while (in_flight > 0) {
    void* tag;
    bool ok;
    if (!cq.Next(&tag, &ok)) break;
    auto* c = static_cast<Call*>(tag);
    const int64_t now = NowNanos();
    if (c->start_ns >= measure_from && now <= measure_to) {
      ++measured;
      if (!ok || !c->status.ok()) {
        ++errors;
        if (first_error.empty()) first_error = c->status.error_message();
      }
      latencies_us.push_back(static_cast<double>(now - c->start_ns) / 1e3);
    }
    if (now < measure_to) {
      start_call(c);
    } else {
      --in_flight;
    }
  }
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  const double p50 = recovery::bench::Percentile(latencies_us, 50);
  const double p99 = recovery::bench::Percentile(latencies_us, 99);
  const double mx = latencies_us.empty() ? 0 : latencies_us.back();
  std::ostringstream o;
  o << "{\"requests\":" << measured << ",\"errors\":" << errors << ",\"seconds\":" << seconds
    << ",\"throughput\":" << static_cast<double>(measured - errors) / seconds << ",\"p50_us\":" << p50
    << ",\"p99_us\":" << p99 << ",\"max_us\":" << mx << ",\"request_bytes\":" << request_bytes
    << ",\"concurrency\":" << concurrency << ",\"targets\":" << stubs.size() << ",\"first_error\":\""
    << recovery::bench::JsonEscape(first_error) << "\"}";
  if (out_path.empty()) {
    std::cout << o.str() << std::endl;
  } else {
    std::ofstream(out_path) << o.str() << "\n";
  }
  std::cerr << "loadgen " << targets << ": " << o.str() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"generic async gRPC load generator"};
  app.require_subcommand(1);
  std::string port_file, target, method = "/recovery.v1.Intake/OpenCase", out, token, tls_ca;
  int concurrency = 16;
  double seconds = 5, warmup = 1;
  size_t pool = 200000;
  auto* serve = app.add_subcommand("serve-noop", "serve every method with an empty response");
  serve->add_option("--port-file", port_file)->required();
  auto* run = app.add_subcommand("run", "keep --concurrency unary calls in flight");
  run->add_option("--target", target, "host:port, or several separated by commas")->required();
  run->add_option("--method", method);
  run->add_option("--concurrency", concurrency);
  run->add_option("--seconds", seconds);
  run->add_option("--warmup", warmup);
  run->add_option("--pool", pool, "distinct requests built up front (reused round-robin)");
  run->add_option("--out", out);
  run->add_option("--token", token, "bearer token sent on every call");
  run->add_option("--tls-ca", tls_ca, "TLS with this CA bundle (PEM)");
  CLI11_PARSE(app, argc, argv);
  if (*serve) return ServeNoop(port_file);
  return Run(target, method, concurrency, seconds, warmup, pool, out, token, tls_ca);
}
