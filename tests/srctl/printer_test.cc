// srctl's generic printing and name mapping.
#include "tools/srctl/printer.h"

#include <gtest/gtest.h>

#include "recovery/v1/intake.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "tools/srctl/rpc_client.h"

namespace recovery::srctl {
namespace {

recovery::v1::Case SampleCase() {
  recovery::v1::Case c;
  c.set_id("case-1");
  c.mutable_client()->set_name("Acme Ltd");
  c.set_severity(recovery::v1::SEVERITY_P1);
  c.set_status(recovery::v1::CASE_STATUS_ACKNOWLEDGED);
  *c.mutable_opened_at() = common::ToProto(absl::FromUnixSeconds(1795556400));
  c.set_summary("line one\nline two");
  return c;
}

TEST(PrinterTest, FieldTextStripsEnumPrefixesAndFormatsTimestamps) {
  const auto c = SampleCase();
  EXPECT_EQ(FieldText(c, "severity"), "P1");
  EXPECT_EQ(FieldText(c, "status"), "ACKNOWLEDGED");
  EXPECT_EQ(FieldText(c, "client.name"), "Acme Ltd");
  EXPECT_EQ(FieldText(c, "opened_at"), "2026-11-24T21:40:00Z");
  EXPECT_EQ(FieldText(c, "no_such_field"), "");
}

TEST(PrinterTest, PrettyIndentsNestedMessagesAndMultilineText) {
  const std::string out = Pretty(SampleCase());
  EXPECT_NE(out.find("client:\n  name: Acme Ltd\n"), std::string::npos) << out;
  EXPECT_NE(out.find("summary: |\n  line one\n  line two\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("owner:"), std::string::npos) << "unset fields are not printed";
}

TEST(PrinterTest, TableHasAHeaderAndOneAlignedRowPerMessage) {
  recovery::v1::ListCasesResponse list;
  *list.add_cases() = SampleCase();
  auto second = SampleCase();
  second.set_id("case-22");
  second.set_severity(recovery::v1::SEVERITY_P4);
  *list.add_cases() = second;
  const std::string out = Table(RepeatedMessages(list, "cases"), {"id", "severity"});
  EXPECT_EQ(out, "ID       SEVERITY\ncase-1   P1\ncase-22  P4\n");
}

TEST(RpcClientTest, ServiceKeyIsTheFolderName) {
  EXPECT_EQ(ServiceKey("recovery.v1.Intake"), "intake");
  EXPECT_EQ(ServiceKey("ActionPlan"), "action_plan");
  EXPECT_EQ(ServiceKey("recovery.v1.FollowUp"), "follow_up");
}

TEST(RpcClientTest, UnknownMethodAndBadJsonAreNamed) {
  // Both fail before any call: the channel is never connected.
  const auto channel = common::MakeChannel("127.0.0.1:1");
  grpc::ClientContext context;
  auto missing = CallJson(channel, context, "Intake.Frobnicate", "{}");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("Intake.Frobnicate"), std::string::npos);
  auto bad = CallJson(channel, context, "Intake.GetCase", "{\"case_idd\": 1}");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace recovery::srctl
