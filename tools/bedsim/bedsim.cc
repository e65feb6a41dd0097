// bedsim: a bed management system simulator for the demo and the tests. It reads the
// locations a provider may write from the reference data, learns their current occupancy from
// the beds service, then streams a seeded random day of admissions, discharges and short
// closures (awaiting cleaning), as events, as snapshots or a mix, one acknowledgement per
// update, and prints the occupancy it believes it reported. The same seed from the same
// starting state makes the same changes whatever the style, so the styles can be compared.
//
//   bedsim stream --address=127.0.0.1:50054 --provider=bed-management-kcc --updates=200 ...
//       --seed=7 --style=events|snapshots|mixed [--rate=20] [--locations=a,b] [--print=final]
//   bedsim search --address=... --bed_type=assessment [--area=west-kent] [--limit=10]
//   bedsim availability --address=... [--area=west-kent]
//   bedsim place --address=... --request_id=r1 --person=p-123 --location=icc-orchard-view ...
//       --bed_type=assessment --start=2026-01-05 [--disregard_start=...] --user=priya-nair
//   bedsim end-placement --address=... --placement_id=... --end=2026-01-20 ...
//       --reason=returned_home --user=priya-nair
//   bedsim placements --address=... [--overdue_only]
// --updates=0 streams until stopped (SIGTERM / Ctrl-C), at --rate, for a running demo.
//
// Exit status: 0 when every update was accepted (or a duplicate); 1 when any was rejected or
// could not be recorded; 2 for bad flags or an unreachable service.
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "beds/v1/beds.grpc.pb.h"
#include "common/clock/proto_time.h"
#include "common/config/text_proto.h"
#include "events/v1/events.pb.h"
#include "grpcpp/grpcpp.h"
#include "reference/v1/reference.pb.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50054", "beds-service address host:port.");
ABSL_FLAG(std::string, provider, "bed-management-kcc", "Provider id sent as x-provider-id.");
ABSL_FLAG(std::string, reference, "deploy/config/kent-medway/reference.textproto",
          "Reference data: the provider's locations and their bed types.");
ABSL_FLAG(std::string, locations, "", "Comma-separated location ids (default: all the provider's).");
ABSL_FLAG(int, updates, 100, "stream: how many updates to send.");
ABSL_FLAG(uint32_t, seed, 1, "stream: random seed.");
ABSL_FLAG(std::string, style, "events", "stream: events, snapshots or mixed.");
ABSL_FLAG(double, rate, 0, "stream: updates per second (0 = as fast as acknowledged).");
ABSL_FLAG(double, target_occupancy, 0.85, "stream: occupancy the simulated day hovers around.");
ABSL_FLAG(std::string, run_id, "", "stream: prefix of update ids (default: bedsim-<seed>-<time>).");
ABSL_FLAG(std::string, print, "final", "stream: final (occupancy lines), summary or none.");
ABSL_FLAG(std::string, bed_type, "assessment", "search: assessment, dementia_assessment, "
          "planned_respite, emergency_respite or long_term.");
ABSL_FLAG(std::string, area, "", "search/availability: KCC locality id.");
ABSL_FLAG(int, limit, 10, "search: most results.");
ABSL_FLAG(std::string, request_id, "", "place: request id (a retry with it is harmless).");
ABSL_FLAG(std::string, person, "", "place: pseudonymous person reference.");
ABSL_FLAG(std::string, location, "", "place: location id.");
ABSL_FLAG(std::string, start, "", "place: first day, YYYY-MM-DD.");
ABSL_FLAG(std::string, disregard_start, "", "place: first day of the 12-week disregard.");
ABSL_FLAG(std::string, user, "", "place/end-placement: staff user id recording it.");
ABSL_FLAG(std::string, placement_id, "", "end-placement: the placement.");
ABSL_FLAG(std::string, end, "", "end-placement: last day, YYYY-MM-DD.");
ABSL_FLAG(std::string, reason, "returned_home", "end-placement: returned_home, long_term_care, "
          "hospital_admission, died, moved, entered_in_error or other.");
ABSL_FLAG(bool, overdue_only, false, "placements: only those past 3 weeks.");

namespace {

namespace bv1 = resilience::beds::v1;
namespace ref = resilience::reference::v1;

struct Beds {
  uint32_t total = 0;
  uint32_t occupied = 0;
  uint32_t unavailable = 0;  // held + closed by others, left as found
  std::vector<std::string> my_closures;
  uint32_t free() const {
    const uint64_t used = uint64_t{occupied} + unavailable + my_closures.size();
    return used >= total ? 0 : static_cast<uint32_t>(total - used);
  }
};
using Key = std::pair<std::string, ref::BedType>;

std::unique_ptr<bv1::BedsService::Stub> Connect() {
  return bv1::BedsService::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_address), grpc::InsecureChannelCredentials()));
}

bool ParseBedType(const std::string& text, ref::BedType* type) {
  return ref::BedType_Parse("BED_TYPE_" + absl::AsciiStrToUpper(text), type);
}

int Fail(const std::string& message) {
  std::cerr << "bedsim: " << message << "\n";
  return 2;
}

int Search() {
  ref::BedType type;
  if (!ParseBedType(absl::GetFlag(FLAGS_bed_type), &type)) return Fail("unknown --bed_type");
  bv1::SearchVacanciesRequest q;
  q.set_bed_type(type);
  q.set_area_id(absl::GetFlag(FLAGS_area));
  q.set_limit(static_cast<uint32_t>(absl::GetFlag(FLAGS_limit)));
  grpc::ClientContext context;
  bv1::SearchVacanciesResponse r;
  grpc::Status s = Connect()->SearchVacancies(&context, q, &r);
  if (!s.ok()) return Fail(s.error_message());
  for (const auto& v : r.vacancies()) {
    std::cout << v.area_rank() << "  " << v.available() << " free  " << v.location_id() << "  ("
              << v.area_id() << ", " << v.provider_id() << ")" << (v.stale() ? "  STALE" : "")
              << "\n";
  }
  std::cout << r.county_available() << " free county-wide\n";
  return 0;
}

int Availability() {
  bv1::GetAvailabilityRequest q;
  if (!absl::GetFlag(FLAGS_area).empty()) q.add_area_ids(absl::GetFlag(FLAGS_area));
  grpc::ClientContext context;
  bv1::AvailabilityReport r;
  grpc::Status s = Connect()->GetAvailability(&context, q, &r);
  if (!s.ok()) return Fail(s.error_message());
  for (const auto& l : r.locations()) {
    for (const auto& b : l.beds()) {
      std::cout << l.location().id() << " " << ref::BedType_Name(b.bed_type()) << " total "
                << b.total() << " occupied " << b.occupied() << " held " << b.held() << " closed "
                << b.closed() << " available " << b.available() << (l.stale() ? " STALE" : "")
                << "\n";
    }
  }
  return 0;
}

void PrintPlacement(const bv1::Placement& p) {
  std::cout << p.placement_id() << "  " << p.person_ref() << "  " << p.location_id() << "  "
            << ref::BedType_Name(p.bed_type()) << "  from " << p.start_date()
            << (p.end_date().empty() ? "" : " to " + p.end_date()) << "  "
            << bv1::PlacementState_Name(p.state()) << "  day " << p.days_in_placement()
            << (p.overdue() ? "  OVERDUE" : "") << "\n";
  for (const auto& m : p.milestones()) {
    std::cout << "    " << resilience::events::v1::PlacementMilestone::Milestone_Name(m.milestone())
              << " due " << absl::FormatTime(resilience::FromProtoTime(m.due_at()))
              << (m.has_fired_at() ? "  fired" : "") << "\n";
  }
}

int Place() {
  ref::BedType type;
  if (!ParseBedType(absl::GetFlag(FLAGS_bed_type), &type)) return Fail("unknown --bed_type");
  bv1::StartPlacementRequest q;
  q.set_request_id(absl::GetFlag(FLAGS_request_id));
  q.set_person_ref(absl::GetFlag(FLAGS_person));
  q.set_location_id(absl::GetFlag(FLAGS_location));
  q.set_bed_type(type);
  q.set_start_date(absl::GetFlag(FLAGS_start));
  q.set_disregard_start_date(absl::GetFlag(FLAGS_disregard_start));
  q.set_started_by(absl::GetFlag(FLAGS_user));
  grpc::ClientContext context;
  bv1::Placement p;
  grpc::Status s = Connect()->StartPlacement(&context, q, &p);
  if (!s.ok()) return Fail(s.error_message());
  PrintPlacement(p);
  return 0;
}

int EndPlacement() {
  bv1::PlacementEndReason reason;
  if (!bv1::PlacementEndReason_Parse(
          "PLACEMENT_END_REASON_" + absl::AsciiStrToUpper(absl::GetFlag(FLAGS_reason)), &reason)) {
    return Fail("unknown --reason");
  }
  bv1::EndPlacementRequest q;
  q.set_placement_id(absl::GetFlag(FLAGS_placement_id));
  q.set_end_date(absl::GetFlag(FLAGS_end));
  q.set_reason(reason);
  q.set_ended_by(absl::GetFlag(FLAGS_user));
  grpc::ClientContext context;
  bv1::Placement p;
  grpc::Status s = Connect()->EndPlacement(&context, q, &p);
  if (!s.ok()) return Fail(s.error_message());
  PrintPlacement(p);
  return 0;
}

int Placements() {
  bv1::ListPlacementsRequest q;
  q.set_overdue_only(absl::GetFlag(FLAGS_overdue_only));
  grpc::ClientContext context;
  bv1::ListPlacementsResponse r;
  grpc::Status s = Connect()->ListPlacements(&context, q, &r);
  if (!s.ok()) return Fail(s.error_message());
  for (const auto& p : r.placements()) PrintPlacement(p);
  return 0;
}

int Stream() {
  ref::ReferenceData reference;
  if (auto s = resilience::ParseTextProtoFile(absl::GetFlag(FLAGS_reference), &reference); !s.ok()) {
    return Fail(s.ToString());
  }
  const std::string provider = absl::GetFlag(FLAGS_provider);
  const std::string style = absl::GetFlag(FLAGS_style);
  if (style != "events" && style != "snapshots" && style != "mixed") return Fail("bad --style");
  std::vector<std::string> wanted;
  if (!absl::GetFlag(FLAGS_locations).empty()) {
    wanted = absl::StrSplit(absl::GetFlag(FLAGS_locations), ',');
  } else {
    for (const auto& p : reference.providers()) {
      if (p.id() != provider) continue;
      for (const auto& scope : p.may_write()) {
        if (scope.kind() == resilience::common::v1::SCOPE_KIND_LOCATION) wanted.push_back(scope.id());
      }
    }
  }
  if (wanted.empty()) return Fail("no locations: give --locations or a provider with some");
  auto stub = Connect();

  // The service's current figures are the starting point.
  std::map<Key, Beds> model;
  {
    bv1::GetAvailabilityRequest q;
    for (const auto& id : wanted) q.add_location_ids(id);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    bv1::AvailabilityReport r;
    grpc::Status s = stub->GetAvailability(&context, q, &r);
    if (!s.ok()) return Fail("cannot read availability: " + s.error_message());
    for (const auto& l : r.locations()) {
      for (const auto& b : l.beds()) {
        Beds& beds = model[{l.location().id(), b.bed_type()}];
        beds.total = b.total();
        beds.occupied = b.occupied();
        beds.unavailable = b.held() + b.closed();
      }
    }
  }
  if (model.empty()) return Fail("none of the locations is known to the service");
  std::vector<Key> keys;
  for (const auto& [k, v] : model) keys.push_back(k);

  std::mt19937 rng(absl::GetFlag(FLAGS_seed));
  auto uniform = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  const double target = absl::GetFlag(FLAGS_target_occupancy);
  std::string run_id = absl::GetFlag(FLAGS_run_id);
  if (run_id.empty()) {
    run_id = absl::StrCat("bedsim-", absl::GetFlag(FLAGS_seed), "-", absl::ToUnixMillis(absl::Now()));
  }

  grpc::ClientContext context;
  context.AddMetadata("x-provider-id", provider);
  auto stream = stub->StreamUpdates(&context);
  std::map<int, int> outcomes;
  const double rate = absl::GetFlag(FLAGS_rate);
  const absl::Time started = absl::Now();
  int closures = 0;
  const int updates = absl::GetFlag(FLAGS_updates);
  for (int n = 0; updates <= 0 || n < updates; ++n) {
    // The same draws whatever the style: which bed, what happens, and (for mixed) the form.
    const Key key = keys[uniform(static_cast<uint32_t>(keys.size()))];
    const uint32_t roll = uniform(100);
    const bool coin = uniform(2) == 0;
    const bool as_snapshot = style == "snapshots" || (style == "mixed" && coin);
    Beds& beds = model[key];
    bv1::BedUpdate u;
    u.set_update_id(absl::StrCat(run_id, "-", n));
    *u.mutable_occurred_at() = resilience::ToProtoTime(absl::Now());
    const double occupancy = beds.total == 0 ? 1.0 : double(beds.occupied) / beds.total;
    enum { kAdmit, kDischarge, kClose, kReopen } what;
    if (!beds.my_closures.empty() && roll < 10) {
      what = kReopen;
    } else if (roll < 5 && beds.free() > 0) {
      what = kClose;
    } else if ((occupancy < target || roll % 2 == 0) && beds.free() > 0) {
      what = kAdmit;
    } else if (beds.occupied > 0) {
      what = kDischarge;
    } else if (beds.free() > 0) {
      what = kAdmit;
    } else {
      continue;  // nothing can happen to this bed type now
    }
    if (what == kClose) {
      auto* c = u.mutable_closure();
      c->set_closure_ref(absl::StrCat(run_id, "-clean-", ++closures));
      c->set_location_id(key.first);
      c->set_bed_type(key.second);
      c->set_beds(1);
      c->set_reason(bv1::CLOSURE_REASON_AWAITING_CLEANING);
      beds.my_closures.push_back(c->closure_ref());
    } else if (what == kReopen) {
      u.mutable_reopening()->set_closure_ref(beds.my_closures.back());
      u.mutable_reopening()->set_location_id(key.first);
      beds.my_closures.pop_back();
    } else {
      beds.occupied += what == kAdmit ? 1 : -1;
      if (as_snapshot) {
        u.mutable_snapshot()->set_location_id(key.first);
        auto* b = u.mutable_snapshot()->add_beds();
        b->set_bed_type(key.second);
        b->set_occupied(static_cast<int>(beds.occupied));
      } else if (what == kAdmit) {
        u.mutable_admission()->set_location_id(key.first);
        u.mutable_admission()->set_bed_type(key.second);
      } else {
        u.mutable_discharge()->set_location_id(key.first);
        u.mutable_discharge()->set_bed_type(key.second);
      }
    }
    if (!stream->Write(u)) return Fail("stream closed by the service");
    resilience::common::v1::UpdateAck ack;
    if (!stream->Read(&ack)) return Fail("stream closed by the service");
    ++outcomes[ack.outcome()];
    if (ack.outcome() == resilience::common::v1::UpdateAck::OUTCOME_REJECTED) {
      std::cerr << "rejected " << ack.update_id() << ": " << ack.message() << "\n";
    }
    if (rate > 0) {
      const absl::Time next = started + absl::Seconds((n + 1) / rate);
      const absl::Duration wait = next - absl::Now();
      if (wait > absl::ZeroDuration()) std::this_thread::sleep_for(absl::ToChronoMicroseconds(wait));
    }
  }
  stream->WritesDone();
  grpc::Status s = stream->Finish();
  if (!s.ok()) return Fail("stream ended: " + s.error_message());
  using Ack = resilience::common::v1::UpdateAck;
  const std::string print = absl::GetFlag(FLAGS_print);
  if (print == "final") {
    for (const auto& [k, beds] : model) {
      std::cout << k.first << " " << ref::BedType_Name(k.second) << " total " << beds.total
                << " occupied " << beds.occupied << "\n";
    }
  }
  if (print != "none") {
    std::cerr << "accepted " << outcomes[Ack::OUTCOME_ACCEPTED] << ", duplicate "
              << outcomes[Ack::OUTCOME_DUPLICATE] << ", rejected "
              << outcomes[Ack::OUTCOME_REJECTED] << ", retry " << outcomes[Ack::OUTCOME_RETRY]
              << " in " << absl::FormatDuration(absl::Now() - started) << "\n";
  }
  return outcomes[Ack::OUTCOME_REJECTED] + outcomes[Ack::OUTCOME_RETRY] > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() > 1 ? args[1] : "stream";
  if (command == "stream") return Stream();
  if (command == "search") return Search();
  if (command == "availability") return Availability();
  if (command == "place") return Place();
  if (command == "end-placement") return EndPlacement();
  if (command == "placements") return Placements();
  return Fail("unknown command '" + command +
              "' (stream, search, availability, place, end-placement or placements)");
}
