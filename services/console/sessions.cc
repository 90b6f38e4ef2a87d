// Browser sessions and pending sign-ins in the console's store (sessions.h).
#include "services/console/sessions.h"

#include "absl/strings/str_cat.h"
#include "services/common/auth/access_control.h"
#include "services/common/status_macros.h"

namespace recovery::console {
namespace {

int64_t Unix(absl::Time t) { return absl::ToUnixSeconds(t); }
absl::Time FromUnix(int64_t s) { return absl::FromUnixSeconds(s); }

}  // namespace

SessionStore::SessionStore(common::Store& store, common::Clock& clock, absl::Duration ttl)
    : store_(store), clock_(clock), ttl_(ttl) {}

std::vector<std::string> SessionStore::Migrations() {
  return {
      "CREATE TABLE console_sessions ("
      " session_key TEXT PRIMARY KEY, person TEXT NOT NULL, access_token TEXT NOT NULL,"
      " refresh_token TEXT NOT NULL, id_token TEXT NOT NULL, access_expires INTEGER NOT NULL,"
      " name TEXT NOT NULL, email TEXT NOT NULL, csrf TEXT NOT NULL, created_at INTEGER NOT NULL,"
      " expires_at INTEGER NOT NULL)",
      "CREATE TABLE console_logins ("
      " state TEXT PRIMARY KEY, verifier TEXT NOT NULL, nonce TEXT NOT NULL, return_to TEXT NOT NULL,"
      " created_at INTEGER NOT NULL)",
  };
}

absl::Status SessionStore::SaveLogin(const PendingLogin& login, const std::string& return_to) {
  return common::InTransaction(store_, [&](common::Tx& tx) {
    return tx.Exec("INSERT INTO console_logins (state, verifier, nonce, return_to, created_at) VALUES (?, ?, ?, ?, ?)",
                   {login.state, login.verifier, login.nonce, return_to, Unix(clock_.Now())});
  });
}

absl::StatusOr<std::optional<LoginRecord>> SessionStore::TakeLogin(const std::string& state) {
  std::optional<LoginRecord> found;
  RETURN_IF_ERROR(common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    found.reset();
    ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT verifier, nonce, return_to, created_at FROM console_logins "
                                         "WHERE state = ?",
                                         {state}));
    if (rows.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(tx.Exec("DELETE FROM console_logins WHERE state = ?", {state}));
    // Two callbacks racing for one state: only the one whose DELETE removed the row signs in.
    if (tx.ChangedRows() != 1) return absl::OkStatus();
    if (FromUnix(rows[0].Int(3)) + kLoginTtl > clock_.Now()) {
      found = LoginRecord{rows[0].Str(0), rows[0].Str(1), rows[0].Str(2)};
    }
    return absl::OkStatus();
  }));
  return found;
}

absl::StatusOr<std::string> SessionStore::Create(const std::string& person, const TokenSet& tokens) {
  const std::string id = OidcRelyingParty::RandomToken();
  const std::string csrf = OidcRelyingParty::RandomToken();
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec(
        "INSERT INTO console_sessions (session_key, person, access_token, refresh_token, id_token, access_expires,"
        " name, email, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {common::ApiTokenHash(id), person, tokens.access_token, tokens.refresh_token, tokens.id_token,
         Unix(tokens.access_expires), tokens.name, tokens.email, csrf, Unix(now), Unix(now + ttl_)}));
    return absl::OkStatus();
  }));
  return id;
}

absl::StatusOr<std::optional<Session>> SessionStore::Find(const std::string& session_id) {
  if (session_id.empty()) return std::nullopt;
  const std::string key = common::ApiTokenHash(session_id);
  std::optional<Session> found;
  RETURN_IF_ERROR(common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    found.reset();
    ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT person, access_token, refresh_token, id_token, access_expires, name,"
                                         " email, csrf, created_at, expires_at FROM console_sessions"
                                         " WHERE session_key = ?",
                                         {key}));
    if (rows.empty()) return absl::OkStatus();
    const common::Row& r = rows[0];
    if (FromUnix(r.Int(9)) <= clock_.Now()) {
      RETURN_IF_ERROR(tx.Exec("DELETE FROM console_sessions WHERE session_key = ?", {key}));
      return absl::OkStatus();
    }
    Session s;
    s.key = key;
    s.person = r.Str(0);
    s.tokens.access_token = r.Str(1);
    s.tokens.refresh_token = r.Str(2);
    s.tokens.id_token = r.Str(3);
    s.tokens.access_expires = FromUnix(r.Int(4));
    s.tokens.name = r.Str(5);
    s.tokens.email = r.Str(6);
    s.csrf = r.Str(7);
    s.created = FromUnix(r.Int(8));
    s.expires = FromUnix(r.Int(9));
    found = std::move(s);
    return absl::OkStatus();
  }));
  return found;
}

absl::Status SessionStore::UpdateTokens(const std::string& key, const TokenSet& tokens) {
  return common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    RETURN_IF_ERROR(
        tx.Exec("UPDATE console_sessions SET access_token = ?, refresh_token = ?, id_token = ?, access_expires = ?"
                " WHERE session_key = ?",
                {tokens.access_token, tokens.refresh_token, tokens.id_token, Unix(tokens.access_expires), key}));
    return absl::OkStatus();
  });
}

absl::Status SessionStore::Delete(const std::string& key) {
  return common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec("DELETE FROM console_sessions WHERE session_key = ?", {key}));
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> SessionStore::Sweep() {
  int64_t removed = 0;
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(common::InTransaction(store_, [&](common::Tx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec("DELETE FROM console_sessions WHERE expires_at <= ?", {Unix(now)}));
    removed = tx.ChangedRows();
    RETURN_IF_ERROR(tx.Exec("DELETE FROM console_logins WHERE created_at <= ?", {Unix(now - kLoginTtl)}));
    removed += tx.ChangedRows();
    return absl::OkStatus();
  }));
  return removed;
}

}  // namespace recovery::console
