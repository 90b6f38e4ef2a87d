// Requests the intake tests build again and again.
#pragma once

#include <string>

#include "recovery/v1/intake.pb.h"

namespace recovery::intake::testing {

// A valid OpenCase of a P2 late report for `client` in `category`.
inline recovery::v1::OpenCaseRequest OpenRequest(const std::string& request_id, const std::string& client = "acme",
                                                 const std::string& category = "missed_deadline") {
  recovery::v1::OpenCaseRequest r;
  r.set_request_id(request_id);
  r.mutable_client()->set_id(client);
  r.mutable_client()->set_name("Acme Corp");
  r.mutable_contact()->set_email("jo@acme.example");
  r.set_channel(recovery::v1::CHANNEL_PHONE);
  r.set_category(category);
  r.set_severity(recovery::v1::SEVERITY_P2);
  r.set_summary("Quarterly report is late");
  r.set_emotional_state(recovery::v1::EMOTIONAL_STATE_FRUSTRATED);
  return r;
}

}  // namespace recovery::intake::testing
