#include "services/escalation/live_state_rebuild.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/clock/proto_time.h"
#include "common/kafka/topic_reader.h"
#include "common/log/log.h"
#include "common/scope/scope_key.h"
#include "events/v1/events.pb.h"
#include "services/escalation/core/event_figure.h"
#include "services/escalation/core/indicator_alerting.h"

namespace resilience::escalation {
namespace {

constexpr size_t kBatch = 500;

// Parts of an alert id "<rule>/<kind>/<id>/..."; empty when malformed.
std::vector<std::string> IdParts(const std::string& alert_id) {
  std::vector<std::string> parts = absl::StrSplit(alert_id, '/');
  return parts.size() >= 4 ? parts : std::vector<std::string>{};
}

bool IsLevelRule(const std::string& rule) {
  return rule == "area-level" || rule == "county-level" || rule == "board-level" ||
         rule == "ics-level";
}

}  // namespace

std::string FormatApplied(const AppliedOffsets& applied) {
  std::string out;
  for (const auto& [partition, offset] : applied) {
    absl::StrAppend(&out, out.empty() ? "" : ",", partition.first, ":", partition.second, ":",
                    offset);
  }
  return out;
}

AppliedOffsets ParseApplied(const std::string& header) {
  AppliedOffsets out;
  for (absl::string_view entry : absl::StrSplit(header, ',', absl::SkipEmpty())) {
    // The topic may hold ':' itself: the last two fields are the partition and offset.
    const size_t offset_at = entry.rfind(':');
    if (offset_at == absl::string_view::npos || offset_at == 0) continue;
    const size_t partition_at = entry.rfind(':', offset_at - 1);
    if (partition_at == absl::string_view::npos || partition_at == 0) continue;
    int32_t partition = 0;
    int64_t offset = 0;
    const absl::string_view partition_text =
        entry.substr(partition_at + 1, offset_at - partition_at - 1);
    if (!absl::SimpleAtoi(partition_text, &partition) ||
        !absl::SimpleAtoi(entry.substr(offset_at + 1), &offset)) {
      continue;
    }
    out[{std::string(entry.substr(0, partition_at)), partition}] = offset;
  }
  return out;
}

LiveStateRebuild::LiveStateRebuild(RebuildSources sources, redis::Client* redis, LiveState* alerts,
                                   LevelState* levels, WorkflowState* work, std::string prefix,
                                   int64_t stream_max_entries,
                                   std::shared_ptr<const ReferenceIndex> reference,
                                   const TriggerTables* tables, const AcuteFrameworks* acute,
                                   absl::TimeZone zone)
    : sources_(std::move(sources)),
      redis_(redis),
      alerts_(alerts),
      levels_(levels),
      work_(work),
      prefix_(std::move(prefix)),
      stream_max_entries_(stream_max_entries),
      reference_(std::move(reference)),
      tables_(tables),
      acute_(acute),
      zone_(zone) {}

absl::StatusOr<bool> LiveStateRebuild::Intact() {
  auto reply = redis_->Run(alerts_->LiveViewCheck());
  if (!reply.ok()) return reply.status();
  return reply->integer == 1;
}

absl::Status LiveStateRebuild::Write(std::vector<redis::Command>* batch, bool flush) {
  if (batch->empty() || (!flush && batch->size() < kBatch)) return absl::OkStatus();
  auto replies = redis_->RunPipeline(*batch);
  batch->clear();
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (!r.ok()) return r.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<RebuildCounts>> LiveStateRebuild::RebuildIfLost(absl::Time now) {
  auto intact = Intact();
  if (!intact.ok()) return intact.status();
  if (*intact) return std::optional<RebuildCounts>();
  auto counts = Rebuild(now);
  if (!counts.ok()) return counts.status();
  return std::optional<RebuildCounts>(*counts);
}

absl::StatusOr<RebuildCounts> LiveStateRebuild::Rebuild(absl::Time now) {
  RebuildCounts counts;
  std::vector<redis::Command> batch;
  const absl::Duration timeout = absl::Minutes(5);

  // Alerts: the highest revision of each id; and, for the stream, the latest revisions read
  // (at most twice the stream's bound, so memory stays bounded on a long topic).
  std::map<std::string, v1::Alert> alerts;
  std::deque<v1::Alert> recent;
  const size_t recent_bound = static_cast<size_t>(std::max<int64_t>(1, stream_max_entries_)) * 2;
  absl::Status read = kafka::ReadTopicToEnd(
      sources_.client, sources_.alerts_topic,
      [&](const kafka::ConsumedRecord& r) {
        v1::Alert a;
        if (!a.ParseFromString(r.value) || a.alert_id().empty()) return absl::OkStatus();
        auto it = alerts.find(a.alert_id());
        if (it == alerts.end() || a.revision() >= it->second.revision()) alerts[a.alert_id()] = a;
        recent.push_back(std::move(a));
        if (recent.size() > recent_bound) recent.pop_front();
        return absl::OkStatus();
      },
      timeout);
  if (!read.ok()) return read;

  // Audit trails, each audit id once per subject.
  std::map<std::string, std::vector<v1::AuditRecord>> audit;
  std::set<std::string> audit_ids;
  read = kafka::ReadTopicToEnd(
      sources_.client, sources_.audit_topic,
      [&](const kafka::ConsumedRecord& r) {
        v1::AuditRecord a;
        if (!a.ParseFromString(r.value) || a.subject().empty()) return absl::OkStatus();
        if (!audit_ids.insert(absl::StrCat(a.subject(), "|", a.audit_id())).second) {
          return absl::OkStatus();
        }
        audit[a.subject()].push_back(std::move(a));
        return absl::OkStatus();
      },
      timeout);
  if (!read.ok()) return read;

  // Levels, tasks, prompts, silences (compacted: the last record per key wins).
  std::map<std::string, v1::LevelStatus> levels;
  std::map<std::string, v1::ProtocolTask> tasks;
  std::map<std::string, v1::DecisionPrompt> prompts;
  std::map<std::string, v1::Silence> silences;
  // How far the published statuses say the pipeline had applied each domain partition.
  AppliedOffsets vouched;
  read = kafka::ReadTopicToEnd(
      sources_.client, sources_.status_topic,
      [&](const kafka::ConsumedRecord& r) {
        for (const auto& [name, value] : r.headers) {
          if (name != kAppliedHeader) continue;
          for (const auto& [partition, offset] : ParseApplied(value)) {
            int64_t& at = vouched[partition];
            at = std::max(at, offset);
          }
        }
        if (absl::StartsWith(r.key, "task:")) {
          v1::ProtocolTask t;
          if (t.ParseFromString(r.value)) tasks[t.task_id()] = t;
        } else if (absl::StartsWith(r.key, "prompt:")) {
          v1::DecisionPrompt p;
          if (p.ParseFromString(r.value)) prompts[p.prompt_id()] = p;
        } else if (absl::StartsWith(r.key, "silence:")) {
          v1::Silence s;
          if (s.ParseFromString(r.value)) silences[s.silence_id()] = s;
        } else {
          v1::LevelStatus l;
          if (l.ParseFromString(r.value) && l.has_scope()) levels[ScopeKey(l.scope())] = l;
        }
        return absl::OkStatus();
      },
      timeout);
  if (!read.ok()) return read;

  // Observations whose effects were published, per figure (scope key, indicator): named as
  // evidence by a level's latest status or the latest revision of a level's or stale-data
  // alert, and not yet met in the figure's topic below. A process killed after publishing a
  // record's effects but before committing its offset (the commit trails the effect) leaves
  // such records beyond the committed offsets, while their alerts and levels above are already
  // at the topics' ends.
  std::map<std::pair<std::string, std::string>, absl::flat_hash_set<std::string>> unmet;
  auto name = [&](const v1::IndicatorEvidence& e) {
    unmet[{ScopeKey(e.scope()), e.indicator()}].insert(e.event_id());
  };
  // The observation each indicator alert's latest revision names. A wave's indicator alerts are
  // published before its roll-ups: such a record may have no roll-up on the topics yet, so it
  // is applied again with its levels, and only its alert is taken as published.
  std::map<std::pair<std::string, std::string>, std::string> alerted;
  for (const auto& [id, a] : alerts) {
    if (a.rule() == "indicator-level") {
      for (const auto& e : a.evidence()) {
        alerted[{ScopeKey(e.scope()), e.indicator()}] = e.event_id();
      }
    } else {
      for (const auto& e : a.evidence()) name(e);
    }
  }
  for (const auto& [key, l] : levels) {
    for (const auto& e : l.evidence()) name(e);
  }
  // Per figure, the last observation beyond the committed offsets whose alert transition was
  // published (IndicatorRecord::alert_published_through), when not also taken into the figure.
  std::map<std::pair<std::string, std::string>, v1::IndicatorEvidence> alert_published;

  // Figures, re-derived from the domain topics: every record up to the group's committed
  // offsets, and beyond them every record up to where the statuses vouch for it and each
  // figure's records up to its last observation a level names. The pipeline then re-applies
  // from the committed offsets: what a figure already holds is found no newer (DESIGN 4.6) and
  // changes nothing, so a level the lost process moved is not moved through the same figures a
  // second time (which gave it extra revisions); the rest applies as usual, rolling the levels
  // up record by record as the lost process would have (taken into the figures, a wave's
  // records published only as indicator alerts let the first roll-up after the rebuild see
  // the whole wave and jump a level straight to its end).
  std::map<std::pair<std::string, std::string>, IndicatorRecord> figures;
  auto fold = [&](const std::pair<std::string, std::string>& key,
                  const v1::IndicatorEvidence& evidence) {
    std::optional<IndicatorRecord> previous;
    if (auto it = figures.find(key); it != figures.end()) previous = it->second;
    AlertContext context;  // the alert itself comes from the alerts topic
    const absl::Time at = FromProtoTime(evidence.provenance().accepted_at());
    IndicatorAssessment a = AssessIndicator(previous, evidence, context, at);
    if (!a.superseded) figures[key] = std::move(a.next);
  };
  for (const std::string& topic : sources_.domain_topics) {
    auto committed = kafka::CommittedOffsets(sources_.client, sources_.group_id, topic);
    if (!committed.ok()) return committed.status();
    // Per figure, its records beyond the committed offsets that a later published one may
    // vouch for. Only figures with published observations still unmet keep any, so this holds
    // the lost process's uncommitted work, not a backlog nobody applied.
    std::map<std::pair<std::string, std::string>, std::vector<v1::IndicatorEvidence>> unsure;
    size_t records = 0, derived = 0, lifted = 0, replayed_alerts = 0;
    read = kafka::ReadTopicToEnd(
        sources_.client, topic,
        [&](const kafka::ConsumedRecord& r) {
          ++records;
          events::v1::DomainEvent event;
          if (!event.ParseFromString(r.value)) return absl::OkStatus();
          auto figure = FigureOfEvent(event, *reference_, *tables_, acute_, zone_);
          if (!figure.ok() || !figure->has_value()) return absl::OkStatus();  // never applied
          EventFigure& f = **figure;
          const auto key = std::make_pair(ScopeKey(f.event.envelope().scope()), f.indicator->id());
          auto named = unmet.find(key);
          const bool published = named != unmet.end() &&
                                 named->second.erase(f.event.envelope().event_id()) > 0;
          auto until = committed->find(r.partition);
          if (until != committed->end() && r.offset < until->second) {
            fold(key, f.evidence);
            ++derived;
            return absl::OkStatus();
          }
          if (auto v = vouched.find({topic, r.partition});
              v != vouched.end() && r.offset <= v->second) {
            // Applied and rolled up before a status on the topic was computed: as committed.
            std::vector<v1::IndicatorEvidence>& waiting = unsure[key];
            for (const auto& e : waiting) fold(key, e);
            lifted += waiting.size() + 1;
            waiting.clear();
            fold(key, f.evidence);
            return absl::OkStatus();
          }
          if (auto a = alerted.find(key);
              a != alerted.end() && a->second == f.event.envelope().event_id()) {
            v1::IndicatorEvidence& mark = alert_published[key];
            *mark.mutable_occurred_at() = f.evidence.occurred_at();
            *mark.mutable_provenance()->mutable_accepted_at() =
                f.evidence.provenance().accepted_at();
            mark.set_event_id(f.evidence.event_id());
            ++replayed_alerts;
          }
          if (published) {
            // Every earlier record of this figure (same scope, so same partition) was applied
            // before it.
            std::vector<v1::IndicatorEvidence>& waiting = unsure[key];
            for (const auto& e : waiting) fold(key, e);
            fold(key, f.evidence);
            lifted += waiting.size() + 1;
            waiting.clear();
          } else if (named != unmet.end() && !named->second.empty()) {
            unsure[key].push_back(std::move(f.evidence));
          }
          return absl::OkStatus();
        },
        timeout);
    if (!read.ok()) return read;
    // What the figures were derived from, so a rebuild that found less than expected shows why.
    Logger("escalation")
        ->info("rebuild: {} read to its end ({} records): {} figures up to the group's committed "
               "offsets {{{}}}, {} beyond them already published, {} beyond them to apply again "
               "whose indicator alert was",
               topic, records, derived,
               absl::StrJoin(*committed, ",", absl::PairFormatter(":")), lifted, replayed_alerts);
  }

  // Episodes and open stale-data alerts of figures and levels, from the alerts.
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, std::string>> figure_alerts;
  std::map<std::pair<std::string, std::string>, std::string> stale_alerts;
  std::map<std::string, std::pair<int64_t, std::string>> level_alerts;
  for (const auto& [id, a] : alerts) {
    std::vector<std::string> parts = IdParts(id);
    if (parts.empty()) continue;
    const std::string scope = absl::StrCat(parts[1], "/", parts[2]);
    int64_t n = 0;
    if (a.rule() == "indicator-level" && parts.size() >= 5 && absl::SimpleAtoi(parts[4], &n)) {
      auto& slot = figure_alerts[{scope, parts[3]}];
      if (n > slot.first) slot = {n, id};
    } else if (a.rule() == "stale-data" && parts.size() >= 5 &&
               a.state() != v1::ALERT_STATE_RESOLVED) {
      stale_alerts[{scope, parts[3]}] = id;
    } else if (IsLevelRule(a.rule()) && absl::SimpleAtoi(parts[3], &n)) {
      auto& slot = level_alerts[scope];
      if (n > slot.first) slot = {n, id};
    }
  }

  // Write: alerts, index, revisions; the stream: every revision read (each once, the last
  // published among equal ones) and every alert's latest, in order of change. A subscriber
  // resuming from before the loss thus also gets the revisions published just before it that
  // it had not yet been sent, not only where each alert ended.
  std::vector<const v1::Alert*> ordered;
  {
    std::set<std::pair<std::string, int64_t>> seen;
    for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
      if (seen.insert({it->alert_id(), it->revision()}).second) ordered.push_back(&*it);
    }
    for (const auto& [id, a] : alerts) {
      if (seen.insert({id, a.revision()}).second) ordered.push_back(&a);
    }
  }
  for (const auto& [id, a] : alerts) {
    batch.push_back({"SET", alerts_->AlertKeyOf(id), a.SerializeAsString()});
    batch.push_back({"SET", alerts_->RevisionKeyOf(id), absl::StrCat(a.revision())});
    batch.push_back({"ZADD", alerts_->AlertIndexKey(),
                     absl::StrCat(absl::ToUnixMillis(FromProtoTime(a.raised_at()))), id});
    if (absl::Status s = Write(&batch, false); !s.ok()) return s;
  }
  std::sort(ordered.begin(), ordered.end(), [](const v1::Alert* x, const v1::Alert* y) {
    const int64_t tx = absl::ToUnixMillis(FromProtoTime(x->updated_at()));
    const int64_t ty = absl::ToUnixMillis(FromProtoTime(y->updated_at()));
    if (tx != ty) return tx < ty;
    if (x->alert_id() != y->alert_id()) return x->alert_id() < y->alert_id();
    return x->revision() < y->revision();
  });
  batch.push_back({"DEL", alerts_->StreamKey()});
  for (const v1::Alert* a : ordered) {
    batch.push_back({"XADD", alerts_->StreamKey(), "MAXLEN", "~", absl::StrCat(stream_max_entries_),
                     "*", "alert_id", a->alert_id(), "alert", a->SerializeAsString()});
    if (absl::Status s = Write(&batch, false); !s.ok()) return s;
  }
  counts.alerts = alerts.size();
  if (absl::Status s = Write(&batch, true); !s.ok()) return s;
  // Where the rebuilt stream starts: older tokens replay it whole.
  auto first = alerts_->FirstStreamId();
  if (!first.ok()) return first.status();
  batch.push_back({"SET", alerts_->StreamRebuiltKey(), *first});

  for (const auto& [subject, records] : audit) {
    batch.push_back({"DEL", alerts_->AuditKeyOf(subject)});
    for (const auto& r : records) {
      batch.push_back({"RPUSH", alerts_->AuditKeyOf(subject), r.SerializeAsString()});
      ++counts.audit_records;
      if (absl::Status s = Write(&batch, false); !s.ok()) return s;
    }
  }

  for (const auto& [key, status] : levels) {
    const common::v1::ScopeRef& scope = status.scope();
    redis::Command hset = {"HSET", levels_->LevelKeyOf(scope), "record", status.SerializeAsString(),
                           "version", "1"};
    if (auto it = level_alerts.find(key); it != level_alerts.end()) {
      hset.insert(hset.end(), {"episode", absl::StrCat(it->second.first), "alert_id", it->second.second});
    }
    batch.push_back(hset);
    batch.push_back({"SADD", levels_->LevelSetKey(), key});
    ++counts.levels;
    if (absl::Status s = Write(&batch, false); !s.ok()) return s;
  }

  // A figure that has no record up to the committed offsets may still have a published alert
  // to hold (its first records are applied again).
  for (const auto& [key, mark] : alert_published) figures.try_emplace(key);
  for (auto& [key, record] : figures) {
    auto scope = ParseScopeKey(key.first);
    if (!scope.ok()) continue;
    int64_t episode = record.episode;
    std::string alert_id;
    if (auto it = figure_alerts.find(key); it != figure_alerts.end()) {
      episode = std::max(episode, it->second.first);
      alert_id = it->second.second;
    }
    const bool has_record = record.status.has_latest();
    redis::Command hset = {"HSET", alerts_->IndicatorKeyOf(*scope, key.second), "episode",
                           absl::StrCat(episode), "version", "1"};
    if (has_record) hset.insert(hset.end(), {"record", record.status.SerializeAsString()});
    if (!alert_id.empty()) hset.insert(hset.end(), {"alert_id", alert_id});
    if (auto it = stale_alerts.find(key); it != stale_alerts.end()) {
      hset.insert(hset.end(), {"stale_alert", it->second});
    }
    if (auto it = alert_published.find(key);
        it != alert_published.end() &&
        !(has_record && NoNewerThan(it->second, record.status.latest()))) {
      hset.insert(hset.end(), {"alert_published", it->second.SerializeAsString()});
    }
    batch.push_back(hset);
    if (has_record) {
      batch.push_back({"SADD", prefix_ + "{status}:indicators",
                       absl::StrCat(key.first, "|", key.second)});
      ++counts.figures;
    }
    if (absl::Status s = Write(&batch, false); !s.ok()) return s;
  }

  // Work: tasks, prompts, silences, and the guards that keep one open at a time.
  std::map<std::string, std::pair<int, std::string>> prompt_guards;  // trigger scope -> latest
  for (const auto& [id, t] : tasks) {
    const std::string opened = absl::StrCat(absl::ToUnixMillis(FromProtoTime(t.opened_at())));
    batch.push_back({"HSET", work_->KeyOf("task:" + id), "record", t.SerializeAsString(), "revision", "1"});
    batch.push_back({"ZADD", work_->KeyOf("tasks:all"), opened, id});
    if (!t.closed()) {
      batch.push_back({"ZADD", work_->KeyOf("tasks:open"), opened, id});
      if (t.kind() == v1::ProtocolTask::KIND_NHS111_DOS) {
        batch.push_back({"SET", work_->KeyOf("guard:nhs111-dos"), id});
      } else if (t.kind() == v1::ProtocolTask::KIND_EXTRAORDINARY_PAP) {
        batch.push_back({"SET", work_->KeyOf("guard:extraordinary-pap"), id});
      }
    }
    ++counts.tasks;
    if (absl::Status s = Write(&batch, false); !s.ok()) return s;
  }
  for (const auto& [id, p] : prompts) {
    const std::string raised = absl::StrCat(absl::ToUnixMillis(FromProtoTime(p.raised_at())));
    batch.push_back({"HSET", work_->KeyOf("prompt:" + id), "record", p.SerializeAsString(), "revision", "1"});
    batch.push_back({"ZADD", work_->KeyOf("prompts:all"), raised, id});
    if (p.decision() == v1::DecisionPrompt::DECISION_UNSPECIFIED) {
      batch.push_back({"ZADD", work_->KeyOf("prompts:open"), raised, id});
    }
    auto& guard = prompt_guards[ScopeKey(p.trigger_scope())];
    if (static_cast<int>(p.trigger_level()) >= guard.first) {
      guard = {static_cast<int>(p.trigger_level()), id};
    }
    ++counts.prompts;
    if (absl::Status s = Write(&batch, false); !s.ok()) return s;
  }
  for (const auto& [scope, guard] : prompt_guards) {
    batch.push_back({"SET", work_->KeyOf("guard:prompt/" + scope), absl::StrCat(guard.first, "|", guard.second)});
  }
  for (const auto& [id, s] : silences) {
    batch.push_back({"SET", work_->KeyOf("silence:" + id), s.SerializeAsString()});
    if (FromProtoTime(s.until()) > now) {
      batch.push_back({"ZADD", work_->KeyOf("silences"),
                       absl::StrCat(absl::ToUnixMillis(FromProtoTime(s.until()))), id});
    }
    ++counts.silences;
  }
  batch.push_back({"SET", alerts_->LiveViewKey(),
                   absl::StrCat("rebuilt from Kafka at ", absl::FormatTime(absl::RFC3339_sec, now, absl::UTCTimeZone()))});
  if (absl::Status s = Write(&batch, true); !s.ok()) return s;
  return counts;
}

}  // namespace resilience::escalation
