// The console's JSON API (services/console/transcoder.h) against the real intake service on the
// in-process fixture, over a plain channel that carries no credential of its own: the
// browser's token is what the service sees. JSON in, JSON out, in protobuf's JSON mapping; the
// person's rights decided by the service; every refusal in the one error shape.
#include "services/console/transcoder.h"

#include <gtest/gtest.h>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/intake/module.h"
#include "tests/intake/requests.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::console {
namespace {

namespace v1 = recovery::v1;
namespace pb = google::protobuf;
using recovery::testing::TestIdentity;

std::string Json(const pb::Message& m) {
  std::string out;
  EXPECT_TRUE(pb::util::MessageToJsonString(m, &out).ok());
  return out;
}

// The error body's fields ({"code", "message", "field"}).
std::map<std::string, std::string> ErrorOf(const HttpReply& reply) {
  pb::Struct body;
  EXPECT_TRUE(pb::util::JsonStringToMessage(reply.body, &body).ok()) << reply.body;
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : body.fields()) out[k] = v.string_value();
  return out;
}

class TranscoderTest : public ::testing::Test {
 protected:
  TranscoderTest()
      : fx_(module_),
        console_({{"intake",
                   grpc::CreateChannel(absl::StrCat("127.0.0.1:", fx_.port()), grpc::InsecureChannelCredentials())}}) {}
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  static std::string Bearer(const std::string& person) {
    return "Bearer " + TestIdentity::Shared().PersonToken(person);
  }
  HttpReply Open(const v1::OpenCaseRequest& r, const std::string& authorization) {
    return console_.Call("intake", "recovery.v1.Intake/OpenCase", Json(r), authorization);
  }
  size_t Stored() {
    v1::ListCasesResponse listed;
    const HttpReply r = console_.Call("intake", "recovery.v1.Intake/ListCases", "{}", Bearer("mia"));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(pb::util::JsonStringToMessage(r.body, &listed).ok()) << r.body;
    return static_cast<size_t>(listed.cases_size());
  }

  intake::IntakeModule module_;
  recovery::testing::ServiceFixture fx_;
  Transcoder console_;
};

TEST_F(TranscoderTest, ACaseOpenedAndReadAsJsonByThePersonSignedIn) {
  const HttpReply opened = Open(intake::testing::OpenRequest("console-open-1"), Bearer("reception"));
  ASSERT_EQ(opened.status, 200) << opened.body;
  v1::OpenCaseResponse out;
  ASSERT_TRUE(pb::util::JsonStringToMessage(opened.body, &out).ok()) << opened.body;
  EXPECT_EQ(out.case_().summary(), "Quarterly report is late");
  EXPECT_NE(opened.body.find("\"openedAt\""), std::string::npos) << opened.body;  // JSON names, not field names

  // The browser writes the JSON itself: lowerCamelCase names and enum names, as protobuf maps them.
  const HttpReply got = console_.Call("intake", "recovery.v1.Intake/GetCase",
                                      absl::StrCat(R"({"caseId": ")", out.case_().id(), R"("})"), Bearer("vic"));
  ASSERT_EQ(got.status, 200) << got.body;
  v1::GetCaseResponse read;
  ASSERT_TRUE(pb::util::JsonStringToMessage(got.body, &read).ok()) << got.body;
  EXPECT_EQ(read.case_().id(), out.case_().id());
  EXPECT_NE(got.body.find("\"SEVERITY_P2\""), std::string::npos) << got.body;
  // The actor is the person whose token came through the console.
  fx_.Quiesce();
  ASSERT_FALSE(fx_.PublishedOfType("CaseOpened").empty());
  EXPECT_EQ(fx_.PublishedOfType("CaseOpened").front().actor(), "person:reception");
}

TEST_F(TranscoderTest, WithoutACredentialTheAnswerIs401AndNoServiceIsCalled) {
  const HttpReply r = Open(intake::testing::OpenRequest("console-anon"), "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorOf(r)["code"], "unauthenticated");
  const HttpReply forged = Open(intake::testing::OpenRequest("console-forged"), "Bearer not-a-token");
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(ErrorOf(forged)["code"], "unauthenticated");
  EXPECT_EQ(Stored(), 0u);
}

TEST_F(TranscoderTest, TheServiceDecidesWhatThePersonMayDo) {
  const HttpReply r = Open(intake::testing::OpenRequest("console-viewer"), Bearer("vic"));  // a viewer
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(ErrorOf(r)["code"], "permission_denied");
  EXPECT_EQ(Stored(), 0u);
}

TEST_F(TranscoderTest, InvalidInputIs400NamingTheField) {
  v1::OpenCaseRequest bad = intake::testing::OpenRequest("console-bad");
  bad.mutable_contact()->set_email("nope");
  const HttpReply r = Open(bad, Bearer("reception"));
  EXPECT_EQ(r.status, 400) << r.body;
  auto error = ErrorOf(r);
  EXPECT_EQ(error["code"], "invalid_argument");
  EXPECT_EQ(error["field"], "contact.email") << r.body;

  // A body that is not the request message: refused before any call, naming the body.
  for (const char* body : {R"({"noSuchField": 1})", "{not json", R"({"severity": "SEVERITY_P9"})"}) {
    SCOPED_TRACE(body);
    const HttpReply b = console_.Call("intake", "recovery.v1.Intake/OpenCase", body, Bearer("reception"));
    EXPECT_EQ(b.status, 400) << b.body;
    EXPECT_EQ(ErrorOf(b)["field"], "body") << b.body;
  }
  EXPECT_EQ(Stored(), 0u);
}

TEST_F(TranscoderTest, OnlyTheServicesUnaryRpcsAreOffered) {
  for (const auto& [backend, method] : std::vector<std::pair<std::string, std::string>>{
           {"intake", "recovery.v1.Intake/NoSuchRpc"},
           {"intake", "recovery.v1.NoSuchService/GetCase"},
           {"intake", "grpc.health.v1.Health/Check"},  // not one of the services' APIs
           {"intake", "GetCase"},
           {"billing", "recovery.v1.Intake/GetCase"},
       }) {
    SCOPED_TRACE(backend + " " + method);
    const HttpReply r = console_.Call(backend, method, "{}", Bearer("mia"));
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(ErrorOf(r)["code"], "not_found");
  }
}

TEST(TranscoderErrorTest, EachCodeHasConnectsNameAndHttpStatus) {
  EXPECT_EQ(Transcoder::HttpStatus(grpc::StatusCode::ABORTED), 409);
  EXPECT_EQ(Transcoder::HttpStatus(grpc::StatusCode::FAILED_PRECONDITION), 400);
  EXPECT_EQ(Transcoder::HttpStatus(grpc::StatusCode::RESOURCE_EXHAUSTED), 429);
  EXPECT_EQ(Transcoder::HttpStatus(grpc::StatusCode::UNAVAILABLE), 503);
  EXPECT_EQ(Transcoder::HttpStatus(grpc::StatusCode::DEADLINE_EXCEEDED), 504);
  EXPECT_EQ(Transcoder::CodeName(grpc::StatusCode::CANCELLED), "canceled");
  // A message that does not start with a key path has no field.
  auto error = ErrorOf(Transcoder::Error({grpc::StatusCode::FAILED_PRECONDITION, "a policy reaches nobody: p"}));
  EXPECT_EQ(error.count("field"), 0u);
  EXPECT_EQ(error["code"], "failed_precondition");
  error = ErrorOf(Transcoder::Error({grpc::StatusCode::INVALID_ARGUMENT, "people[3].time_zone: unknown"}));
  EXPECT_EQ(error["field"], "people[3].time_zone");
}

}  // namespace
}  // namespace recovery::console
