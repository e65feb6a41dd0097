#include "services/beds/bed_publisher.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/log/log.h"
#include "common/scope/scope_key.h"
#include "services/beds/core/bed_figures.h"

namespace resilience::beds {

BedPublisher::BedPublisher(BedsState* state, ChangeWriter* writer, kafka::Producer* producer,
                           const Clock* clock, MetricsRegistry* metrics,
                           BedPublisherOptions options)
    : state_(state),
      writer_(writer),
      producer_(producer),
      clock_(clock),
      options_(std::move(options)) {
  figures_ = metrics->GetCounter("resilience_beds_figures_published_total",
                                 "Indicator figures published on the beds topic.");
  milestones_ = metrics->GetCounter("resilience_beds_milestones_published_total",
                                    "Placement milestones published on the beds topic.");
}

BedPublisher::~BedPublisher() { Stop(); }

void BedPublisher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void BedPublisher::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void BedPublisher::Loop() {
  auto log = Logger("beds.publisher");
  while (!stop_) {
    auto published = PublishDue();
    if (!published.ok()) log->warn("publishing: {}", published.status().ToString());
    absl::MutexLock lock(&state_->mu);
    state_->mu.AwaitWithTimeout(
        absl::Condition(
            +[](BedPublisher* p) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return p->stop_.load() || !p->state_->dirty.empty();
            },
            this),
        options_.poll_interval);
  }
}

absl::StatusOr<int> BedPublisher::PublishDue() {
  const absl::Time now = clock_->Now();
  auto figures = PublishFigures(now);
  auto milestones = PublishMilestones(now);
  if (!figures.ok()) return figures.status();
  if (!milestones.ok()) return milestones.status();
  return *figures + *milestones;
}

absl::StatusOr<int> BedPublisher::PublishFigures(absl::Time now) {
  struct Due {
    Figure figure;
    events::v1::DomainEvent event;
    uint64_t sequence;
  };
  std::vector<Due> due;
  std::map<std::string, FigureCause> taken;
  {
    absl::MutexLock lock(&state_->mu);
    for (const std::string& id : state_->board.ExpireHolds(now)) {
      state_->dirty.emplace(id, FigureCause{common::v1::Provenance(), now});
    }
    if (first_round_) {
      for (const v1::LocationRecord* r : state_->board.Locations()) {
        // After a restart a figure recorded but not yet published goes out as its location's
        // latest update caused it (that update's provenance and time), as it would have without
        // the crash; only a location never updated is published as of now.
        FigureCause cause{common::v1::Provenance(), now};
        if (!r->provenance().update_id().empty() && r->has_last_updated_at()) {
          cause = {r->provenance(), FromProtoTime(r->last_updated_at())};
        }
        state_->dirty.emplace(r->location().id(), cause);
      }
    }
    if (state_->dirty.empty()) return 0;
    taken.swap(state_->dirty);
    std::vector<std::pair<Figure, FigureCause>> figures;
    std::set<std::string> areas;
    bool county = first_round_;
    FigureCause latest{common::v1::Provenance(), absl::InfinitePast()};
    for (const auto& [id, cause] : taken) {
      const v1::LocationRecord* r = state_->board.Find(id);
      if (r == nullptr) continue;
      for (Figure& f : LocationFigures(*r)) figures.push_back({std::move(f), cause});
      if (IsContractedHome(r->location().kind()) || first_round_) areas.insert(r->location().area_id());
      if (IsInHouse(r->location().kind())) county = true;
      if (cause.effective_at >= latest.effective_at) latest = cause;
    }
    if (first_round_) {
      for (const auto& a : state_->reference->data().areas()) areas.insert(a.id());
    }
    for (const std::string& area : areas) figures.push_back({AreaFigure(state_->board, area), latest});
    if (county) figures.push_back({CountyFigure(state_->board, options_.county_id), latest});
    for (auto& [figure, cause] : figures) {
      const std::string key = absl::StrCat(ScopeKey(figure.scope), "/", figure.indicator);
      auto it = state_->published.find(key);
      const v1::PublishedFigure* last = it == state_->published.end() ? nullptr : &it->second;
      if (!ChangedSince(figure, last)) continue;
      absl::Time occurred = cause.effective_at == absl::InfinitePast() ? now : cause.effective_at;
      if (last != nullptr) occurred = std::max(occurred, FromProtoTime(last->occurred_at()));
      const uint64_t sequence = last == nullptr ? 1 : last->sequence() + 1;
      due.push_back({figure, FigureEvent(figure, sequence, cause.provenance, occurred, now),
                     sequence});
    }
    first_round_ = false;
  }
  if (due.empty()) return 0;
  auto put_back = [&] {
    absl::MutexLock lock(&state_->mu);
    for (auto& [id, cause] : taken) state_->dirty.emplace(id, cause);
  };
  std::vector<kafka::OutgoingRecord> events;
  for (const Due& d : due) {
    events.push_back({options_.beds_topic, ScopeKey(d.event.envelope().scope()),
                      d.event.SerializeAsString(), {{"event_id", d.event.envelope().event_id()}}});
  }
  std::vector<kafka::OutgoingRecord> marks;
  std::vector<v1::PublishedFigure> published;
  absl::Status first_error = absl::OkStatus();
  std::vector<absl::Status> sent = producer_->SendAll(events);
  for (size_t i = 0; i < due.size(); ++i) {
    if (!sent[i].ok()) {
      if (first_error.ok()) first_error = sent[i];
      continue;
    }
    v1::BedsChange mark;
    *mark.mutable_figure() = PublishedOf(due[i].event, due[i].sequence);
    marks.push_back({options_.changes_topic,
                     FigureLogKey(mark.figure().scope_key(), mark.figure().indicator()),
                     mark.SerializeAsString(), {}});
    published.push_back(mark.figure());
  }
  // Remembered in memory at once; in the log next. A crash before the log has a mark republishes
  // the figure under the same sequence, hence the same event id.
  {
    absl::MutexLock lock(&state_->mu);
    for (const auto& p : published) {
      state_->published[absl::StrCat(p.scope_key(), "/", p.indicator())] = p;
    }
  }
  figures_->Increment(static_cast<double>(published.size()));
  for (const absl::Status& s : producer_->SendAll(marks)) {
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  if (!first_error.ok()) {
    put_back();
    return first_error;
  }
  return static_cast<int>(published.size());
}

absl::StatusOr<int> BedPublisher::PublishMilestones(absl::Time now) {
  struct Due {
    std::string flight_key;
    DueMilestone milestone;
    events::v1::DomainEvent event;
  };
  std::vector<Due> due;
  {
    absl::MutexLock lock(&state_->mu);
    for (const DueMilestone& m : state_->placements.Due(now)) {
      const std::string key = absl::StrCat(m.placement_id, "/", m.milestone);
      if (state_->milestones_in_flight.count(key) > 0) continue;
      const v1::Placement* p = state_->placements.Find(m.placement_id);
      if (p == nullptr) continue;
      state_->milestones_in_flight.insert(key);
      due.push_back({key, m, state_->placements.MilestoneEvent(*p, m, now)});
    }
  }
  if (due.empty()) return 0;
  std::vector<kafka::OutgoingRecord> events;
  for (const Due& d : due) {
    events.push_back({options_.beds_topic, ScopeKey(d.event.envelope().scope()),
                      d.event.SerializeAsString(), {{"event_id", d.event.envelope().event_id()}}});
  }
  std::vector<absl::Status> sent = producer_->SendAll(events);
  absl::Status first_error = absl::OkStatus();
  int count = 0;
  for (size_t i = 0; i < due.size(); ++i) {
    const Due& d = due[i];
    if (!sent[i].ok()) {
      if (first_error.ok()) first_error = sent[i];
      absl::MutexLock lock(&state_->mu);
      state_->milestones_in_flight.erase(d.flight_key);
      continue;
    }
    ++count;
    milestones_->Increment();
    // The mark goes through the writer, so it never races an EndPlacement of the same placement.
    ChangeWriter::Write w;
    w.keys = {PlacementLogKey(d.milestone.placement_id)};
    const DueMilestone m = d.milestone;
    w.prepare = [m](BedsState& s, absl::Time at) -> absl::StatusOr<std::optional<ChangeWriter::Record>> {
      const v1::Placement* p = s.placements.Find(m.placement_id);
      if (p == nullptr) return absl::NotFoundError("placement vanished");
      ChangeWriter::Record r;
      r.key = PlacementLogKey(m.placement_id);
      *r.change.mutable_placement() = PlacementBook::WithFired(*p, m.milestone, at);
      return r;
    };
    w.commit = [](BedsState& s, const ChangeWriter::Record& r, absl::Time) {
      s.placements.Put(r.change.placement());
    };
    BedsState* state = state_;
    const std::string flight_key = d.flight_key;
    w.done = [state, flight_key](const absl::Status& status) {
      if (!status.ok()) {
        Logger("beds.publisher")->warn("milestone {} published, mark not recorded: {}", flight_key,
                                       status.ToString());
      }
      absl::MutexLock lock(&state->mu);
      state->milestones_in_flight.erase(flight_key);
    };
    writer_->Submit(std::move(w));
  }
  if (!first_error.ok()) return first_error;
  return count;
}

}  // namespace resilience::beds
