#include "services/escalation/live_state.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"
#include "services/escalation/core/alert_episode.h"

namespace resilience::escalation {
namespace {

// KEYS: 1 indicator hash, 2 seen mark, 3 alert key (or unused), 4 stream, 5 alert index,
//       6 indicator set, 7 alert revision key, 8 the alert's audit list
// ARGV: 1 expected version, 2 record, 3 episode, 4 alert id ("" = no alert change), 5 alert,
//       6 stream max entries, 7 seen ttl, 8 raised ms, 9 indicator set member,
//       10 expected alert revision, 11 new alert revision, 12 audit record
const redis::Script& ApplyScript() {
  static const redis::Script* script = new redis::Script(R"lua(
if redis.call('EXISTS', KEYS[2]) == 1 then return {'applied', ''} end
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return {'conflict', ''} end
if ARGV[4] ~= '' then
  local rev = redis.call('GET', KEYS[7])
  if rev and tonumber(rev) ~= tonumber(ARGV[10]) then return {'conflict', ''} end
end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'episode', ARGV[3], 'version', v + 1)
redis.call('SET', KEYS[2], '1', 'EX', ARGV[7])
redis.call('SADD', KEYS[6], ARGV[9])
local sid = ''
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'alert_id', ARGV[4])
  redis.call('SET', KEYS[3], ARGV[5])
  redis.call('SET', KEYS[7], ARGV[11])
  redis.call('ZADD', KEYS[5], ARGV[8], ARGV[4])
  redis.call('RPUSH', KEYS[8], ARGV[12])
  sid = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', 'alert_id', ARGV[4], 'alert', ARGV[5])
end
return {'ok', sid}
)lua");
  return *script;
}

// A staff transition of an alert, compare-and-set on its revision.
// KEYS: 1 alert key, 2 alert revision key, 3 stream, 4 audit list
// ARGV: 1 expected revision, 2 alert, 3 new revision, 4 stream max entries, 5 audit record,
//       6 alert id
const redis::Script& TransitionScript() {
  static const redis::Script* script = new redis::Script(R"lua(
local rev = redis.call('GET', KEYS[2])
if rev and tonumber(rev) ~= tonumber(ARGV[1]) then return {'conflict', ''} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[4], ARGV[5])
local sid = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'alert_id', ARGV[6], 'alert', ARGV[2])
return {'ok', sid}
)lua");
  return *script;
}

// KEYS: 1 figure hash, 2 alert key, 3 alert revision key, 4 stream, 5 alert index, 6 audit list
// ARGV: 1 alert id, 2 alert, 3 stream max entries, 4 raised ms, 5 audit record
const redis::Script& RaiseStaleScript() {
  static const redis::Script* script = new redis::Script(R"lua(
if redis.call('EXISTS', KEYS[2]) == 1 then return '' end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], '1')
redis.call('HSET', KEYS[1], 'stale_alert', ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
redis.call('RPUSH', KEYS[6], ARGV[5])
return redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[3], '*', 'alert_id', ARGV[1], 'alert', ARGV[2])
)lua");
  return *script;
}

// Scope of an alert id "<rule>/<kind>/<id>/...".
absl::StatusOr<common::v1::ScopeRef> ScopeOfAlert(const std::string& alert_id) {
  std::vector<std::string> parts = absl::StrSplit(alert_id, '/');
  if (parts.size() < 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("alert id '", alert_id, "': expected <rule>/<kind>/<id>/..."));
  }
  return ParseScopeKey(absl::StrCat(parts[1], "/", parts[2]));
}

}  // namespace

absl::StatusOr<StreamId> ParseStreamId(const std::string& id) {
  std::vector<std::string> parts = absl::StrSplit(id, '-');
  StreamId out;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &out.ms) ||
      !absl::SimpleAtoi(parts[1], &out.seq)) {
    return absl::InvalidArgumentError(absl::StrCat("resume token '", id, "' is malformed"));
  }
  return out;
}

LiveState::LiveState(redis::Client* client, std::string prefix, int64_t stream_max_entries)
    : client_(client), prefix_(std::move(prefix)), stream_max_entries_(stream_max_entries) {}

std::string LiveState::IndicatorKey(const common::v1::ScopeRef& scope,
                                    const std::string& indicator) const {
  return absl::StrCat(prefix_, "{", ScopeKey(scope), "}:ind:", indicator);
}
std::string LiveState::SeenKey(const common::v1::ScopeRef& scope,
                               const std::string& event_id) const {
  return absl::StrCat(prefix_, "{", ScopeKey(scope), "}:seen:", event_id);
}
std::string LiveState::AlertKey(const common::v1::ScopeRef& scope,
                                const std::string& alert_id) const {
  return absl::StrCat(prefix_, "{", ScopeKey(scope), "}:alert:", alert_id);
}
std::string LiveState::RevisionKey(const common::v1::ScopeRef& scope,
                                   const std::string& alert_id) const {
  return absl::StrCat(prefix_, "{", ScopeKey(scope), "}:alertrev:", alert_id);
}
std::string LiveState::AuditKey(const std::string& subject) const {
  return absl::StrCat(prefix_, "{audit}:", subject);
}
std::string LiveState::AlertKeyOf(const std::string& alert_id) const {
  auto scope = ScopeOfAlert(alert_id);
  return scope.ok() ? AlertKey(*scope, alert_id) : absl::StrCat(prefix_, "{invalid}:", alert_id);
}
std::string LiveState::RevisionKeyOf(const std::string& alert_id) const {
  auto scope = ScopeOfAlert(alert_id);
  return scope.ok() ? RevisionKey(*scope, alert_id) : absl::StrCat(prefix_, "{invalid}:", alert_id);
}
std::string LiveState::StreamKey() const { return absl::StrCat(prefix_, "{alerts}:stream"); }

absl::StatusOr<std::string> LiveState::StoreTransition(const v1::Alert& alert,
                                                       uint64_t expected_revision,
                                                       const v1::AuditRecord& audit) {
  auto scope = ScopeOfAlert(alert.alert_id());
  if (!scope.ok()) return scope.status();
  auto reply = client_->Eval(
      TransitionScript(),
      {AlertKey(*scope, alert.alert_id()), RevisionKey(*scope, alert.alert_id()), StreamKey(),
       AuditKey(alert.alert_id())},
      {absl::StrCat(expected_revision), alert.SerializeAsString(), absl::StrCat(alert.revision()),
       absl::StrCat(stream_max_entries_), audit.SerializeAsString(), alert.alert_id()});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2) return absl::InternalError("transition script: unexpected reply");
  if (reply->elements[0].str == "conflict") {
    return absl::AbortedError(absl::StrCat("alert ", alert.alert_id(), " changed meanwhile"));
  }
  return reply->elements[1].str;
}

absl::StatusOr<std::string> LiveState::RaiseStaleAlert(const common::v1::ScopeRef& scope,
                                                       const std::string& indicator,
                                                       const v1::Alert& alert,
                                                       const v1::AuditRecord& audit) {
  auto reply = client_->Eval(
      RaiseStaleScript(),
      {IndicatorKey(scope, indicator), AlertKey(scope, alert.alert_id()),
       RevisionKey(scope, alert.alert_id()), StreamKey(), absl::StrCat(prefix_, "{alerts}:index"),
       AuditKey(alert.alert_id())},
      {alert.alert_id(), alert.SerializeAsString(), absl::StrCat(stream_max_entries_),
       absl::StrCat(absl::ToUnixMillis(FromProtoTime(alert.raised_at()))),
       audit.SerializeAsString()});
  if (!reply.ok()) return reply.status();
  return reply->str;
}

absl::Status LiveState::ForgetStaleAlert(const common::v1::ScopeRef& scope,
                                         const std::string& indicator,
                                         const std::string& alert_id) {
  static const redis::Script* script = new redis::Script(R"lua(
if redis.call('HGET', KEYS[1], 'stale_alert') == ARGV[1] then redis.call('HDEL', KEYS[1], 'stale_alert') end
return 'ok'
)lua");
  return client_->Eval(*script, {IndicatorKey(scope, indicator)}, {alert_id}).status();
}

absl::StatusOr<bool> LiveState::AppendAuditOnce(const std::string& subject,
                                               const v1::AuditRecord& audit) {
  static const redis::Script* script = new redis::Script(R"lua(
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0
)lua");
  auto reply = client_->Eval(*script,
                             {absl::StrCat(prefix_, "{audit}:once:", audit.audit_id()), AuditKey(subject)},
                             {audit.SerializeAsString(), absl::StrCat(kSeenTtlSeconds)});
  if (!reply.ok()) return reply.status();
  return reply->integer == 1;
}

absl::StatusOr<std::vector<v1::AuditRecord>> LiveState::ListAudit(const std::string& subject,
                                                                  size_t limit) {
  // "Who acknowledged it?" must not read a wiped view as "nobody" (LiveViewCheck).
  auto replies =
      RunChecked(client_, {{"LRANGE", AuditKey(subject),
                            absl::StrCat(-static_cast<int64_t>(limit)), "-1"}});
  if (!replies.ok()) return replies.status();
  const auto& reply = replies->front();
  if (!reply.ok()) return reply.status();
  std::vector<v1::AuditRecord> out;
  for (const auto& e : reply->elements) {
    v1::AuditRecord r;
    if (r.ParseFromString(e.str)) out.push_back(std::move(r));
  }
  return out;
}

namespace {
constexpr char kLiveViewLost[] = "live view lost: Redis was wiped; rebuilding from Kafka";
}  // namespace

absl::Status LiveState::LiveViewStatus(const absl::StatusOr<redis::Reply>& reply) {
  if (!reply.ok()) return reply.status();
  if (reply->integer == 1) return absl::OkStatus();
  return absl::UnavailableError(kLiveViewLost);
}

absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> LiveState::RunChecked(
    redis::Client* client, std::vector<redis::Command> commands) const {
  commands.push_back(LiveViewCheck());  // last: a wipe before or during the reads shows here
  auto replies = client->RunPipeline(commands);
  if (!replies.ok()) return replies.status();
  if (absl::Status whole = LiveViewStatus(replies->back()); !whole.ok()) return whole;
  replies->pop_back();
  return replies;
}

bool IsLiveViewLost(const absl::Status& status) {
  return absl::IsUnavailable(status) && status.message() == kLiveViewLost;
}

absl::StatusOr<LoadedIndicator> LiveState::Load(const common::v1::ScopeRef& scope,
                                                const std::string& indicator,
                                                const std::string& event_id) {
  auto loaded = LoadMany({{&scope, indicator, event_id}});
  if (!loaded.ok()) return loaded.status();
  return std::move(loaded->front());
}

absl::StatusOr<std::vector<absl::StatusOr<LoadedIndicator>>> LiveState::LoadMany(
    const std::vector<IndicatorKeyRef>& figures) {
  std::vector<redis::Command> commands;
  commands.reserve(2 * figures.size());
  std::vector<size_t> first_reply;  // of each figure: its EXISTS, then its HMGET unless seen_only
  first_reply.reserve(figures.size());
  for (const IndicatorKeyRef& f : figures) {
    first_reply.push_back(commands.size());
    commands.push_back({"EXISTS", SeenKey(*f.scope, f.event_id)});
    if (f.seen_only) continue;
    commands.push_back(
        {"HMGET", IndicatorKey(*f.scope, f.indicator), "record", "episode", "version", "alert_id",
         "alert_published"});
  }
  auto replies = RunChecked(client_, std::move(commands));
  if (!replies.ok()) return replies.status();
  std::vector<absl::StatusOr<LoadedIndicator>> out;
  out.reserve(figures.size());
  // Second round trip: the open alerts of the figures that have one.
  std::vector<redis::Command> alert_reads;
  std::vector<size_t> alert_of;
  for (size_t i = 0; i < figures.size(); ++i) {
    const auto& seen = (*replies)[first_reply[i]];
    if (!seen.ok()) {
      out.push_back(seen.status());
      continue;
    }
    if (figures[i].seen_only) {
      LoadedIndicator loaded;
      loaded.already_applied = seen->integer == 1;
      out.push_back(std::move(loaded));
      continue;
    }
    const auto& fields_reply = (*replies)[first_reply[i] + 1];
    if (!fields_reply.ok()) {
      out.push_back(fields_reply.status());
      continue;
    }
    LoadedIndicator loaded;
    loaded.already_applied = seen->integer == 1;
    const redis::Reply& fields = *fields_reply;
    // A rebuild may leave a figure with no record yet but a published alert (the lost
    // process's records are applied again, IndicatorRecord::alert_published_through).
    if (fields.elements.size() == 5 &&
        (!fields.elements[0].is_nil() || !fields.elements[4].is_nil())) {
      IndicatorRecord record;
      if ((!fields.elements[0].is_nil() &&
           !record.status.ParseFromString(fields.elements[0].str)) ||
          (!fields.elements[4].is_nil() &&
           !record.alert_published_through.emplace().ParseFromString(fields.elements[4].str))) {
        out.push_back(absl::DataLossError(
            absl::StrCat("unreadable record at ", IndicatorKey(*figures[i].scope, figures[i].indicator))));
        continue;
      }
      absl::SimpleAtoi(fields.elements[1].str, &record.episode);
      absl::SimpleAtoi(fields.elements[2].str, &loaded.version);
      // The episode's alert only while it is open: only then can the next figure move it
      // (LevelChangeMovesAlert), and most figures sit below Amber. After a rebuild that left
      // the alert ahead of the figure, always.
      if (!fields.elements[3].is_nil() && (AlertingLevel(record.status.latest().level()) ||
                                           record.alert_published_through.has_value())) {
        auto scope = ScopeOfAlert(fields.elements[3].str);
        if (!scope.ok()) {
          out.push_back(scope.status());
          continue;
        }
        alert_reads.push_back({"GET", AlertKey(*scope, fields.elements[3].str)});
        alert_of.push_back(i);
      }
      loaded.record = std::move(record);
    }
    out.push_back(std::move(loaded));
  }
  if (alert_reads.empty()) return out;
  auto alerts = RunChecked(client_, alert_reads);
  if (!alerts.ok()) return alerts.status();
  for (size_t k = 0; k < alert_reads.size(); ++k) {
    absl::StatusOr<LoadedIndicator>& loaded = out[alert_of[k]];
    const auto& reply = (*alerts)[k];
    if (!reply.ok()) {
      loaded = reply.status();
      continue;
    }
    if (reply->is_nil()) continue;  // resolved and expired meanwhile
    v1::Alert alert;
    if (!alert.ParseFromString(reply->str)) {
      loaded = absl::DataLossError(absl::StrCat("unreadable alert at ", alert_reads[k][1]));
      continue;
    }
    loaded->record->alert = std::move(alert);
  }
  return out;
}

absl::StatusOr<std::string> LiveState::Apply(const common::v1::ScopeRef& scope,
                                             const std::string& indicator,
                                             const std::string& event_id,
                                             int64_t expected_version,
                                             const IndicatorAssessment& assessment,
                                             const v1::AuditRecord& audit) {
  auto applied = ApplyMany({{{&scope, indicator, event_id}, expected_version, &assessment, &audit}});
  if (!applied.ok()) return applied.status();
  return std::move(applied->front());
}

absl::StatusOr<std::vector<absl::StatusOr<std::string>>> LiveState::ApplyMany(
    const std::vector<IndicatorApply>& figures) {
  std::vector<redis::ScriptCall> calls;
  calls.reserve(figures.size());
  for (const IndicatorApply& f : figures) {
    const common::v1::ScopeRef& scope = *f.key.scope;
    const IndicatorAssessment& assessment = *f.assessment;
    const bool alert_changed = assessment.changed_alert.has_value();
    const std::string alert_id = alert_changed ? assessment.changed_alert->alert_id() : "";
    const int64_t raised_ms =
        alert_changed ? absl::ToUnixMillis(FromProtoTime(assessment.changed_alert->raised_at()))
                      : 0;
    const uint64_t new_revision = alert_changed ? assessment.changed_alert->revision() : 0;
    const std::string unused = IndicatorKey(scope, f.key.indicator);
    calls.push_back(
        {{IndicatorKey(scope, f.key.indicator), SeenKey(scope, f.key.event_id),
          alert_changed ? AlertKey(scope, alert_id) : unused, StreamKey(),
          absl::StrCat(prefix_, "{alerts}:index"), absl::StrCat(prefix_, "{status}:indicators"),
          alert_changed ? RevisionKey(scope, alert_id) : unused,
          alert_changed ? AuditKey(alert_id) : unused},
         {absl::StrCat(f.expected_version), assessment.next.status.SerializeAsString(),
          absl::StrCat(assessment.next.episode), alert_id,
          alert_changed ? assessment.changed_alert->SerializeAsString() : "",
          absl::StrCat(stream_max_entries_), absl::StrCat(kSeenTtlSeconds), absl::StrCat(raised_ms),
          absl::StrCat(ScopeKey(scope), "|", f.key.indicator),
          absl::StrCat(new_revision > 0 ? new_revision - 1 : 0), absl::StrCat(new_revision),
          alert_changed ? f.audit->SerializeAsString() : ""}});
  }
  auto replies = client_->EvalMany(ApplyScript(), calls);
  if (!replies.ok()) return replies.status();
  std::vector<absl::StatusOr<std::string>> out;
  out.reserve(figures.size());
  for (size_t i = 0; i < figures.size(); ++i) {
    const auto& reply = (*replies)[i];
    if (!reply.ok()) {
      out.push_back(reply.status());
    } else if (reply->elements.size() != 2) {
      out.push_back(absl::InternalError("apply script: unexpected reply"));
    } else if (reply->elements[0].str == "conflict") {
      out.push_back(absl::AbortedError(absl::StrCat(
          "indicator ", IndicatorKey(*figures[i].key.scope, figures[i].key.indicator),
          " changed meanwhile")));
    } else {
      out.push_back(reply->elements[1].str);
    }
  }
  return out;
}

absl::StatusOr<bool> LiveState::WasApplied(const common::v1::ScopeRef& scope,
                                           const std::string& event_id) {
  auto reply = client_->Run({"EXISTS", SeenKey(scope, event_id)});
  if (!reply.ok()) return reply.status();
  return reply->integer == 1;
}

absl::Status LiveState::MarkApplied(const common::v1::ScopeRef& scope,
                                    const std::string& event_id) {
  return client_
      ->Run({"SET", SeenKey(scope, event_id), "1", "EX", absl::StrCat(kSeenTtlSeconds)})
      .status();
}

absl::StatusOr<std::optional<v1::Alert>> LiveState::GetAlert(const std::string& alert_id) {
  auto scope = ScopeOfAlert(alert_id);
  if (!scope.ok()) return scope.status();
  auto reply = client_->Run({"GET", AlertKey(*scope, alert_id)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::optional<v1::Alert>();
  v1::Alert alert;
  if (!alert.ParseFromString(reply->str)) {
    return absl::DataLossError(absl::StrCat("unreadable alert ", alert_id));
  }
  return std::optional<v1::Alert>(std::move(alert));
}

absl::StatusOr<std::vector<v1::Alert>> LiveState::ListAlerts(size_t limit) {
  // Both round trips end with the live-view check: a wiped view answers "live view lost",
  // never an empty or partial list that would read as "no alerts".
  auto listed = RunChecked(client_, {{"ZREVRANGE", absl::StrCat(prefix_, "{alerts}:index"), "0",
                                      absl::StrCat(static_cast<int64_t>(limit) - 1)}});
  if (!listed.ok()) return listed.status();
  const auto& ids = listed->front();
  if (!ids.ok()) return ids.status();
  std::vector<v1::Alert> out;
  std::vector<redis::Command> commands;
  for (const auto& id : ids->elements) commands.push_back({"GET", AlertKeyOf(id.str)});
  if (commands.empty()) return out;
  auto replies = RunChecked(client_, std::move(commands));
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (!r.ok()) return r.status();
    v1::Alert alert;
    if (!r->is_nil() && alert.ParseFromString(r->str)) out.push_back(std::move(alert));
  }
  return out;
}

absl::StatusOr<std::vector<v1::IndicatorStatus>> LiveState::ListIndicators() {
  // As ListAlerts: a wiped view answers "live view lost", not an empty list.
  auto listed = RunChecked(client_, {{"SMEMBERS", absl::StrCat(prefix_, "{status}:indicators")}});
  if (!listed.ok()) return listed.status();
  const auto& members = listed->front();
  if (!members.ok()) return members.status();
  std::vector<redis::Command> commands;
  for (const auto& m : members->elements) {
    std::vector<std::string> parts = absl::StrSplit(m.str, absl::MaxSplits('|', 1));
    if (parts.size() != 2) continue;
    auto scope = ParseScopeKey(parts[0]);
    if (!scope.ok()) continue;
    commands.push_back({"HGET", IndicatorKey(*scope, parts[1]), "record"});
  }
  std::vector<v1::IndicatorStatus> out;
  if (commands.empty()) return out;
  auto replies = RunChecked(client_, std::move(commands));
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (!r.ok() || r->is_nil()) continue;
    v1::IndicatorStatus status;
    if (status.ParseFromString(r->str)) out.push_back(std::move(status));
  }
  return out;
}

absl::StatusOr<std::vector<StreamEntry>> LiveState::ParseEntries(const redis::Reply& entries) {
  std::vector<StreamEntry> out;
  for (const auto& entry : entries.elements) {
    if (entry.elements.size() != 2) continue;
    StreamEntry e;
    e.id = entry.elements[0].str;
    const auto& fields = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "alert" && !e.alert.ParseFromString(fields[i + 1].str)) {
        return absl::DataLossError(absl::StrCat("unreadable stream entry ", e.id));
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::vector<StreamEntry>> LiveState::ReadStream(const std::string& after_id,
                                                               size_t count,
                                                               absl::Duration block) {
  redis::Command command = {"XREAD", "COUNT", absl::StrCat(count)};
  if (block > absl::ZeroDuration()) {
    command.push_back("BLOCK");
    command.push_back(absl::StrCat(absl::ToInt64Milliseconds(block)));
  }
  command.insert(command.end(), {"STREAMS", StreamKey(), after_id});
  auto reply = client_->Run(command);
  if (!reply.ok()) return reply.status();
  if (reply->is_nil() || reply->elements.empty()) return std::vector<StreamEntry>();
  // [[stream key, [entries...]]]
  const auto& stream = reply->elements[0];
  if (stream.elements.size() != 2) return std::vector<StreamEntry>();
  return ParseEntries(stream.elements[1]);
}

absl::StatusOr<std::string> LiveState::LastStreamId() {
  auto reply = client_->Run({"XREVRANGE", StreamKey(), "+", "-", "COUNT", "1"});
  if (!reply.ok()) return reply.status();
  if (reply->elements.empty()) return std::string("0-0");
  return reply->elements[0].elements[0].str;
}

absl::StatusOr<std::string> LiveState::StreamRebuiltAt() {
  auto reply = client_->Run({"GET", StreamRebuiltKey()});
  if (!reply.ok()) return reply.status();
  return reply->is_nil() ? std::string() : reply->str;
}

absl::StatusOr<std::string> LiveState::FirstStreamId() {
  auto reply = client_->Run({"XRANGE", StreamKey(), "-", "+", "COUNT", "1"});
  if (!reply.ok()) return reply.status();
  if (reply->elements.empty()) return std::string("0-0");
  return reply->elements[0].elements[0].str;
}

}  // namespace resilience::escalation
