// Flag, environment and YAML configuration tests.
#include "services/common/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "tests/support/process.h"

namespace recovery::common {
namespace {

absl::StatusOr<ServiceConfig> Parse(std::vector<std::string> args) {
  std::vector<const char*> argv{"svc"};
  bool has_auth = false;
  for (auto& a : args) has_auth = has_auth || a == "--auth-config";
  if (!has_auth && getenv("RECOVERY_AUTH_CONFIG") == nullptr) {
    args.push_back("--auth-config");
    args.push_back("/etc/recovery/access.yaml");
  }
  for (auto& a : args) argv.push_back(a.c_str());
  return ParseServiceConfig("intake", static_cast<int>(argv.size()), argv.data());
}

TEST(ConfigTest, AuthenticationIsRequiredAndTlsFlagsGoTogether) {
  std::vector<const char*> bare{"svc", "--db", "/tmp/x.db"};
  auto none = ParseServiceConfig("intake", static_cast<int>(bare.size()), bare.data());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(std::string(none.status().message()).find("--auth-config"), std::string::npos) << none.status();
  auto half = Parse({"--db", "/tmp/x.db", "--tls-cert", "/tmp/c.pem"});
  ASSERT_FALSE(half.ok());
  EXPECT_NE(std::string(half.status().message()).find("--tls-key"), std::string::npos) << half.status();
  auto mtls = Parse({"--db", "/tmp/x.db", "--tls-client-ca", "/tmp/ca.pem"});
  EXPECT_FALSE(mtls.ok());
  auto kafka = Parse({"--db", "/tmp/x.db", "--kafka-option", "security.protocol=SSL", "--kafka-option",
                      "ssl.ca.location=/tmp/ca.pem"});
  ASSERT_TRUE(kafka.ok()) << kafka.status();
  EXPECT_EQ(kafka->kafka_options.size(), 2u);
  EXPECT_FALSE(Parse({"--db", "/tmp/x.db", "--kafka-option", "nonsense"}).ok());
}

TEST(ConfigTest, AServiceFlagIsParsedForItsServiceOnlyFromFlagOrEnvironment) {
  std::string calendar = "default";
  const std::vector<ServiceFlag> flags = {{"--calendar-listen", "RECOVERY_CALENDAR_LISTEN", "help", &calendar}};
  std::vector<const char*> argv{"svc",        "--db", "/tmp/x.db", "--auth-config", "/tmp/a.yaml", "--calendar-listen",
                                "127.0.0.1:0"};
  auto cfg = ParseServiceConfig("escalation", static_cast<int>(argv.size()), argv.data(), flags);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(calendar, "127.0.0.1:0");

  std::string from_env = "";
  setenv("RECOVERY_CALENDAR_LISTEN", "0.0.0.0:8443", 1);
  std::vector<const char*> bare{"svc", "--db", "/tmp/x.db", "--auth-config", "/tmp/a.yaml"};
  cfg = ParseServiceConfig("escalation", static_cast<int>(bare.size()), bare.data(),
                           {{"--calendar-listen", "RECOVERY_CALENDAR_LISTEN", "help", &from_env}});
  unsetenv("RECOVERY_CALENDAR_LISTEN");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(from_env, "0.0.0.0:8443");

  // Another service has no such flag.
  auto other = ParseServiceConfig("intake", static_cast<int>(argv.size()), argv.data());
  ASSERT_FALSE(other.ok());
  EXPECT_NE(std::string(other.status().message()).find("--calendar-listen"), std::string::npos) << other.status();
}

TEST(ConfigTest, ParsesCommonFlags) {
  auto cfg = Parse({"--listen", "127.0.0.1:7001", "--db", "/tmp/x.db", "--kafka-brokers", "127.0.0.1:9092", "--topic",
                    "t1", "--log-level", "debug"});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->listen, "127.0.0.1:7001");
  EXPECT_EQ(cfg->db, "/tmp/x.db");
  EXPECT_EQ(cfg->kafka_brokers, "127.0.0.1:9092");
  EXPECT_EQ(cfg->topic, "t1");
  EXPECT_EQ(cfg->log_level, "debug");
  EXPECT_EQ(cfg->group_id, "recovery-intake");
}

TEST(ConfigTest, EnvironmentVariablesHaveTheFlagNames) {
  setenv("RECOVERY_DB", "/tmp/env.db", 1);
  setenv("RECOVERY_TOPIC", "env-topic", 1);
  auto cfg = Parse({});
  unsetenv("RECOVERY_DB");
  unsetenv("RECOVERY_TOPIC");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->db, "/tmp/env.db");
  EXPECT_EQ(cfg->topic, "env-topic");
}

TEST(ConfigTest, FlagsWinOverEnvironment) {
  setenv("RECOVERY_DB", "/tmp/env.db", 1);
  auto cfg = Parse({"--db", "/tmp/flag.db"});
  unsetenv("RECOVERY_DB");
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->db, "/tmp/flag.db");
}

TEST(ConfigTest, MissingDbNamesTheFlag) {
  auto cfg = Parse({"--listen", "127.0.0.1:0"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("--db"), std::string::npos) << cfg.status();
}

TEST(ConfigTest, BadLogLevelNamesTheFlag) {
  auto cfg = Parse({"--db", "x", "--log-level", "loud"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("--log-level"), std::string::npos) << cfg.status();
}

TEST(ConfigTest, BadListenAddressNamesTheFlag) {
  auto cfg = Parse({"--db", "x", "--listen", "nonsense"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("--listen"), std::string::npos);
}

TEST(ConfigTest, UnknownFlagIsAnError) {
  auto cfg = Parse({"--db", "x", "--frobnicate", "1"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("frobnicate"), std::string::npos) << cfg.status();
}

TEST(ConfigTest, BadManualClockNamesTheFlag) {
  auto cfg = Parse({"--db", "x", "--manual-clock", "yesterday"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("--manual-clock"), std::string::npos);
}

TEST(ConfigTest, YamlSyntaxErrorNamesFileAndLine) {
  testing::TempDir dir;
  const std::string path = dir.File("bad.yaml");
  std::ofstream(path) << "teams:\n  - id: a\n    name: [unclosed\n";
  auto node = LoadYamlFile(path);
  ASSERT_FALSE(node.ok());
  EXPECT_NE(node.status().message().find("bad.yaml:"), std::string::npos) << node.status();
}

TEST(ConfigTest, MissingYamlFileIsNotFound) {
  auto node = LoadYamlFile("/nonexistent/recovery.yaml");
  EXPECT_EQ(node.status().code(), absl::StatusCode::kNotFound);
}

TEST(ConfigTest, DurationFieldsNameTheirPath) {
  YAML::Node n = YAML::Load("{ack_timeout: 5m, bad: soon, neg: -3s, days: 2d}");
  EXPECT_EQ(*ParseDurationField(n["ack_timeout"], "policies[0].ack_timeout"), absl::Minutes(5));
  EXPECT_EQ(*ParseDurationField(n["days"], "x"), absl::Hours(48));
  auto bad = ParseDurationField(n["bad"], "policies[0].tiers[1].ack_timeout");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("policies[0].tiers[1].ack_timeout"), std::string::npos);
  EXPECT_FALSE(ParseDurationField(n["neg"], "neg").ok());
  EXPECT_FALSE(ParseDurationField(n["missing"], "missing").ok());
}

}  // namespace
}  // namespace recovery::common
