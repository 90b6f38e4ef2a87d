// Human-readable rendering of any protobuf message: indented field lines and tables.
#pragma once

#include <string>
#include <vector>

#include "google/protobuf/message.h"

namespace recovery::srctl {

// "field: value" lines, nested messages indented; enum values without their type prefix
// (SEVERITY_P1 -> P1), Timestamps as RFC3339, Durations as 1h2m3s.
std::string Pretty(const google::protobuf::Message& m, int indent = 0);

// The text of one field addressed by a dotted path ("client.name"); "" when unset.
std::string FieldText(const google::protobuf::Message& m, const std::string& path);

// A table with one row per message and one column per dotted path.
std::string Table(const std::vector<const google::protobuf::Message*>& rows, const std::vector<std::string>& columns);

// The elements of a repeated message field.
std::vector<const google::protobuf::Message*> RepeatedMessages(const google::protobuf::Message& m,
                                                              const std::string& field);

}  // namespace recovery::srctl
