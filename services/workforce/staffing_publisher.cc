#include "services/workforce/staffing_publisher.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/log/log.h"
#include "common/scope/scope_key.h"
#include "services/workforce/core/staffing_level.h"
#include "services/workforce/core/staffing_report.h"

namespace resilience::workforce {
namespace {

bool Differs(const std::map<std::string, v1::PublishedStaffing>& published,
             const std::string& scope_id, double pct) {
  auto it = published.find(scope_id);
  return it == published.end() || std::fabs(it->second.staffing_pct() - pct) > 1e-9;
}

}  // namespace

StaffingPublisher::StaffingPublisher(WorkforceState* state, kafka::Producer* producer,
                                     const Clock* clock, MetricsRegistry* metrics,
                                     StaffingPublisherOptions options)
    : state_(state), producer_(producer), clock_(clock), options_(std::move(options)) {
  published_ = metrics->GetCounter("resilience_workforce_staffing_published_total",
                                   "Staffing figures published on the workforce topic.");
}

StaffingPublisher::~StaffingPublisher() { Stop(); }

void StaffingPublisher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void StaffingPublisher::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void StaffingPublisher::Loop() {
  auto log = Logger("workforce.publisher");
  while (!stop_) {
    auto published = PublishDue();
    if (!published.ok()) log->warn("publishing staffing: {}", published.status().ToString());
    absl::MutexLock lock(&state_->mu);
    // Wakes at once when an update marks a team, else after the poll interval to look at the
    // clock (a simulated or scaled clock may pass a transition at any moment).
    state_->mu.AwaitWithTimeout(
        absl::Condition(
            +[](StaffingPublisher* p) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return p->stop_.load() || !p->state_->dirty.empty();
            },
            this),
        options_.poll_interval);
  }
}

absl::StatusOr<int> StaffingPublisher::PublishDue() {
  const absl::Time now = clock_->Now();
  struct Publication {
    std::string scope_id;
    events::v1::DomainEvent event;
    PublicationCause cause;
  };
  std::vector<Publication> due;
  std::map<std::string, PublicationCause> taken;
  {
    absl::MutexLock lock(&state_->mu);
    if (now >= state_->next_transition) {
      // Time alone may have moved every team (an absence ending at midnight): look at all.
      const bool start_up = state_->next_transition == absl::InfinitePast();
      const absl::Time passed =
          start_up ? state_->ledger.LastTransitionAtOrBefore(now) : state_->next_transition;
      for (const reference::v1::Team* team : state_->ledger.Teams()) {
        auto held = state_->latest_cause.find(team->id());
        if (start_up && held == state_->latest_cause.end()) {
          // Never changed (nothing in the log): the establishment, as of now.
          state_->dirty.emplace(team->id(), PublicationCause{common::v1::Provenance(), now});
        } else if (start_up && held->second.effective_at >= passed) {
          // Start-up: the figure as its last change made it, with that change's update and
          // time, exactly as it was (or would have been) published before the restart.
          state_->dirty[team->id()] = held->second;
        } else {
          // Due, stamped no earlier than the transition; an update still waiting to be
          // published keeps its provenance (its acknowledgement named that figure's id).
          const PublicationCause noted = state_->NoteCauseLocked(
              team->id(), PublicationCause{common::v1::Provenance(), passed});
          auto [waiting, inserted] = state_->dirty.try_emplace(team->id(), noted);
          if (!inserted) waiting->second.effective_at = noted.effective_at;
        }
      }
      state_->next_transition = state_->ledger.NextTransitionAfter(now);
    }
    if (state_->dirty.empty()) return 0;
    taken.swap(state_->dirty);
    v1::StaffingPoint county;
    absl::Time county_effective = absl::InfinitePast();
    bool county_touched = false;
    for (const reference::v1::Team* team : state_->ledger.Teams()) {
      if (team->kind() != reference::v1::TEAM_KIND_SHORT_TERM_PATHWAY) continue;
      auto cause = taken.find(team->id());
      // A figure is computed as of the change it carries. A provider's clock may run ahead of
      // ours (within the skew ingest accepts): a staffing count dated a few seconds ahead must
      // count in the figure that carries its update id, or that figure would read as if it
      // had never come (and nothing would publish it again when the clock caught up).
      const absl::Time as_of =
          cause == taken.end() ? now : std::max(now, cause->second.effective_at);
      const v1::StaffingPoint point = state_->ledger.StaffingAt(*team, as_of);
      county.set_establishment_wte(county.establishment_wte() + point.establishment_wte());
      county.set_available_wte(county.available_wte() + point.available_wte());
      county.set_absent_wte(county.absent_wte() + point.absent_wte());
      county.set_cover_wte(county.cover_wte() + point.cover_wte());
      county.set_redeployed_in_wte(county.redeployed_in_wte() + point.redeployed_in_wte());
      county.set_redeployed_out_wte(county.redeployed_out_wte() + point.redeployed_out_wte());
      if (cause == taken.end()) continue;
      county_touched = true;
      county_effective = std::max(county_effective, cause->second.effective_at);
      if (!Differs(state_->published, team->id(), point.staffing_pct())) continue;
      due.push_back({team->id(),
                     BuildStaffingEvent(*team, point, cause->second.provenance,
                                        cause->second.effective_at, now),
                     cause->second});
    }
    if (county_touched && county.establishment_wte() > 0) {
      county.set_staffing_pct(StaffingPercent(county.available_wte(), county.establishment_wte()));
      county.set_level(StaffingLevelOf(county.staffing_pct()));
      if (Differs(state_->published, "county", county.staffing_pct())) {
        due.push_back({"county",
                       BuildCountyStaffingEvent(options_.county_id, county, county_effective, now),
                       PublicationCause{common::v1::Provenance(), county_effective}});
      }
    }
  }
  if (due.empty()) return 0;

  // Marks first (unconfirmed), then the figures, then the marks confirmed: a crash anywhere in
  // between leaves an unconfirmed mark, and the restart publishes the current figure.
  auto marks_for = [&](bool confirmed) {
    std::vector<kafka::OutgoingRecord> out;
    for (const Publication& p : due) {
      v1::WorkforceChange mark;
      auto* published = mark.mutable_published();
      published->set_scope_id(p.scope_id);
      published->set_staffing_pct(p.event.observation().number());
      published->set_event_id(p.event.envelope().event_id());
      *published->mutable_effective_at() = p.event.envelope().occurred_at();
      published->set_confirmed(confirmed);
      *mark.mutable_occurred_at() = ToProtoTime(now);
      out.push_back({options_.changes_topic, StaffingLedger::EntityKey(mark),
                     mark.SerializeAsString(), {}});
    }
    return out;
  };
  for (const absl::Status& s : producer_->SendAll(marks_for(false))) {
    if (!s.ok()) {
      absl::MutexLock lock(&state_->mu);
      for (const Publication& p : due) {
        if (p.scope_id != "county") state_->dirty.emplace(p.scope_id, p.cause);
      }
      return s;
    }
  }

  std::vector<kafka::OutgoingRecord> records;
  for (const Publication& p : due) {
    records.push_back({options_.workforce_topic, ScopeKey(p.event.envelope().scope()),
                       p.event.SerializeAsString(),
                       {{"event_id", p.event.envelope().event_id()}}});
  }
  std::vector<absl::Status> sent = producer_->SendAll(records);
  std::vector<kafka::OutgoingRecord> confirmed_marks = marks_for(true);
  std::vector<kafka::OutgoingRecord> marks;
  absl::Status first_error = absl::OkStatus();
  int count = 0;
  {
    absl::MutexLock lock(&state_->mu);
    for (size_t i = 0; i < due.size(); ++i) {
      const Publication& p = due[i];
      if (!sent[i].ok()) {
        if (first_error.ok()) first_error = sent[i];
        if (p.scope_id != "county") state_->dirty.emplace(p.scope_id, p.cause);
        state_->published.erase(p.scope_id);  // unknown whether it went out
        continue;
      }
      v1::WorkforceChange mark;
      mark.ParseFromString(confirmed_marks[i].value);
      state_->published[p.scope_id] = mark.published();
      marks.push_back(std::move(confirmed_marks[i]));
      ++count;
    }
  }
  published_->Increment(count);
  for (const absl::Status& s : producer_->SendAll(marks)) {
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  if (!first_error.ok()) return first_error;
  return count;
}

}  // namespace resilience::workforce
