// On-call schedule queries: civil-time rotations resolved through the schedule's time zone.
#include "services/escalation/domain/schedule.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/yaml_fields.h"

namespace recovery::escalation {
namespace {

using yaml_fields::Error;
using yaml_fields::Index;
using yaml_fields::Key;

long long StepSeconds(const RotationLayer& layer) {
  long long unit = 3600;
  switch (layer.unit) {
    case RotationUnit::kHours:
      unit = 3600;
      break;
    case RotationUnit::kDays:
      unit = 86400;
      break;
    case RotationUnit::kWeeks:
      unit = 7 * 86400;
      break;
  }
  return unit * layer.length;
}

long long FloorDiv(long long a, long long b) {
  long long q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Index of the rotation slot containing t, or nullopt before the layer's first handoff.
std::optional<long long> SlotAt(const Schedule& s, const RotationLayer& layer, absl::Time t) {
  if (t < HandoffInstant(s, layer, 0)) return std::nullopt;
  const long long elapsed = s.time_zone.At(t).cs - layer.start;  // civil seconds
  long long n = std::max<long long>(0, FloorDiv(elapsed, StepSeconds(layer)));
  // The civil estimate can be one slot off around DST transitions; settle it on instants.
  while (n > 0 && HandoffInstant(s, layer, n) > t) --n;
  while (HandoffInstant(s, layer, n + 1) <= t) ++n;
  return n;
}

struct Assignment {
  std::string person_id;
  int layer;
};

std::optional<Assignment> ResolveAt(const Schedule& s, absl::Time t) {
  for (auto it = s.overrides.rbegin(); it != s.overrides.rend(); ++it) {
    if (it->start <= t && t < it->end) return Assignment{it->person_id, kOverrideLayer};
  }
  for (int i = static_cast<int>(s.layers.size()) - 1; i >= 0; --i) {
    const RotationLayer& layer = s.layers[i];
    if (layer.participants.empty()) continue;
    if (layer.active_hours && !layer.active_hours->IsOpen(t)) continue;
    const std::optional<long long> slot = SlotAt(s, layer, t);
    if (!slot) continue;
    const auto count = static_cast<long long>(layer.participants.size());
    return Assignment{layer.participants[static_cast<std::size_t>(*slot % count)], i};
  }
  return std::nullopt;
}

}  // namespace

absl::Time HandoffInstant(const Schedule& schedule, const RotationLayer& layer, long long n) {
  return calendar::ResolveCivil(layer.start + n * StepSeconds(layer), schedule.time_zone);
}

absl::StatusOr<Schedule> MakeSchedule(std::string id, std::string name, std::string time_zone_name,
                                      std::vector<RotationLayer> layers, std::vector<Override> overrides) {
  if (id.empty()) return Error("id", "must not be empty");
  Schedule s;
  if (time_zone_name.empty() || !absl::LoadTimeZone(time_zone_name, &s.time_zone)) {
    return Error("time_zone", absl::StrCat("unknown time zone '", time_zone_name, "'"));
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    RotationLayer& layer = layers[i];
    const std::string p = Index("layers", i);
    if (layer.participants.empty()) return Error(Key(p, "participants"), "at least one participant is required");
    for (std::size_t j = 0; j < layer.participants.size(); ++j) {
      if (layer.participants[j].empty()) return Error(Index(Key(p, "participants"), j), "must not be empty");
    }
    if (layer.length <= 0) return Error(Key(p, "rotation"), "length must be positive");
    layer.active_hours.reset();
    if (layer.restrictions) {
      absl::StatusOr<calendar::Calendar> hours =
          calendar::Calendar::Create(absl::StrCat(id, "/", p), time_zone_name, *layer.restrictions, {});
      if (!hours.ok()) {
        // Create names the field "weekly.<day>[i]"; re-anchor it under this layer.
        absl::string_view message = hours.status().message();
        absl::ConsumePrefix(&message, "weekly");
        return absl::InvalidArgumentError(absl::StrCat(p, ".restrictions", message));
      }
      layer.restrictions = hours->weekly();
      layer.active_hours = *std::move(hours);
    }
  }
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    const std::string p = Index("overrides", i);
    if (overrides[i].person_id.empty()) return Error(Key(p, "person"), "required");
    if (overrides[i].end <= overrides[i].start) return Error(Key(p, "to"), "must be after 'from'");
  }
  s.id = std::move(id);
  s.name = std::move(name);
  s.time_zone_name = std::move(time_zone_name);
  s.layers = std::move(layers);
  s.overrides = std::move(overrides);
  return s;
}

std::vector<std::string> WhoIsOnCallAt(const Schedule& schedule, absl::Time t) {
  std::optional<Assignment> a = ResolveAt(schedule, t);
  if (!a) return {};
  return {a->person_id};
}

std::vector<Shift> ListShifts(const Schedule& schedule, absl::Time from, absl::Time to) {
  std::vector<Shift> shifts;
  if (!(from < to)) return shifts;
  // Every instant where the answer may change; between two of them it is constant.
  std::vector<absl::Time> cuts = {from, to};
  auto add = [&](absl::Time t) {
    if (from < t && t < to) cuts.push_back(t);
  };
  for (const Override& o : schedule.overrides) {
    add(o.start);
    add(o.end);
  }
  for (const RotationLayer& layer : schedule.layers) {
    const std::optional<long long> first = SlotAt(schedule, layer, from);
    long long n = first ? *first + 1 : 0;
    for (;; ++n) {
      const absl::Time b = HandoffInstant(schedule, layer, n);
      if (b >= to) break;
      add(b);
    }
    if (layer.active_hours) {
      for (absl::Time t = layer.active_hours->NextChange(from); t < to; t = layer.active_hours->NextChange(t)) add(t);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const std::optional<Assignment> a = ResolveAt(schedule, cuts[i]);
    if (!a) continue;
    if (!shifts.empty() && shifts.back().end == cuts[i] && shifts.back().person_id == a->person_id &&
        shifts.back().layer == a->layer) {
      shifts.back().end = cuts[i + 1];
      continue;
    }
    shifts.push_back(Shift{a->person_id, cuts[i], cuts[i + 1], a->layer});
  }
  return shifts;
}

std::vector<calendar::Interval> FindCoverageGaps(const Schedule& schedule, absl::Time from, absl::Time to) {
  std::vector<calendar::Interval> gaps;
  absl::Time cursor = from;
  for (const Shift& shift : ListShifts(schedule, from, to)) {
    if (cursor < shift.start) gaps.push_back({cursor, shift.start});
    cursor = shift.end;
  }
  if (cursor < to) gaps.push_back({cursor, to});
  return gaps;
}

}  // namespace recovery::escalation
