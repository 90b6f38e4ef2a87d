// ApplyEffects: timer operations and outbox appends of one decision.
#include "services/common/apply.h"

namespace recovery::common {

absl::Status ApplyEffects(Tx& tx, const Effects& effects, TimerService& timers, Outbox& outbox) {
  for (const TimerOp& op : effects.timers) {
    switch (op.op) {
      case TimerOp::Op::kArm:
        RETURN_IF_ERROR(timers.Schedule(tx, op.kind, op.key, op.due, op.payload));
        break;
      case TimerOp::Op::kCancel:
        RETURN_IF_ERROR(timers.Cancel(tx, op.kind, op.key));
        break;
      case TimerOp::Op::kCancelPrefix:
        RETURN_IF_ERROR(timers.CancelPrefix(tx, op.kind, op.key));
        break;
    }
  }
  for (const recovery::v1::Event& event : effects.events) RETURN_IF_ERROR(outbox.Append(tx, event));
  return absl::OkStatus();
}

}  // namespace recovery::common
