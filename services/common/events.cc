// Event envelope helpers.
#include "services/common/events.h"

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/ids.h"

namespace recovery::common {

std::string EventTypeName(const recovery::v1::Event& event) {
  const auto* oneof = recovery::v1::Event::descriptor()->FindOneofByName("body");
  const auto* field = event.GetReflection()->GetOneofFieldDescriptor(event, oneof);
  return field ? field->message_type()->name() : std::string();
}

recovery::v1::Event NewEvent(absl::Time now, std::string_view case_id, std::string_view source, std::string_view actor,
                             std::string_view causation_id) {
  recovery::v1::Event e;
  e.set_event_id(NewId(now));
  e.set_case_id(std::string(case_id));
  *e.mutable_occurred_at() = ToProto(now);
  e.set_source(std::string(source));
  e.set_actor(std::string(actor));
  e.set_causation_id(std::string(causation_id));
  return e;
}

std::string EventToJson(const recovery::v1::Event& event) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(event, &out, opts);
  return out;
}

}  // namespace recovery::common
