// Human-readable rendering of any protobuf message (indented field lines and tables), and the
// escaping that keeps stored text from driving the terminal it is printed on.
//
// Everything a service returns is data that someone else typed (a client's summary, an event
// parked in dead_letters), so none of it is written to a terminal raw: C0 controls (ESC starts
// the sequences that move the cursor, retitle the window or rewrite the screen), DEL, C1
// controls (U+0080..U+009F; U+009B is a one-character CSI) and bytes that are not UTF-8 are
// shown escaped. Pretty, Table, TextTable and DisplayText escape what they render; FieldText
// returns the raw value, for logic.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace recovery::srctl {

// How EscapeForTerminal treats line breaks and tabs.
enum class TextLayout {
  kSingleLine,  // \n, \t and \r are escaped too: one value, one line
  kMultiLine,   // \n and \t are kept: a text printed over several lines on purpose
};

// `text` safe to write to a terminal: printable ASCII and valid UTF-8 (other than C1) are
// kept; \n, \t, \r as those two characters; other C0 controls and DEL as \xNN; C1 controls as
// \u00NN; each byte that is not part of valid UTF-8 as \xNN. Escaped text escapes to itself.
std::string EscapeForTerminal(absl::string_view text, TextLayout layout = TextLayout::kSingleLine);

// JSON text safe to write to a terminal and still the same JSON: inside strings, C0 controls,
// DEL and C1 controls become \u00XX and bytes that are not UTF-8 become \ufffd; outside strings
// only JSON whitespace is kept. For protobuf's JSON output and JSON the services return.
std::string EscapeJsonForTerminal(absl::string_view json);

// One line of JSON (protobuf's JSON mapping, field names as in the .proto), escaped.
std::string JsonLine(const google::protobuf::Message& m);

// "field: value" lines, nested messages indented; enum values without their type prefix
// (SEVERITY_P1 -> P1), Timestamps as RFC3339, Durations as 1h2m3s. Values are escaped; a
// string with line breaks prints as an indented block.
std::string Pretty(const google::protobuf::Message& m, int indent = 0);

// The raw text of one field addressed by a dotted path ("client.name"); "" when unset; the
// size of a repeated field. Not escaped: for decisions, not for printing.
std::string FieldText(const google::protobuf::Message& m, const std::string& path);

// FieldText escaped for printing on one line.
std::string DisplayText(const google::protobuf::Message& m, const std::string& path);

// A table with one row per message and one column per dotted path (headed by the path in
// upper case).
std::string Table(const std::vector<const google::protobuf::Message*>& rows, const std::vector<std::string>& columns);

// A table of text cells under `headers`: cells escaped, line breaks shown as spaces, at most 60
// characters (longer ones end in "..."), columns aligned on characters.
std::string TextTable(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);

// The elements of a repeated message field.
std::vector<const google::protobuf::Message*> RepeatedMessages(const google::protobuf::Message& m,
                                                               const std::string& field);

}  // namespace recovery::srctl
