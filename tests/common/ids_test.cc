// UUIDv7 tests.
#include "services/common/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace recovery::common {
namespace {

TEST(IdsTest, ProducesCanonicalVersion7Uuids) {
  const std::string id = NewId(absl::FromUnixMillis(1'700'000'000'123));
  EXPECT_TRUE(IsUuid(id)) << id;
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
  // The first 48 bits are the Unix milliseconds.
  EXPECT_EQ(id.substr(0, 8) + id.substr(9, 4), "018bcfe5687b");
}

TEST(IdsTest, IdsAreStrictlyIncreasingWithinOneMillisecond) {
  IdGenerator gen;
  const absl::Time t = absl::FromUnixMillis(1'900'000'000'000);
  std::string prev = gen.NewUuidV7(t);
  std::set<std::string> seen{prev};
  for (int i = 0; i < 10000; ++i) {
    std::string next = gen.NewUuidV7(t);
    ASSERT_LT(prev, next);
    seen.insert(next);
    prev = next;
  }
  EXPECT_EQ(seen.size(), 10001u);
}

TEST(IdsTest, IdsNeverGoBackwardsWhenTheClockDoes) {
  IdGenerator gen;
  const std::string a = gen.NewUuidV7(absl::FromUnixMillis(2'000'000'000'000));
  const std::string b = gen.NewUuidV7(absl::FromUnixMillis(1'000'000'000'000));
  EXPECT_LT(a, b);
}

TEST(IdsTest, IsUuidRejectsMalformed) {
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("0190b1c2-3d4e-7f00-8000-00000000000g"));
  EXPECT_TRUE(IsUuid("0190b1c2-3d4e-7f00-8000-000000000000"));
}

}  // namespace
}  // namespace recovery::common
