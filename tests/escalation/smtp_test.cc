// E-mail paging: SmtpSender against a small SMTP server on loopback that records the
// envelope and the message, and can refuse the recipient.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "services/escalation/delivery/senders.h"
#include "tests/support/process.h"

namespace recovery::escalation::delivery {
namespace {

// Speaks just enough SMTP for one client at a time (EHLO/HELO, MAIL, RCPT, DATA, QUIT).
class SmtpServer {
 public:
  struct Mail {
    std::string from, rcpt, data;
  };

  explicit SmtpServer(bool refuse_recipient = false) : refuse_(refuse_recipient) {
    fd_ = recovery::testing::ListenOnLoopback(&port_);
    EXPECT_GE(fd_, 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  std::vector<Mail> mails() {
    std::lock_guard lock(mu_);
    return mails_;
  }

 private:
  void Serve() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      Session(c);
      ::close(c);
    }
  }

  static void Say(int c, const std::string& line) { (void)!::write(c, line.data(), line.size()); }

  // Reads one CRLF-terminated line (without the CRLF); false at end of stream.
  bool ReadLine(int c, std::string* line) {
    for (;;) {
      if (const auto pos = buffer_.find("\r\n"); pos != std::string::npos) {
        *line = buffer_.substr(0, pos);
        buffer_.erase(0, pos + 2);
        return true;
      }
      char chunk[4096];
      const ssize_t n = ::read(c, chunk, sizeof(chunk));
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  void Session(int c) {
    buffer_.clear();
    Mail mail;
    Say(c, "220 test ESMTP\r\n");
    std::string line;
    while (ReadLine(c, &line)) {
      if (absl::StartsWithIgnoreCase(line, "EHLO") || absl::StartsWithIgnoreCase(line, "HELO")) {
        Say(c, "250 test\r\n");
      } else if (absl::StartsWithIgnoreCase(line, "MAIL FROM:")) {
        mail.from = line.substr(10);
        Say(c, "250 ok\r\n");
      } else if (absl::StartsWithIgnoreCase(line, "RCPT TO:")) {
        mail.rcpt = line.substr(8);
        Say(c, refuse_ ? "550 no such user\r\n" : "250 ok\r\n");
      } else if (absl::StartsWithIgnoreCase(line, "DATA")) {
        Say(c, "354 go ahead\r\n");
        while (ReadLine(c, &line) && line != ".") mail.data += line + "\r\n";
        {
          std::lock_guard lock(mu_);
          mails_.push_back(mail);
        }
        Say(c, "250 queued\r\n");
      } else if (absl::StartsWithIgnoreCase(line, "QUIT")) {
        Say(c, "221 bye\r\n");
        return;
      } else {
        Say(c, "250 ok\r\n");  // RSET, NOOP
      }
    }
  }

  const bool refuse_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::string buffer_;
  std::mutex mu_;
  std::vector<Mail> mails_;
  std::thread thread_;
};

Delivery Page(const std::string& subject) {
  Delivery d;
  d.channel = Channel::kEmail;
  d.target = "alice@firm.example";
  d.idempotency_key = "esc-1:tier-1:round-0:alice";
  d.subject = subject;
  d.payload = R"({"case_id":"c-1","severity":"P1"})";
  d.created_at = absl::FromUnixSeconds(1795557600);  // Tue, 24 Nov 2026 22:00:00 +0000
  return d;
}

SmtpSender SenderFor(const std::string& url) {
  return SmtpSender(
      [url] {
        DeliverySettings s;
        s.smtp_url = url;
        s.smtp_from = "pager@firm.example";
        return s;
      },
      absl::Seconds(5));
}

// Sends one page with this subject to a new server; the one message it recorded.
std::optional<SmtpServer::Mail> SendOne(const std::string& subject) {
  SmtpServer server;
  const SendResult r = SenderFor(server.url()).Send(Page(subject));
  EXPECT_TRUE(r.ok) << r.error;
  const auto mails = server.mails();
  EXPECT_EQ(mails.size(), 1u);
  if (mails.size() != 1) return std::nullopt;
  return mails[0];
}

// The header lines of a recorded message (up to the blank line).
std::vector<std::string> Headers(const SmtpServer::Mail& mail) {
  return absl::StrSplit(mail.data.substr(0, mail.data.find("\r\n\r\n")), "\r\n");
}

bool HasHeader(const SmtpServer::Mail& mail, const std::string& line) {
  const auto headers = Headers(mail);
  return std::find(headers.begin(), headers.end(), line) != headers.end();
}

TEST(SmtpSenderTest, DeliversThePageWithEnvelopeHeadersAndBody) {
  const auto mail = SendOne("[P1] case c-1: Payroll run failed");
  ASSERT_TRUE(mail.has_value());
  EXPECT_EQ(mail->from, "<pager@firm.example>");
  EXPECT_EQ(mail->rcpt, "<alice@firm.example>");
  EXPECT_TRUE(HasHeader(*mail, "Subject: [P1] case c-1: Payroll run failed")) << mail->data;
  EXPECT_TRUE(HasHeader(*mail, "To: <alice@firm.example>")) << mail->data;
  EXPECT_TRUE(HasHeader(*mail, "Message-ID: <esc-1:tier-1:round-0:alice@recovery>")) << mail->data;
  EXPECT_TRUE(HasHeader(*mail, "Date: Tue, 24 Nov 2026 22:00:00 +0000")) << mail->data;
  EXPECT_TRUE(absl::StrContains(mail->data, "\r\n\r\n{\"case_id\":\"c-1\",\"severity\":\"P1\"}\r\n"));
}

TEST(SmtpSenderTest, ClientTextInTheSubjectCannotAddHeaderLines) {
  const auto mail = SendOne("[P1] case c-1: late\r\nBcc: attacker@evil.example");
  ASSERT_TRUE(mail.has_value());
  for (const std::string& h : Headers(*mail)) EXPECT_FALSE(absl::StartsWith(h, "Bcc:")) << h;
  EXPECT_TRUE(HasHeader(*mail, "Subject: [P1] case c-1: late  Bcc: attacker@evil.example")) << mail->data;
}

TEST(SmtpSenderTest, NonAsciiSubjectIsAnEncodedWord) {
  const auto mail = SendOne("Zahlung f\u00fcr M\u00fcller fehlt");
  ASSERT_TRUE(mail.has_value());
  // base64 of the UTF-8 text
  EXPECT_TRUE(HasHeader(*mail, "Subject: =?UTF-8?B?WmFobHVuZyBmw7xyIE3DvGxsZXIgZmVobHQ=?=")) << mail->data;
}

TEST(SmtpSenderTest, ARefusedRecipientIsAFailedAttemptToRetry) {
  SmtpServer server(/*refuse_recipient=*/true);
  const SendResult r = SenderFor(server.url()).Send(Page("[P1] case c-1"));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());
  EXPECT_FALSE(r.permanent);
  EXPECT_TRUE(server.mails().empty());
}

TEST(SmtpSenderTest, WithoutAnSmtpUrlTheChannelFailsPermanently) {
  const SendResult r = SenderFor("").Send(Page("[P1] case c-1"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_NE(r.error.find("smtp"), std::string::npos);
}

}  // namespace
}  // namespace recovery::escalation::delivery
