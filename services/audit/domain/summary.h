// One human-readable line per event, for case timelines.
#pragma once

#include <string>

#include "recovery/v1/events.pb.h"

namespace recovery::audit {

// E.g. "Case opened (P1, billing) by phone: printer on fire". Event types this build does
// not know yet get their type name.
std::string SummarizeEvent(const recovery::v1::Event& event);

}  // namespace recovery::audit
