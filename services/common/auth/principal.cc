// Principal: actor strings.
#include "services/common/auth/principal.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace recovery::common {

std::string Principal::Actor() const {
  switch (kind) {
    case Kind::kPerson:
      return absl::StrCat("person:", id);
    case Kind::kIntegration:
      return absl::StrCat("integration:", id);
    case Kind::kService:
      return absl::StrCat("service:", id);
  }
  return id;
}

Principal Principal::Service(std::string name) {
  Principal p;
  p.kind = Kind::kService;
  p.id = std::move(name);
  return p;
}

std::string PersonOfActor(const std::string& actor) {
  constexpr char kPrefix[] = "person:";
  return absl::StartsWith(actor, kPrefix) ? actor.substr(sizeof(kPrefix) - 1) : std::string();
}

}  // namespace recovery::common
