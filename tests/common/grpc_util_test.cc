// Error mapping at the gRPC edge.
#include "services/common/grpc_util.h"

#include <gtest/gtest.h>

namespace recovery::common {
namespace {

TEST(GrpcUtilTest, MapsEveryCanonicalCodeAndKeepsTheFieldName) {
  const std::vector<std::pair<absl::Status, grpc::StatusCode>> cases{
      {absl::InvalidArgumentError("client.id: required"), grpc::StatusCode::INVALID_ARGUMENT},
      {absl::NotFoundError("case_id: no such case"), grpc::StatusCode::NOT_FOUND},
      {absl::FailedPreconditionError("status: case is CLOSED"), grpc::StatusCode::FAILED_PRECONDITION},
      {absl::AlreadyExistsError("request_id: reused"), grpc::StatusCode::ALREADY_EXISTS},
      {absl::UnavailableError("store busy"), grpc::StatusCode::UNAVAILABLE},
      {absl::AbortedError("conflict"), grpc::StatusCode::ABORTED},
      {absl::InternalError("bug"), grpc::StatusCode::INTERNAL},
  };
  for (const auto& [in, code] : cases) {
    const grpc::Status out = ToGrpcStatus(in);
    EXPECT_EQ(out.error_code(), code) << in;
    EXPECT_EQ(out.error_message(), std::string(in.message()));
    EXPECT_EQ(FromGrpcStatus(out), in);
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace recovery::common
