// Clock tests.
#include "services/common/clock.h"

#include <gtest/gtest.h>

namespace recovery::common {
namespace {

TEST(ManualClockTest, MovesOnlyWhenTold) {
  const absl::Time start = absl::FromUnixSeconds(1'800'000'000);
  ManualClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Minutes(5));
  EXPECT_EQ(clock.Now(), start + absl::Minutes(5));
  clock.Set(start);
  EXPECT_EQ(clock.Now(), start);
}

TEST(ManualClockTest, NotifiesListenersOnJump) {
  ManualClock clock(absl::UnixEpoch());
  int calls = 0;
  clock.OnJump([&] { ++calls; });
  clock.Advance(absl::Seconds(1));
  clock.Set(absl::UnixEpoch());
  EXPECT_EQ(calls, 2);
}

TEST(ManualClockTest, RemovedListenerIsNotCalled) {
  ManualClock clock(absl::UnixEpoch());
  int a = 0, b = 0;
  const int id_a = clock.OnJump([&] { ++a; });
  clock.OnJump([&] { ++b; });
  clock.RemoveOnJump(id_a);
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
}

TEST(SystemClockTest, IsCloseToAbslNow) {
  EXPECT_LT(absl::AbsDuration(SystemClock::Instance().Now() - absl::Now()), absl::Seconds(5));
}

}  // namespace
}  // namespace recovery::common
