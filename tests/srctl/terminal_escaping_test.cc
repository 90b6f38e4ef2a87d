// srctl never writes raw control or escape sequences from stored data to a terminal: C0
// controls, ESC sequences, DEL, C1 controls and invalid UTF-8 are escaped on every path that
// prints stored text (EscapeForTerminal, Pretty, Table, DisplayText, JSON output).
#include <gtest/gtest.h>

#include <string>

#include "google/protobuf/util/json_util.h"
#include "recovery/v1/audit.pb.h"
#include "recovery/v1/intake.pb.h"
#include "recovery/v1/operations.pb.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

using std::string_literals::operator""s;

// True when `out` holds a byte that a terminal could act on: a C0 control other than those in
// `allowed`, DEL, the lead of a C1 control (C2 80..9F) or a byte of a non-ASCII sequence that
// the tests below never let through raw (their invalid inputs only use these bytes).
bool HasRawControl(const std::string& out, const std::string& allowed = "") {
  for (size_t i = 0; i < out.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    if (c < 0x20 && allowed.find(static_cast<char>(c)) == std::string::npos) return true;
    if (c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < out.size() && static_cast<unsigned char>(out[i + 1]) <= 0x9F &&
        static_cast<unsigned char>(out[i + 1]) >= 0x80)
      return true;
    if (c == 0xFF || c == 0xC0 || c == 0xED) return true;
  }
  return false;
}

TEST(EscapeForTerminalTest, C0ControlsAreEscaped) {
  EXPECT_EQ(EscapeForTerminal("a\x01"
                              "b\x07"
                              "c\x08"
                              "d"),
            "a\\x01b\\x07c\\x08d");
  EXPECT_EQ(EscapeForTerminal("nul\0here"s), "nul\\x00here");
  EXPECT_EQ(EscapeForTerminal("cr\rover"), "cr\\rover");
}

TEST(EscapeForTerminalTest, EscapeSequencesLoseTheirEsc) {
  // Clear screen, a window title (OSC ... BEL) and a hyperlink (OSC 8 ... ST).
  const std::string hostile = "\x1b[2J\x1b]0;pwned\x07\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\";
  const std::string out = EscapeForTerminal(hostile);
  EXPECT_EQ(out, "\\x1b[2J\\x1b]0;pwned\\x07\\x1b]8;;http://evil\\x1b\\link\\x1b]8;;\\x1b\\");
  EXPECT_FALSE(HasRawControl(out));
}

TEST(EscapeForTerminalTest, DelIsEscaped) { EXPECT_EQ(EscapeForTerminal("rub\x7fout"), "rub\\x7fout"); }

TEST(EscapeForTerminalTest, C1ControlsAreEscapedAsCodePoints) {
  // U+009B is a one-character CSI: "\u009b2J" clears the screen on terminals that honour C1.
  EXPECT_EQ(EscapeForTerminal("\xc2\x9b"
                              "2J"),
            "\\u009b2J");
  EXPECT_EQ(EscapeForTerminal("\xc2\x80 \xc2\x9f"), "\\u0080 \\u009f");
  // U+00A0 (no-break space) is the first code point after C1 and is kept.
  EXPECT_EQ(EscapeForTerminal("\xc2\xa0"), "\xc2\xa0");
}

TEST(EscapeForTerminalTest, InvalidUtf8BytesAreEscapedOneByOne) {
  EXPECT_EQ(EscapeForTerminal("a\xff"
                              "b"),
            "a\\xffb");
  EXPECT_EQ(EscapeForTerminal("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(EscapeForTerminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a UTF-16 surrogate
  EXPECT_EQ(EscapeForTerminal("cut \xe6\x97"), "cut \\xe6\\x97");            // a sequence cut short
  EXPECT_EQ(EscapeForTerminal("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
  // A stray continuation byte does not swallow the ESC after it.
  EXPECT_EQ(EscapeForTerminal("\x9b\x1b[2J"), "\\x9b\\x1b[2J");
}

TEST(EscapeForTerminalTest, ValidTextIsKept) {
  const std::string text = "Dana Reyes, caf\xc3\xa9, \xe6\x97\xa5\xe6\x9c\xac, \xf0\x9f\x98\x80 <ok> \\ \"q\"";
  EXPECT_EQ(EscapeForTerminal(text), text);
}

TEST(EscapeForTerminalTest, LineBreaksAndTabsAreKeptOnlyInMultiLineText) {
  EXPECT_EQ(EscapeForTerminal("one\ntwo\tthree", TextLayout::kSingleLine), "one\\ntwo\\tthree");
  EXPECT_EQ(EscapeForTerminal("one\ntwo\tthree\x1b[0m", TextLayout::kMultiLine), "one\ntwo\tthree\\x1b[0m");
}

TEST(EscapeForTerminalTest, EscapedTextEscapesToItself) {
  const std::string once = EscapeForTerminal("\x1b[31m\xc2\x9b\x7f\xff\n");
  EXPECT_EQ(EscapeForTerminal(once), once);
}

recovery::v1::Case HostileCase() {
  recovery::v1::Case c;
  c.set_id("case-1");
  c.mutable_client()->set_name("Acme\x1b]0;owned\x07 Ltd");
  c.set_summary(
      "red \x1b[31malert\x1b[0m \x7f \xc2\x9b"
      "2J");
  c.set_description("first line\n\x1b[2Ksecond\tline");
  c.set_owner("lee\rmallory");
  return c;
}

TEST(PrinterEscapingTest, PrettyEscapesValuesAndKeepsMultiLineBlocks) {
  const std::string out = Pretty(HostileCase());
  EXPECT_FALSE(HasRawControl(out, "\n\t")) << out;
  EXPECT_NE(out.find("name: Acme\\x1b]0;owned\\x07 Ltd\n"), std::string::npos) << out;
  EXPECT_NE(out.find("summary: red \\x1b[31malert\\x1b[0m \\x7f \\u009b2J\n"), std::string::npos) << out;
  EXPECT_NE(out.find("description: |\n  first line\n  \\x1b[2Ksecond\tline\n"), std::string::npos) << out;
  EXPECT_NE(out.find("owner: lee\\rmallory\n"), std::string::npos) << out;
}

TEST(PrinterEscapingTest, PrettyEscapesRepeatedStringsMapsAndBytes) {
  recovery::v1::GetStatsResponse stats;
  (*stats.mutable_events_by_type())["Case\x1b[8mOpened"] = 3;
  const std::string stats_out = Pretty(stats);
  EXPECT_NE(stats_out.find("Case\\x1b[8mOpened: 3"), std::string::npos) << stats_out;

  recovery::v1::DeadLetterEntry letter;
  letter.set_payload(
      "\x0a\x05"
      "evt-1\x12\x00\xff\x1b[2J"s);  // protobuf bytes, not text
  const std::string letter_out = Pretty(letter);
  EXPECT_EQ(letter_out, "payload: \\n\\x05evt-1\\x12\\x00\\xff\\x1b[2J\n");

  recovery::v1::ListCasesRequest list;
  list.set_client_id("\xc2\x85x");
  EXPECT_EQ(Pretty(list), "client_id: \\u0085x\n");
}

TEST(PrinterEscapingTest, TableEscapesCellsAndAlignsOnCharacters) {
  recovery::v1::ListCasesResponse list;
  *list.add_cases() = HostileCase();
  recovery::v1::Case plain;
  plain.set_id("case-22");
  plain.set_summary("caf\xc3\xa9");
  *list.add_cases() = plain;
  const std::string out = Table(RepeatedMessages(list, "cases"), {"id", "summary", "client.name"});
  EXPECT_FALSE(HasRawControl(out, "\n")) << out;
  // The summary cell is 38 characters once escaped; "café" is 4 characters in 5 bytes.
  const std::string summary = "red \\x1b[31malert\\x1b[0m \\x7f \\u009b2J";
  ASSERT_EQ(summary.size(), 38u);
  EXPECT_EQ(out, "ID       SUMMARY" + std::string(33, ' ') + "CLIENT.NAME\n" +   //
                     "case-1   " + summary + "  Acme\\x1b]0;owned\\x07 Ltd\n" +  //
                     "case-22  caf\xc3\xa9" + std::string(36, ' ') + "\n");
}

TEST(PrinterEscapingTest, TableTruncatesOnCharactersNeverInsideOne) {
  std::string long_text;
  for (int i = 0; i < 70; ++i) long_text += "\xc3\xa9";  // 70 x 'é', two bytes each
  const std::string out = TextTable({"TEXT"}, {{long_text}});
  std::string expected = "TEXT\n";
  for (int i = 0; i < 57; ++i) expected += "\xc3\xa9";
  EXPECT_EQ(out, expected + "...\n");
}

TEST(PrinterEscapingTest, DisplayTextEscapesAndFieldTextStaysRaw) {
  const auto c = HostileCase();
  EXPECT_EQ(FieldText(c, "owner"), "lee\rmallory");
  EXPECT_EQ(DisplayText(c, "owner"), "lee\\rmallory");
  EXPECT_EQ(DisplayText(c, "description"), "first line\\n\\x1b[2Ksecond\\tline");
}

TEST(JsonEscapingTest, JsonOutputEscapesC0DelAndC1AsUnicodeEscapes) {
  recovery::v1::Case c;
  c.set_summary("\x1b[31m \x7f \xc2\x9b \x01");
  const std::string out = JsonLine(c);
  EXPECT_FALSE(HasRawControl(out)) << out;
  // protobuf writes C0 escapes in upper case, srctl its own in lower case; JSON allows both.
  std::string lower = out;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_NE(lower.find("\\u001b[31m \\u007f \\u009b \\u0001"), std::string::npos) << out;
  // Still the same JSON: it parses back to the same text.
  recovery::v1::Case back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &back).ok()) << out;
  EXPECT_EQ(back.summary(), c.summary());
}

TEST(JsonEscapingTest, RawControlsInsideJsonStringsBecomeUnicodeEscapes) {
  // JSON as a service might return it (audit's json_line): raw controls inside strings.
  EXPECT_EQ(EscapeJsonForTerminal("{\"s\":\"a\x1b[2J\x7f\xc2\x9b\"}"), "{\"s\":\"a\\u001b[2J\\u007f\\u009b\"}");
  EXPECT_EQ(EscapeJsonForTerminal("{\"s\":\"line\nbreak\"}"), "{\"s\":\"line\\u000abreak\"}");
}

TEST(JsonEscapingTest, InvalidUtf8BecomesTheReplacementCharacter) {
  EXPECT_EQ(EscapeJsonForTerminal("{\"s\":\"a\xff\xc0\xaf"
                                  "b\"}"),
            "{\"s\":\"a\\ufffd\\ufffd\\ufffdb\"}");
}

TEST(JsonEscapingTest, ExistingEscapesAndWhitespaceBetweenTokensAreKept) {
  const std::string json = "{\n\t\"q\": \"say \\\"hi\\\" \\\\ \\u001b \\n\",\r\n \"n\": 1}";
  EXPECT_EQ(EscapeJsonForTerminal(json), json);
}

}  // namespace
}  // namespace recovery::srctl
