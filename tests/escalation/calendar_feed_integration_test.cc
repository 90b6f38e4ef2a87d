// The iCal feed of the real recovery-escalation binary (--calendar-listen on port 0, a manual
// clock): fetched over HTTP with libcurl and read by an independent parser (Python's
// icalendar, tests/escalation/parse_ical.py), its events are exactly the shifts ListShifts
// answers over the feed's window, overrides included, with names escaped and unescaped
// faithfully; a revoked or unknown token, or any other path, gets 404 with an empty body;
// started with --tls-cert/--tls-key the same feed is served over HTTPS.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/common/proto_time.h"
#include "services/escalation/app.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::TempDir;
using Service = recovery::testing::ServiceUnderTest<v1::Escalation>;

// oncall hands over daily at 09:00 UTC between alice and bob; nights is bob's, then sam's, weekly.
// alice's name needs every escape RFC 5545 TEXT has.
constexpr char kYaml[] = R"(
people:
  - {id: alice, name: "Alice Smith, MD; lead \\ on call", time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: log, target: bob}]}
  - {id: sam, name: Sam, time_zone: UTC, contact_methods: [{channel: log, target: sam}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: Platform on call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice, bob], rotation: 1d, start_date: 2026-01-05, handoff_time: "09:00"}
  - id: nights
    name: Nights
    time_zone: UTC
    layers:
      - {name: primary, participants: [bob, sam], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}]}
teams:
  - {id: ops, name: Ops, members: [alice, bob, sam], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: all, team: ops}
)";

struct HttpAnswer {
  long status = 0;
  std::string body;
  std::string content_type;
  std::string error;  // curl's, when the request failed
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

HttpAnswer Get(const std::string& url, const std::string& ca_file = "") {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    answer.error = curl_easy_strerror(rc);
  } else {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) answer.content_type = type;
  }
  curl_easy_cleanup(curl);
  return answer;
}

// Debian's interpreter, where python3-icalendar installs: a development machine may put another
// python3 (pyenv, a venv) first on PATH that lacks it.
std::string Python() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

// (start, end, summary) of each event as parse_ical.py reads the feed.
struct Parsed {
  bool ok = false;
  std::string output;  // stdout and stderr, for messages
  std::vector<std::tuple<std::string, std::string, std::string>> events;
  std::vector<std::string> uids;
};

Parsed ParseWithIcalendar(const TempDir& dir, const std::string& ics) {
  const std::string file = dir.File("feed.ics");
  std::ofstream(file, std::ios::binary) << ics;
  int status = -1;
  Parsed p;
  p.output = recovery::testing::RunCommand(
      absl::StrCat(Python(), " ", recovery::testing::SourcePath("tests/escalation/parse_ical.py"), " ", file, " 2>&1"),
      &status);
  p.ok = status == 0;
  if (!p.ok) return p;
  for (absl::string_view line : absl::StrSplit(p.output, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() != 4) {
      p.ok = false;
      return p;
    }
    p.uids.push_back(f[0]);
    p.events.emplace_back(f[1], f[2], f[3]);
  }
  return p;
}

class CalendarFeedIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  void SetUp() override {
    int status = -1;
    recovery::testing::RunCommand(Python() + " -c 'import icalendar' 2>&1", &status);
    ASSERT_EQ(status, 0) << "python3-icalendar is needed (tools/bootstrap.sh installs it)";
    std::ofstream(dir_.File("escalation.yaml")) << kYaml;
  }

  std::unique_ptr<Service> Start(const std::vector<std::string>& more = {}) {
    std::vector<std::string> extra = {"--calendar-listen", "127.0.0.1:0", "--calendar-port-file",
                                      dir_.File("calendar.port")};
    extra.insert(extra.end(), more.begin(), more.end());
    std::filesystem::remove(dir_.File("calendar.port"));
    auto svc =
        std::make_unique<Service>("services/escalation/recovery-escalation", dir_, "escalation",
                                  recovery::testing::ServiceFlags{.db = dir_.File("escalation.db"),
                                                                  .config = dir_.File("escalation.yaml"),
                                                                  .manual_clock = recovery::testing::kManualClockStart,
                                                                  .extra = extra});
    calendar_port_ = recovery::testing::WaitForFile(dir_.File("calendar.port"), absl::Seconds(30));
    EXPECT_FALSE(calendar_port_.empty()) << "no calendar port; see " << svc->log_path();
    return svc;
  }
  std::string Url(const std::string& path, const std::string& scheme = "http") const {
    return absl::StrCat(scheme, "://127.0.0.1:", calendar_port_, path);
  }
  std::string CreateFeed(Service& svc, const std::string& as, const std::string& person, const std::string& schedule) {
    v1::CreateCalendarFeedRequest r;
    r.set_request_id(absl::StrCat("feed-", person, schedule));
    r.set_person_id(person);
    r.set_schedule_id(schedule);
    v1::CalendarFeedInfo out;
    auto stub = v1::Escalation::NewStub(recovery::testing::TestIdentity::Shared().ChannelAs(svc.address(), as));
    auto ctx = common::ContextWithDeadline();
    const grpc::Status st = stub->CreateCalendarFeed(ctx.get(), r, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    feed_ids_[out.url_path()] = out.feed_id();
    return out.url_path();
  }
  // (start, end, summary) of the shifts ListShifts answers over the feed's window that end
  // after now; `person` "" for everyone. `summary` words each as a feed would.
  std::vector<std::tuple<std::string, std::string, std::string>> Listed(
      Service& svc, const std::string& schedule, const std::string& person,
      const std::function<std::string(const v1::ShiftInfo&)>& summary) {
    const absl::Time now = recovery::testing::ManualClockStart();
    v1::ListShiftsRequest r;
    r.set_schedule_id(schedule);
    *r.mutable_from() = common::ToProto(now - EscalationApp::kFeedLookback);
    *r.mutable_to() = common::ToProto(now + EscalationApp::kFeedHorizon);
    v1::ListShiftsResponse out;
    auto ctx = common::ContextWithDeadline();
    const grpc::Status st = svc.api().ListShifts(ctx.get(), r, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<std::tuple<std::string, std::string, std::string>> shifts;
    for (const auto& s : out.shifts()) {
      if (common::FromProto(s.end()) <= now) continue;
      if (!person.empty() && s.person_id() != person) continue;
      shifts.emplace_back(Rfc3339(common::FromProto(s.start())), Rfc3339(common::FromProto(s.end())), summary(s));
    }
    return shifts;
  }

  TempDir dir_;
  std::string calendar_port_;
  std::map<std::string, std::string> feed_ids_;  // url_path -> feed_id
};

TEST_F(CalendarFeedIntegrationTest, TheFeedParsesIndependentlyAndItsEventsAreTheShiftsListShiftsAnswers) {
  auto svc = Start();
  ASSERT_TRUE(svc->started());
  // An override, so the feed shows one: sam takes oncall for four hours tomorrow.
  v1::AddOverrideRequest add;
  add.set_request_id("o-1");
  add.set_schedule_id("oncall");
  add.set_person_id("sam");
  *add.mutable_start() = common::ToProto(recovery::testing::ManualClockStart() + absl::Hours(30));
  *add.mutable_end() = common::ToProto(recovery::testing::ManualClockStart() + absl::Hours(34));
  v1::ScheduleOverride added;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(svc->api().AddOverride(ctx.get(), add, &added).ok());

  const std::string schedule_feed = CreateFeed(*svc, "bob", "", "oncall");
  const HttpAnswer answer = Get(Url(schedule_feed));
  ASSERT_TRUE(answer.error.empty()) << answer.error;
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.content_type, "text/calendar; charset=utf-8");
  const Parsed parsed = ParseWithIcalendar(dir_, answer.body);
  ASSERT_TRUE(parsed.ok) << parsed.output << "\n" << answer.body;
  const std::map<std::string, std::string> names = {
      {"alice", "Alice Smith, MD; lead \\ on call"}, {"bob", "Bob"}, {"sam", "Sam"}};
  const auto expected =
      Listed(*svc, "oncall", "", [&](const v1::ShiftInfo& s) { return names.at(s.person_id()) + " on call"; });
  EXPECT_EQ(parsed.events, expected);
  EXPECT_GE(expected.size(), 60u);
  bool override_seen = false;
  for (const auto& [start, end, summary] : parsed.events) override_seen |= summary == "Sam on call";
  EXPECT_TRUE(override_seen) << "the override is in the feed";

  // alice's own feed: her shifts on every schedule, named after the schedule.
  const std::string alice_feed = CreateFeed(*svc, "alice", "alice", "");
  const HttpAnswer hers = Get(Url(alice_feed));
  ASSERT_EQ(hers.status, 200) << hers.body;
  const Parsed alice = ParseWithIcalendar(dir_, hers.body);
  ASSERT_TRUE(alice.ok) << alice.output;
  EXPECT_EQ(alice.events, Listed(*svc, "oncall", "alice",
                                 [](const v1::ShiftInfo&) { return std::string("On call: Platform on call"); }));

  // Fetched again later, the shifts still ahead keep their UIDs.
  ASSERT_TRUE(svc->AdvanceClock(absl::Hours(3)));
  const Parsed again = ParseWithIcalendar(dir_, Get(Url(schedule_feed)).body);
  ASSERT_TRUE(again.ok) << again.output;
  ASSERT_FALSE(again.uids.empty());
  EXPECT_EQ(again.uids, parsed.uids) << "three hours on, no shift ended or began: the same UIDs";
}

TEST_F(CalendarFeedIntegrationTest, ARevokedOrUnknownTokenAndAnyOtherPathGet404WithNoBody) {
  auto svc = Start();
  ASSERT_TRUE(svc->started());
  const std::string feed = CreateFeed(*svc, "alice", "alice", "");
  ASSERT_EQ(Get(Url(feed)).status, 200);

  v1::RevokeCalendarFeedRequest revoke;
  revoke.set_request_id("revoke-1");
  revoke.set_feed_id(feed_ids_[feed]);
  v1::CalendarFeedInfo revoked;
  auto stub = v1::Escalation::NewStub(recovery::testing::TestIdentity::Shared().ChannelAs(svc->address(), "alice"));
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub->RevokeCalendarFeed(ctx.get(), revoke, &revoked).ok());

  for (const std::string& path : {feed, "/calendar/" + std::string(43, 'A') + ".ics", std::string("/calendar/x.ics"),
                                  std::string("/"), std::string("/calendar/"), std::string("/metrics")}) {
    const HttpAnswer a = Get(Url(path));
    ASSERT_TRUE(a.error.empty()) << a.error;
    EXPECT_EQ(a.status, 404) << path;
    EXPECT_EQ(a.body, "") << path;
  }
}

TEST_F(CalendarFeedIntegrationTest, WithTlsTheFeedIsServedOverHttps) {
  const std::string certs = dir_.File("tls");
  int status = -1;
  recovery::testing::RunCommand(
      absl::StrCat(recovery::testing::SourcePath("tools/make_certs.sh"), " ", certs, " >/dev/null 2>&1"), &status);
  ASSERT_EQ(status, 0) << "tools/make_certs.sh failed (openssl)";
  std::string feed;
  {
    auto plain = Start();  // the gRPC test channels speak plaintext: the feed is made first
    ASSERT_TRUE(plain->started());
    feed = CreateFeed(*plain, "alice", "alice", "");
  }
  auto tls = Start({"--tls-cert", certs + "/server.pem", "--tls-key", certs + "/server-key.pem"});
  ASSERT_TRUE(tls->started());
  const HttpAnswer a = Get(Url(feed, "https"), certs + "/ca.pem");
  ASSERT_TRUE(a.error.empty()) << a.error;
  EXPECT_EQ(a.status, 200);
  const Parsed parsed = ParseWithIcalendar(dir_, a.body);
  EXPECT_TRUE(parsed.ok) << parsed.output;
  EXPECT_FALSE(parsed.events.empty());
  const HttpAnswer plain_http = Get(Url(feed, "http"));
  EXPECT_NE(plain_http.status, 200) << "no plaintext beside TLS";
}

}  // namespace
}  // namespace recovery::escalation
