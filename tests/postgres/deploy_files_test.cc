// Static checks of deploy/ (no Docker engine or Kubernetes cluster here): every YAML file
// parses, the compose file runs all five services and the console on PostgreSQL with Kafka and
// a topic job, and every Kubernetes workload has 2 replicas, gRPC probes and resource requests;
// the console's replicas each have their own consumer group (each must see every event).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace {

using recovery::testing::SourcePath;

const std::vector<std::string> kServices{"intake", "escalation", "action_plan", "follow_up", "audit", "console"};

TEST(DeployFilesTest, ComposeRunsEveryServiceOnItsOwnPostgresDatabase) {
  const YAML::Node compose = YAML::LoadFile(SourcePath("deploy/docker-compose.yml"));
  const YAML::Node services = compose["services"];
  ASSERT_TRUE(services.IsMap());
  for (const char* infra : {"kafka", "kafka-topics", "postgres"}) EXPECT_TRUE(services[infra]) << infra;
  EXPECT_EQ(services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"].as<std::string>(), "broker,controller");
  EXPECT_NE(services["kafka-topics"]["command"][0].as<std::string>().find("--partitions 12"), std::string::npos);
  for (const auto& s : kServices) {
    std::string host = s;  // compose service names are host names: no underscores
    std::replace(host.begin(), host.end(), '_', '-');
    const YAML::Node svc = services[host];
    ASSERT_TRUE(svc) << s;
    EXPECT_EQ(svc["command"][0].as<std::string>(), s);
    const std::string db = svc["environment"]["RECOVERY_DB"].as<std::string>();
    EXPECT_EQ(db.rfind("postgresql://", 0), 0u) << db;
    EXPECT_NE(db.find("/" + s), std::string::npos) << "own database: " << db;
  }
}

TEST(DeployFilesTest, KubernetesWorkloadsHaveTwoReplicasGrpcProbesAndRequests) {
  int deployments = 0, stateful_sets = 0, services = 0, config_maps = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("deploy/k8s"))) {
    if (entry.path().extension() != ".yaml") continue;
    for (const YAML::Node& doc : YAML::LoadAllFromFile(entry.path().string())) {
      if (!doc || !doc["kind"]) continue;
      const std::string kind = doc["kind"].as<std::string>();
      if (kind == "Service") ++services;
      if (kind == "ConfigMap") ++config_maps;
      if (kind != "Deployment" && kind != "StatefulSet") continue;
      ++(kind == "Deployment" ? deployments : stateful_sets);
      const std::string name = doc["metadata"]["name"].as<std::string>();
      EXPECT_EQ(doc["spec"]["replicas"].as<int>(), 2) << name;
      const YAML::Node c = doc["spec"]["template"]["spec"]["containers"][0];
      for (const char* probe : {"readinessProbe", "livenessProbe"})
        EXPECT_EQ(c[probe]["grpc"]["port"].as<int>(), 50051) << name << " " << probe;
      EXPECT_TRUE(c["resources"]["requests"]["cpu"]) << name;
      EXPECT_TRUE(c["resources"]["requests"]["memory"]) << name;
      EXPECT_EQ(doc["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"].as<std::string>(),
                doc["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"].as<std::string>());
      if (kind != "StatefulSet") continue;
      // The console: the group id is the pod's stable name, POD_NAME defined before it.
      EXPECT_EQ(name, "recovery-console");
      std::vector<std::string> env;
      for (const YAML::Node& e : c["env"]) {
        env.push_back(e["name"].as<std::string>());
        if (env.back() == "RECOVERY_GROUP_ID") {
          EXPECT_EQ(e["value"].as<std::string>(), "$(POD_NAME)");
        }
        if (env.back() == "POD_NAME") {
          EXPECT_EQ(e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>(), "metadata.name");
        }
      }
      const auto pod = std::find(env.begin(), env.end(), "POD_NAME");
      const auto group = std::find(env.begin(), env.end(), "RECOVERY_GROUP_ID");
      EXPECT_TRUE(pod < group && group != env.end()) << "POD_NAME must come before RECOVERY_GROUP_ID";
    }
  }
  EXPECT_EQ(deployments, 5);
  EXPECT_EQ(stateful_sets, 1);  // the console
  EXPECT_EQ(services, 6);
  EXPECT_EQ(config_maps, 7);  // one per service and the console + recovery-common
}

TEST(DeployFilesTest, DockerfileShipsTheFiveServicesSrctlAndConfig) {
  std::ifstream in(SourcePath("deploy/Dockerfile"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* needle : {"FROM debian:bookworm AS build", "tools/bootstrap.sh", "FROM debian:bookworm-slim",
                             "recovery-intake", "recovery-escalation", "recovery-action-plan", "recovery-follow-up",
                             "recovery-audit", "recovery-console", "console_web", "srctl", "COPY deploy/config/"})
    EXPECT_NE(text.find(needle), std::string::npos) << needle;
}

}  // namespace
