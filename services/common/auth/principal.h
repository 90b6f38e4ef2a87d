// Principal: who a call authenticated as, and the roles that decide what it may do.
#pragma once

#include <set>
#include <string>

#include "absl/time/time.h"

namespace recovery::common {

struct Principal {
  enum class Kind { kPerson, kIntegration, kService };
  Kind kind = Kind::kPerson;
  std::string id;                               // a person id of the directory, an integration or a service name
  std::set<std::string> roles;                  // platform roles (viewer, responder, ...), never the IdP's groups
  absl::Time expires = absl::InfiniteFuture();  // when the credential stops being valid

  // The actor of every event this principal causes: person:<id>, integration:<name>, service:<name>.
  std::string Actor() const;
  bool IsPerson() const { return kind == Kind::kPerson; }
  // The person id, or "" for integrations and services.
  std::string PersonId() const { return IsPerson() ? id : std::string(); }
  bool HasRole(const std::string& role) const { return roles.count(role) > 0; }

  // The actor of effects of consumed events and timers: service:<name>.
  static Principal Service(std::string name);
};

// The person id in an actor string ("person:lee" -> "lee"); "" for any other actor.
std::string PersonOfActor(const std::string& actor);

}  // namespace recovery::common
